"""Recognizing HDF5 files by their signature, and describing HDF5's open errors in one line.

Shared by local opening, remote paths and the writers; nothing here asks the HDF5 library to
open (and lock) a file.
"""

from __future__ import annotations

import os
import stat

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
# The superblock may sit at 0, 512, 1024, 2048... (a user block precedes it).
_MAX_SIGNATURE_OFFSET = 1 << 30


def read_signature_offsets(fh, size: int) -> bool:
    offset = 0
    while offset + len(HDF5_SIGNATURE) <= size and offset <= _MAX_SIGNATURE_OFFSET:
        fh.seek(offset)
        if fh.read(len(HDF5_SIGNATURE)) == HDF5_SIGNATURE:
            return True
        offset = 512 if offset == 0 else offset * 2
    return False


class NotRegularFile(OSError):
    """The path is a FIFO, socket or device: never opened (reading could block forever)."""


def has_hdf5_signature(path: str | os.PathLike[str]) -> bool:
    """True when the file carries the HDF5 signature at 0 or a power-of-two offset >= 512.

    Reads a few bytes with plain ``open``; unlike ``h5py.is_hdf5`` this never asks the HDF5
    library to open (and lock) the file. The file is opened non-blocking and checked to be
    a regular file before anything is read, so a FIFO named ``run.h5`` cannot hang us
    (raises ``NotRegularFile``).
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(f"not a regular file ({_file_type(st.st_mode)})")
        return read_signature_offsets(fh, st.st_size)


def _file_type(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a directory")):
        if test(mode):
            return name
    return "not a regular file"


# HDF5 reports problems as OSError, RuntimeError (a damaged superblock), ValueError...
HDF5_ERRORS = (OSError, RuntimeError, ValueError, KeyError, TypeError)


def describe_open_error(exc: Exception) -> str:
    text = str(exc)
    lowered = text.lower()
    if "truncated file" in lowered or "eof" in lowered:
        return "damaged HDF5 file: truncated (it ends before its own recorded size; a writer killed mid-write?)"
    if any(word in lowered for word in ("signature", "superblock", "address", "version number")):
        return f"damaged HDF5 file: unreadable superblock ({text.splitlines()[0]})"
    return f"cannot open as HDF5 ({text.splitlines()[0] if text else type(exc).__name__})"
