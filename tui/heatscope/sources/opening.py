"""Opening HDF5 files safely: read-only, never locking a writer out, SWMR-aware.

The viewer must never change a byte or the mtime of an input file, and a training process
must still be able to open the file for appending while heatscope has it open. So files are
opened with mode ``"r"`` and ``locking=False``; when a SWMR writer holds the file, the open is
retried in SWMR read mode.
"""

from __future__ import annotations

import os
from pathlib import Path

import h5py

from heatscope.errors import HeatscopeError
from heatscope.sources.backends import is_remote
from heatscope.sources.signature import (
    HDF5_ERRORS,
    NotRegularFile,
    describe_open_error,
    has_hdf5_signature,
)


def open_hdf5(path: str | os.PathLike[str]) -> h5py.File:
    """Open ``path`` read-only without taking the HDF5 file lock.

    Raises ``HeatscopeError`` with a one-line reason for a missing path, a directory, a
    FIFO or device, an unreadable or non-HDF5 file, or a truncated/damaged one. A file
    that plain read-only open calls truncated is damaged: it is never reopened in SWMR
    mode, which would read its missing chunks as zeros.
    """
    if is_remote(path):  # a RemotePath (fsspec) or HsdsPath (h5pyd)
        return path.open_file()
    where = str(path)
    p = Path(path)
    if not p.exists():
        raise HeatscopeError("no such file", where)
    if p.is_dir():
        raise HeatscopeError("is a directory, not an HDF5 file", where)
    try:
        if not has_hdf5_signature(p):
            raise HeatscopeError("not an HDF5 file (no HDF5 signature)", where)
    except PermissionError:
        raise HeatscopeError("permission denied", where) from None
    except IsADirectoryError:
        raise HeatscopeError("is a directory, not an HDF5 file", where) from None
    except NotRegularFile as exc:
        raise HeatscopeError(str(exc), where) from None
    except OSError as exc:
        raise HeatscopeError(f"cannot read ({exc.strerror or exc})", where) from None
    try:
        return h5py.File(p, "r", locking=False)
    except HDF5_ERRORS as exc:
        first = exc
    if "truncated" not in str(first).lower():
        # A SWMR writer marks the file as open for writing; a SWMR reader may still open it.
        try:
            return h5py.File(p, "r", locking=False, swmr=True, libver="latest")
        except HDF5_ERRORS:
            pass
    raise HeatscopeError(describe_open_error(first), where)


def find_hdf5_files(directory: str | os.PathLike[str]) -> list[Path]:
    """Every file below ``directory`` (recursively, sorted) that carries the HDF5 signature."""
    found: list[Path] = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            candidate = Path(root) / name
            try:  # is_file() is False for FIFOs, sockets and devices: never opened
                if candidate.is_file() and has_hdf5_signature(candidate):
                    found.append(candidate)
            except OSError:
                continue
    return found


def resolve_inputs(paths: list[str]) -> list[Path]:
    """Expand the user's paths (files or directories) into HDF5 file paths.

    A directory with no HDF5 file in it is an error, as is a path that does not exist. URLs
    become ``RemotePath`` objects (a prefix: the HDF5-named files below it).
    """
    result: list[Path] = []
    for raw in paths:
        if not isinstance(raw, Path):
            from heatscope.sources.remote import is_url

            if is_url(raw):
                remote = remote_path(str(raw))
                if remote.is_dir():
                    files = remote.files()
                    if not files:
                        raise HeatscopeError("directory contains no HDF5 files (.h5, .hdf5, .nc, ...)", raw)
                    result.extend(files)
                else:
                    remote.info()  # the server's answer: missing, unreachable, not allowed...
                    result.append(remote)
                continue
        p = Path(raw)
        if not p.exists():
            raise HeatscopeError("no such file or directory", raw)
        if p.is_dir():
            files = find_hdf5_files(p)
            if not files:
                raise HeatscopeError("directory contains no HDF5 files", raw)
            result.extend(files)
        else:
            result.append(p)
    return result


def remote_path(url: str):
    """The path object for ``url``: HSDS (h5pyd) for ``hdf5://``, fsspec for the rest."""
    from heatscope.sources.remote import URL, RemotePath

    if URL.match(url).group(1).lower() == "hdf5":
        from heatscope.sources.hsds import HsdsPath

        return HsdsPath(url)
    return RemotePath(url)
