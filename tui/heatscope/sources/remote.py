"""Runs where they are: object storage and HTTP through fsspec (``heatscope[remote]``).

A URL (``s3://bucket/run.h5``, ``https://host/run.h5``, ``gs://...``: any fsspec protocol
whose package is installed) becomes a :class:`RemotePath`, which offers the little of
``pathlib.Path`` the rest of heatscope uses (name, parts, stat, exists, is_dir). The file is
opened read-only as an fsspec file object handed to h5py, with a block cache: HDF5 reads a
few hundred bytes of metadata here and there and one chunk per slice, so the first heatmap
costs a few range requests of ``BLOCK`` bytes, never the file. Every request has a timeout
(``HEATSCOPE_REMOTE_TIMEOUT`` seconds, default 15): a server that stops gives an error, not
a hang. Credentials come from each protocol's own environment and config; fsspec is
imported only for URLs.
"""

from __future__ import annotations

import os
import posixpath
import re
import threading
import time
from types import SimpleNamespace

from heatscope.errors import HeatscopeError

URL = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*)://")
BLOCK = 128 * 1024  # bytes per range request
MAX_BLOCKS = 256  # cached blocks per open file (32 MB)
SUFFIXES = (".h5", ".hdf5", ".he5", ".hdf", ".nc", ".nc4", ".h5ad")
_fs_lock = threading.Lock()
_filesystems: dict[tuple, object] = {}


def is_url(text: object) -> bool:
    match = URL.match(str(text))
    return bool(match) and match.group(1).lower() != "file"


def timeout() -> float:
    try:
        return max(1.0, float(os.environ.get("HEATSCOPE_REMOTE_TIMEOUT", "15")))
    except ValueError:
        return 15.0


def _options(protocol: str) -> dict:
    """Timeouts for the protocols whose packages take them."""
    seconds = timeout()
    if protocol in ("http", "https"):
        import aiohttp

        return {"client_kwargs": {"timeout": aiohttp.ClientTimeout(total=seconds * 4, sock_connect=seconds,
                                                                   sock_read=seconds)}}
    if protocol in ("s3", "s3a"):
        return {"config_kwargs": {"connect_timeout": seconds, "read_timeout": seconds,
                                  "retries": {"max_attempts": 2}}}
    if protocol in ("gs", "gcs"):
        return {"timeout": seconds}
    return {}


def filesystem(url: str):
    """The fsspec filesystem for ``url`` (one per protocol and options) and the path in it."""
    try:
        import fsspec
    except ImportError:
        raise HeatscopeError("remote paths need fsspec: pip install 'heatscope[remote]'", url) from None
    protocol = URL.match(url).group(1).lower()
    try:
        cls = fsspec.get_filesystem_class(protocol)
    except (ImportError, ValueError) as exc:
        raise HeatscopeError(f"cannot read {protocol}:// URLs ({str(exc).splitlines()[0][:120]})", url) from None
    with _fs_lock:
        key = (protocol,)
        if key not in _filesystems:
            try:
                _filesystems[key] = cls(**_options(protocol))
            except Exception as exc:  # noqa: BLE001 - a protocol package's own setup error
                raise HeatscopeError(f"cannot set up {protocol}:// ({type(exc).__name__})", url) from None
        fs = _filesystems[key]
    return fs, fs._strip_protocol(url) if protocol not in ("http", "https") else url


def remote_error(exc: BaseException, url: str) -> HeatscopeError:
    """One line for a failed remote request (never a credential: only the error's kind and
    first line)."""
    if isinstance(exc, HeatscopeError):
        return exc
    cause = exc.__cause__ or exc.__context__
    if isinstance(exc, FileNotFoundError) and cause is not None and _unreachable(cause):
        exc = cause  # fsspec's HTTP reports a refused connection as a missing file
    if isinstance(exc, FileNotFoundError):
        return HeatscopeError("no such file or directory", url)
    if _unreachable(exc) and not _timed_out(exc):
        return HeatscopeError(f"cannot connect ({type(exc).__name__})", url)
    if isinstance(exc, PermissionError):
        return HeatscopeError("permission denied", url)
    name = type(exc).__name__
    text = str(exc).splitlines()[0][:160] if str(exc) else ""
    if _timed_out(exc):
        return HeatscopeError(f"the server did not answer within {timeout():g} s", url)
    return HeatscopeError(f"cannot read ({name}{': ' + text if text else ''})", url)


def _timed_out(exc: BaseException) -> bool:
    return isinstance(exc, TimeoutError) or "timeout" in type(exc).__name__.lower() or \
        "timeout" in str(exc).lower()[:200]


def _unreachable(exc: BaseException) -> bool:
    """A refused, reset or unresolvable connection (or a timeout), whichever package says so."""
    return isinstance(exc, (ConnectionError, TimeoutError)) or any(
        word in type(exc).__name__ for word in ("Connect", "Timeout", "ServerDisconnected"))


class RemotePath:
    """A file or directory behind a URL, with the ``Path`` methods heatscope uses."""

    def __init__(self, url: str, info: dict | None = None) -> None:
        self.directory_url = url.endswith("/")  # http(s) has no directories but a trailing slash
        self.url = url.rstrip("/") if not url.endswith("://") else url
        match = URL.match(self.url)
        self.protocol = match.group(1).lower()
        rest = self.url[match.end():]
        self.rest = rest
        head, _, tail = rest.partition("/")
        self.parts = (f"{self.protocol}://{head}", *[p for p in tail.split("/") if p])
        self.name = self.parts[-1] if len(self.parts) > 1 else head
        self._info = info
        self._info_time = time.monotonic() if info is not None else 0.0

    def __str__(self) -> str:
        return self.url

    def __repr__(self) -> str:
        return f"RemotePath({self.url!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, RemotePath) and other.url == self.url

    def __hash__(self) -> int:
        return hash(self.url)

    @property
    def suffix(self) -> str:
        return posixpath.splitext(self.name)[1]

    @property
    def stem(self) -> str:
        return posixpath.splitext(self.name)[0]

    def _fs(self):
        return filesystem(self.url)

    def info(self, max_age: float | None = None) -> dict:
        """The server's description (cached; asked again when older than ``max_age`` s)."""
        stale = max_age is not None and time.monotonic() - self._info_time > max_age
        if self._info is None or stale:
            fs, path = self._fs()
            try:
                if stale:
                    fs.invalidate_cache(path)
                self._info = fs.info(path)
                self._info_time = time.monotonic()
            except Exception as exc:  # noqa: BLE001 - every protocol raises its own types
                raise remote_error(exc, self.url) from None
        return self._info

    def stat(self):
        """Size and modified time (ns; 0 when the server does not say), at most 2 s old."""
        info = self.info(max_age=2.0)
        mtime = info.get("mtime") or info.get("LastModified") or info.get("last_modified") or info.get("updated")
        if hasattr(mtime, "timestamp"):
            mtime = mtime.timestamp()
        try:
            ns = int(float(mtime) * 1e9) if mtime is not None else 0
        except (TypeError, ValueError):
            ns = 0
        return SimpleNamespace(st_size=int(info.get("size") or 0), st_mtime_ns=ns, st_mtime=ns / 1e9)

    def is_dir(self) -> bool:
        if self.directory_url and self.protocol in ("http", "https"):
            return True
        try:
            return self.info().get("type") == "directory"
        except HeatscopeError:
            return False

    def files(self) -> list[RemotePath]:
        """HDF5-named files below this directory or prefix, sorted."""
        fs, path = self._fs()
        if self.directory_url:
            path += "/"
        try:
            found = fs.find(path, detail=True)
        except Exception as exc:  # noqa: BLE001
            raise remote_error(exc, self.url) from None
        out = []
        for item, info in sorted(found.items()):
            if item.lower().endswith(SUFFIXES) and not posixpath.basename(item).startswith("."):
                url = item if is_url(item) else f"{self.protocol}://{item.lstrip('/')}"
                out.append(RemotePath(url, info if info.get("size") is not None else None))
        return out

    def open(self):
        """A read-only, block-cached file object."""
        fs, path = self._fs()
        try:
            return fs.open(path, "rb", block_size=BLOCK, cache_type="blockcache",
                           cache_options={"maxblocks": MAX_BLOCKS})
        except Exception as exc:  # noqa: BLE001
            raise remote_error(exc, self.url) from None

    def open_file(self):
        """The file as an ``h5py.File`` over the block-cached file object (only ever read)."""
        import h5py

        from heatscope.sources.signature import HDF5_ERRORS, describe_open_error, read_signature_offsets

        try:
            fobj = self.open()
            if not read_signature_offsets(fobj, self.info().get("size") or 0):
                fobj.close()
                raise HeatscopeError("not an HDF5 file (no HDF5 signature)", self.url)
            return h5py.File(fobj, "r")
        except HeatscopeError:
            raise
        except HDF5_ERRORS as exc:
            if isinstance(exc, OSError) and not str(exc).startswith("Unable to"):
                raise remote_error(exc, self.url) from None
            raise HeatscopeError(describe_open_error(exc), self.url) from None
        except Exception as exc:  # noqa: BLE001 - network errors of every protocol package
            raise remote_error(exc, self.url) from None
