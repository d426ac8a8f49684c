"""Reading ``.safetensors`` (an 8-byte little-endian header length, a JSON header naming
each tensor's dtype, shape and byte range, then the raw bytes) into numpy without any
framework. bfloat16 is widened to float32; other dtypes (8-bit floats) are refused."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np

from heatscope.errors import HeatscopeError

MAX_HEADER = 100 << 20
_PLAIN = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I16": "<i2", "I8": "i1",
          "U64": "<u8", "U32": "<u4", "U16": "<u2", "U8": "u1", "BOOL": "?"}


def _bfloat16(raw: np.ndarray) -> np.ndarray:
    return (raw.view("<u2").astype(np.uint32) << 16).view(np.float32)


def read_safetensors(path: Path) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Every tensor of ``path`` (memory-mapped where the dtype allows) and the header's
    ``__metadata__``."""
    size = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(8)
        if len(head) < 8:
            raise HeatscopeError("not a safetensors file: shorter than its header", str(path))
        (length,) = struct.unpack("<Q", head)
        if length > min(MAX_HEADER, size - 8):
            raise HeatscopeError(f"not a safetensors file: header of {length} bytes", str(path))
        try:
            header = json.loads(fh.read(length).decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise HeatscopeError("not a safetensors file: the header is not JSON", str(path)) from None
    if not isinstance(header, dict):
        raise HeatscopeError("not a safetensors file: the header is not a JSON object", str(path))
    metadata = header.pop("__metadata__", None) or {}
    base = 8 + length
    tensors: dict[str, np.ndarray] = {}
    for name, entry in header.items():
        try:
            dtype, shape, (begin, end) = entry["dtype"], [int(n) for n in entry["shape"]], entry["data_offsets"]
        except (TypeError, KeyError, ValueError):
            raise HeatscopeError("malformed tensor entry", f"{path}: {name}") from None
        count = int(np.prod(shape)) if shape else 1
        width = 2 if dtype == "BF16" else np.dtype(_PLAIN[dtype]).itemsize if dtype in _PLAIN else None
        if width is None:
            raise HeatscopeError(f"dtype {str(dtype)[:20]} is not supported", f"{path}: {name}")
        if not (0 <= begin <= end <= size - base) or end - begin != count * width:
            raise HeatscopeError(f"byte range {begin}..{end} does not hold {shape} {dtype}", f"{path}: {name}")
        if dtype in _PLAIN:
            array = np.memmap(path, dtype=_PLAIN[dtype], mode="r", offset=base + begin, shape=(count,)) \
                if count else np.zeros(0, _PLAIN[dtype])
        else:
            array = _bfloat16(np.fromfile(path, dtype="<u2", count=count, offset=base + begin))
        tensors[str(name)] = array.reshape(shape)
    return tensors, {str(k): str(v) for k, v in metadata.items()} if isinstance(metadata, dict) else {}

