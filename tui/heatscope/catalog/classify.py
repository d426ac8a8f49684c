"""Deciding whether a dataset can be drawn as a heatmap, and saying why not."""

from __future__ import annotations

import h5py
import numpy as np
from h5py import h5z

from heatscope.catalog.attributes import Attributes
from heatscope.catalog.axes import NETCDF_PHONY_SCALE
from heatscope.sources.backends import is_hsds
from heatscope.text import attr_text, format_number, safe_text


def describe_dtype(dt: np.dtype) -> str:
    """A short human name for an HDF5 dataset's dtype."""
    if h5py.check_string_dtype(dt) is not None:
        return "string"
    if h5py.check_vlen_dtype(dt) is not None:
        return "vlen"
    if h5py.check_ref_dtype(dt) is not None:
        return "reference"
    if h5py.check_enum_dtype(dt) is not None:
        return f"enum({dt.base})"
    if dt.names:
        return "compound{" + ",".join(dt.names) + "}"
    if dt.subdtype is not None:
        return f"array{dt.subdtype[1]}({dt.subdtype[0]})"
    if dt.kind == "V":
        return "opaque"
    return dt.name if dt.kind in "biufc" else str(dt)


def dtype_reason(dt: np.dtype) -> str | None:
    """Why values of this dtype cannot be a heatmap, or ``None`` when they can."""
    if h5py.check_string_dtype(dt) is not None or dt.kind in "SU":
        return "strings"
    if h5py.check_ref_dtype(dt) is not None:
        return "object references"
    if h5py.check_vlen_dtype(dt) is not None:
        return "variable-length sequences"
    if h5py.check_enum_dtype(dt) is not None:
        return "enum values"
    if dt.names:
        return "compound records"
    if dt.subdtype is not None:
        return "array-typed elements"
    if dt.kind == "c":
        return "complex numbers"
    if dt.kind in "biuf":
        return None
    return f"unsupported element type ({describe_dtype(dt)})"


def _filter_available(code: int) -> bool:
    if h5z.filter_avail(code):
        return True
    try:  # hdf5plugin registers Blosc, LZ4, Zstd, Bitshuffle... on import
        import hdf5plugin  # noqa: F401
    except ImportError:
        return False
    return bool(h5z.filter_avail(code))


def missing_filter(dset: h5py.Dataset) -> str | None:
    """Name of a required compression filter that is not available, if any (never for
    HSDS, whose server decodes chunks)."""
    if is_hsds(dset):
        return None
    try:
        plist = dset.id.get_create_plist()
        count = plist.get_nfilters()
    except (OSError, RuntimeError, ValueError):
        return None
    for i in range(count):
        # "Optional" filters (h5py marks plugin filters so) still decode every chunk they
        # were applied to, so any unavailable filter blocks reading.
        code, _flags, _values, name = plist.get_filter(i)
        if not _filter_available(code):
            label = name.decode("utf-8", "replace") if isinstance(name, bytes) else str(name)
            label = label.split(";")[0].strip() or "unnamed"
            return f"{label} (filter id {code})"
    return None


def scalar_preview(dset: h5py.Dataset) -> str:
    """The value of a small scalar dataset as text, for listings."""
    try:
        value = dset[()]
    except (OSError, TypeError, ValueError):
        return "unreadable"
    if isinstance(value, (bytes, np.bytes_)):
        value = value.decode("utf-8", "replace")
    text = format_number(value) if np.isscalar(value) else safe_text(str(value))
    return text if len(text) <= 40 else text[:39] + "…"


def _is_phony_netcdf_dimension(attrs: Attributes) -> bool:
    name = attr_text(attrs.get("NAME"))
    return name is not None and name.startswith(NETCDF_PHONY_SCALE)


def viewability(dset: h5py.Dataset, attrs: Attributes | None = None) -> str | None:
    """``None`` when ``dset`` can be drawn as a heatmap, else the reason it cannot."""
    if dset.shape is None:
        return "empty (null dataspace)"
    if _is_phony_netcdf_dimension(attrs or Attributes(dset)):
        return "netCDF dimension without coordinate values"
    reason = dtype_reason(dset.dtype)
    if reason is not None:
        return reason
    if dset.ndim == 0:
        return f"scalar = {scalar_preview(dset)}"
    if dset.size == 0:
        return "empty (a dimension has length 0)"
    filt = missing_filter(dset)
    if filt is not None:
        return f"compressed with {filt}, which is not available"
    return None
