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

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
# The superblock may sit at 0, 512, 1024, 2048... (a user block precedes it).
_MAX_SIGNATURE_OFFSET = 1 << 30


def has_hdf5_signature(path: str | os.PathLike[str]) -> bool:
    """True when the file carries the HDF5 signature at 0 or a power-of-two offset >= 512.

    Reads a few bytes with plain ``open``; unlike ``h5py.is_hdf5`` this never asks the HDF5
    library to open (and lock) the file.
    """
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        offset = 0
        while offset + len(HDF5_SIGNATURE) <= size and offset <= _MAX_SIGNATURE_OFFSET:
            fh.seek(offset)
            if fh.read(len(HDF5_SIGNATURE)) == HDF5_SIGNATURE:
                return True
            offset = 512 if offset == 0 else offset * 2
    return False


def _describe_open_error(exc: OSError) -> str:
    text = str(exc)
    lowered = text.lower()
    if "truncated file" in lowered or "eof" in lowered:
        return "truncated or incomplete HDF5 file (it ends before its own recorded size)"
    if "signature" in lowered or "superblock" in lowered:
        return "damaged HDF5 file (unreadable superblock)"
    return f"cannot open as HDF5 ({text.splitlines()[0] if text else type(exc).__name__})"


def open_hdf5(path: str | os.PathLike[str]) -> h5py.File:
    """Open ``path`` read-only without taking the HDF5 file lock.

    Raises ``HeatscopeError`` with a one-line reason for a missing path, a directory, an
    unreadable or non-HDF5 file, or a truncated/damaged one.
    """
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
    try:
        return h5py.File(p, "r", locking=False)
    except OSError as exc:
        first = exc
    # A SWMR writer marks the file as open for writing; a SWMR reader may still open it.
    try:
        return h5py.File(p, "r", locking=False, swmr=True, libver="latest")
    except OSError:
        pass
    raise HeatscopeError(_describe_open_error(first), where)


def find_hdf5_files(directory: str | os.PathLike[str]) -> list[Path]:
    """Every file below ``directory`` (recursively, sorted) that carries the HDF5 signature."""
    found: list[Path] = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            candidate = Path(root) / name
            try:
                if candidate.is_file() and has_hdf5_signature(candidate):
                    found.append(candidate)
            except OSError:
                continue
    return found


def resolve_inputs(paths: list[str]) -> list[Path]:
    """Expand the user's paths (files or directories) into HDF5 file paths.

    A directory with no HDF5 file in it is an error, as is a path that does not exist.
    """
    result: list[Path] = []
    for raw in paths:
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
