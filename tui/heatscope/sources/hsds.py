"""Runs on HSDS, the HDF Group's HDF5 service, through h5pyd (``pip install h5pyd``).

``hdf5://home/user/run.h5`` names the domain ``/home/user/run.h5`` (a trailing slash: a
folder, whose domains are runs) on the endpoint ``HS_ENDPOINT`` (or ``--hsds ENDPOINT``;
user and password from ``HS_USERNAME``/``HS_PASSWORD`` or ``~/.hscfg``, as h5pyd reads
them). h5pyd is h5py-compatible where heatscope reads: groups, datasets, attributes, slices
and dimension scales (through ``dims``). What differs: HSDS has no SWMR (following a run
reopens it when the domain's modified time changes), no file lock to avoid, no chunk
index to ask which chunks exist (a sparse dataset is read in full by scans), and the
server applies the compression filters (none can be missing here).
"""

from __future__ import annotations

import time

from heatscope.errors import HeatscopeError
from heatscope.sources.remote import RemotePath, remote_error, timeout


def _h5pyd():
    try:
        import h5pyd
    except ImportError:
        raise HeatscopeError("hdf5:// paths need h5pyd: pip install 'heatscope[hsds]'") from None
    return h5pyd


class HsdsPath(RemotePath):
    """A domain or folder of an HSDS server."""

    @property
    def domain(self) -> str:
        return "/" + self.rest.strip("/")

    def _fs(self):  # no fsspec here
        raise HeatscopeError("not an fsspec URL", self.url)

    def info(self, max_age: float | None = None) -> dict:
        stale = max_age is not None and time.monotonic() - self._info_time > max_age
        if self._info is None or stale:
            h5pyd = _h5pyd()
            try:
                if self.directory_url:
                    h5pyd.Folder(self.domain + "/", retries=1)
                    self._info = {"type": "directory", "size": 0}
                else:
                    with h5pyd.File(self.domain, "r", retries=1, timeout=timeout()) as f:
                        self._info = {"type": "file", "size": int(f.total_size or 0), "mtime": f.modified}
            except Exception as exc:  # noqa: BLE001 - requests' and h5pyd's own errors
                raise _error(exc, self.url) from None
            self._info_time = time.monotonic()
        return self._info

    def is_dir(self) -> bool:
        return self.directory_url

    def files(self) -> list[RemotePath]:
        """The domains in this folder and its subfolders, sorted."""
        h5pyd = _h5pyd()
        found: list[HsdsPath] = []

        def walk(folder_path: str, depth: int) -> None:
            folder = h5pyd.Folder(folder_path, retries=1)
            for name in sorted(folder):
                entry = folder[name]
                if entry.get("class") == "folder" and depth < 16:
                    walk(f"{folder_path}{name}/", depth + 1)
                elif entry.get("class") == "domain":
                    found.append(HsdsPath(f"hdf5:/{folder_path}{name}",
                                          {"type": "file", "size": 0, "mtime": entry.get("lastModified")}))

        try:
            walk(self.domain.rstrip("/") + "/", 0)
        except Exception as exc:  # noqa: BLE001
            raise _error(exc, self.url) from None
        return found

    def open_file(self):
        """The domain as an h5pyd File, read-only."""
        h5pyd = _h5pyd()
        try:
            return h5pyd.File(self.domain, "r", retries=1, timeout=timeout())
        except Exception as exc:  # noqa: BLE001
            raise _error(exc, self.url) from None


def _error(exc: BaseException, url: str) -> HeatscopeError:
    text = str(exc)
    if "404" in text or "Not Found" in text:
        return HeatscopeError("no such domain or folder", url)
    if "401" in text or "403" in text:
        return HeatscopeError("not allowed (HS_USERNAME / HS_PASSWORD?)", url)
    if "Connection" in type(exc).__name__ or "Connection" in text or "Max retries" in text:
        return HeatscopeError("cannot reach the HSDS endpoint (HS_ENDPOINT or --hsds)", url)
    return remote_error(exc, url)
