"""Clearing the "open for writing" flags a killed writer leaves in an HDF5 superblock.

A writer in SWMR mode sets the file-consistency flags of the (version 2 or 3) superblock;
a process killed before closing leaves them set, and HDF5 then refuses to open the file for
writing again ("file is already open for write/SWMR write"), which would stop a training job
from resuming its run. This does what ``h5clear -s`` does: zero the flags and rewrite the
superblock's checksum (Bob Jenkins' lookup3, as HDF5 computes it). Readers were never
affected: SWMR readers open such a file as it is.
"""

from __future__ import annotations

import os
import struct

from heatscope.sources.signature import HDF5_SIGNATURE

MASK = 0xFFFFFFFF


def _rot(x: int, k: int) -> int:
    return ((x << k) | (x >> (32 - k))) & MASK


def _mix(a: int, b: int, c: int) -> tuple[int, int, int]:
    a = (a - c) & MASK; a ^= _rot(c, 4); c = (c + b) & MASK  # noqa: E702 - lookup3's own layout
    b = (b - a) & MASK; b ^= _rot(a, 6); a = (a + c) & MASK  # noqa: E702
    c = (c - b) & MASK; c ^= _rot(b, 8); b = (b + a) & MASK  # noqa: E702
    a = (a - c) & MASK; a ^= _rot(c, 16); c = (c + b) & MASK  # noqa: E702
    b = (b - a) & MASK; b ^= _rot(a, 19); a = (a + c) & MASK  # noqa: E702
    c = (c - b) & MASK; c ^= _rot(b, 4); b = (b + a) & MASK  # noqa: E702
    return a, b, c


def _final(a: int, b: int, c: int) -> int:
    c ^= b; c = (c - _rot(b, 14)) & MASK  # noqa: E702
    a ^= c; a = (a - _rot(c, 11)) & MASK  # noqa: E702
    b ^= a; b = (b - _rot(a, 25)) & MASK  # noqa: E702
    c ^= b; c = (c - _rot(b, 16)) & MASK  # noqa: E702
    a ^= c; a = (a - _rot(c, 4)) & MASK  # noqa: E702
    b ^= a; b = (b - _rot(a, 14)) & MASK  # noqa: E702
    c ^= b; c = (c - _rot(b, 24)) & MASK  # noqa: E702
    return c


def lookup3(data: bytes, initval: int = 0) -> int:
    """HDF5's metadata checksum (``H5_checksum_lookup3``): lookup3's hashlittle."""
    a = b = c = (0xDEADBEEF + len(data) + initval) & MASK
    length, k = len(data), 0
    while length > 12:
        a = (a + int.from_bytes(data[k:k + 4], "little")) & MASK
        b = (b + int.from_bytes(data[k + 4:k + 8], "little")) & MASK
        c = (c + int.from_bytes(data[k + 8:k + 12], "little")) & MASK
        a, b, c = _mix(a, b, c)
        length -= 12
        k += 12
    if length == 0:
        return c
    tail = data[k:] + bytes(12 - length)
    a = (a + int.from_bytes(tail[0:4], "little")) & MASK
    b = (b + int.from_bytes(tail[4:8], "little")) & MASK
    c = (c + int.from_bytes(tail[8:12], "little")) & MASK
    return _final(a, b, c)


def clear_write_flags(path: str | os.PathLike[str]) -> bool:
    """Zero the file-consistency flags of ``path``'s superblock (version 2 or 3, at offset
    0) when they are set and the checksum is right. True when something was cleared."""
    with open(path, "r+b") as fh:
        head = fh.read(12)
        if len(head) < 12 or head[:8] != HDF5_SIGNATURE or head[8] not in (2, 3) or head[11] == 0:
            return False
        offsets = head[9]
        size = 12 + 4 * offsets
        block = head + fh.read(size - 12)
        (stored,) = struct.unpack("<I", fh.read(4))
        if len(block) != size or lookup3(block) != stored:
            return False  # not a superblock this understands: leave it to HDF5's own error
        cleared = block[:11] + b"\x00" + block[12:]
        fh.seek(0)
        fh.write(cleared + struct.pack("<I", lookup3(cleared)))
        fh.flush()
        os.fsync(fh.fileno())
    return True
