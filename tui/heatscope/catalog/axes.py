"""Named axes and tick labels for a dataset.

Preference order for an axis name: the HDF5 dimension label, the NAME of an attached
dimension scale (h5netcdf's phony "not a netCDF variable" scales name the dimension after
the scale dataset and carry no labels), a ``dims`` attribute, then ``axis0..axisN``.
Tick labels come from the attached scale's values, else a ``<axis>_labels`` attribute,
else 0-based indices. Names and labels are made display-safe here (``safe_text``), so
everything downstream (titles, prompts, exports, go to) sees them as shown.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

import h5py
import numpy as np

from heatscope.catalog.attributes import Attributes
from heatscope.sources.backends import is_hsds
from heatscope.text import attr_strings, attr_text, decode, format_number, safe_text

NETCDF_PHONY_SCALE = "This is a netCDF dimension but not a netCDF variable"
MAX_LABELS = 1_000_000  # longer scales keep index labels rather than reading megabytes


@dataclass(frozen=True)
class Axis:
    """One dimension of a dataset: its name, length, and tick labels (``None`` = indices)."""

    name: str
    size: int
    labels: tuple[str, ...] | None = None
    numeric: bool = True  # labels are numbers (titles read "Layer 9", not just "9")

    def label(self, index: int) -> str:
        """The tick label at ``index``."""
        if self.labels is not None and 0 <= index < len(self.labels):
            return self.labels[index]
        return str(index)

    def span(self, first: int, count: int) -> str:
        """The label of indices ``first .. first+count-1`` (clipped): ``7..13``, or one label."""
        last = min(self.size, first + count) - 1
        return self.label(first) if last <= first else f"{self.label(first)}..{self.label(last)}"

    def find(self, text: str) -> int | None:
        """Index of a label (exact, then case-insensitive), or ``#N``/``N`` as a 0-based index."""
        wanted = text.strip()
        if wanted.startswith("#") and wanted[1:].lstrip("-").isdigit():
            return _clamp_index(int(wanted[1:]), self.size)
        if self.labels is not None:
            for i, lab in enumerate(self.labels):
                if lab == wanted:
                    return i
            lowered = wanted.casefold()
            for i, lab in enumerate(self.labels):
                if lab.casefold() == lowered:
                    return i
        if wanted.lstrip("-").isdigit():
            return _clamp_index(int(wanted), self.size)
        return None

    def resized(self, size: int) -> Axis:
        """The same axis with a new length (labels dropped if they no longer fit)."""
        labels = self.labels if self.labels is not None and len(self.labels) == size else None
        return Axis(self.name, size, labels, self.numeric if labels else True)


def _clamp_index(index: int, size: int) -> int | None:
    if index < 0:
        index += size
    return index if 0 <= index < size else None


def _scale_name(scale: h5py.Dataset) -> tuple[str, bool]:
    """(name, phony) for an attached dimension scale."""
    raw = attr_text(Attributes(scale).get("NAME"))
    basename = posixpath.basename(scale.name or "") or "scale"
    if raw is None or raw.strip() == "":
        return basename, False
    if raw.startswith(NETCDF_PHONY_SCALE):
        return basename, True
    return raw, False


def labels_from_values(values: np.ndarray) -> tuple[tuple[str, ...], bool] | None:
    """Tick labels (and whether they are numeric) from a 1-D array of scale values."""
    if values.ndim != 1:
        return None
    kind = values.dtype.kind
    if kind in "biuf":
        return tuple(format_number(v) for v in values.tolist()), True
    if kind in "SUO":
        out = []
        for v in values.tolist():
            if not isinstance(v, (str, bytes)):
                return None
            out.append(safe_text(decode(v)))
        return tuple(out), False
    return None


def _scale_labels(scale: h5py.Dataset, size: int) -> tuple[tuple[str, ...], bool] | None:
    if scale.shape != (size,) or size > MAX_LABELS:
        return None
    try:
        values = scale[()]
    except (OSError, TypeError, ValueError):
        return None
    return labels_from_values(np.asarray(values))


def _attr_labels(attrs: Attributes, name: str, size: int) -> tuple[tuple[str, ...], bool] | None:
    for key in (f"{name}_labels", f"labels_{name}"):
        if key in attrs:
            value = np.asarray(attrs.get(key))
            if value.ndim == 1 and value.shape[0] == size:
                return labels_from_values(value)
    return None


def _dimension_attributes(dset: h5py.Dataset, attrs: Attributes, ndim: int) -> tuple[list[str], list]:
    """Dimension labels and first attached scales, read from the DIMENSION_LABELS and
    DIMENSION_LIST attributes directly: faster than the H5DS calls, and a damaged
    attribute reads as absent instead of crashing the HDF5 library."""
    labels = [""] * ndim
    scales: list[h5py.Dataset | None] = [None] * ndim
    raw_labels = attrs.get("DIMENSION_LABELS")
    if raw_labels is not None:
        flat = np.asarray(raw_labels, dtype=object).ravel()
        for i in range(min(ndim, flat.size)):
            text = attr_text(flat[i])
            labels[i] = text.strip() if text else ""
    if is_hsds(dset):  # HSDS: its DIMENSION_LIST holds ids, not references
        return labels, _hsds_scales(dset, ndim)
    raw_list = attrs.get("DIMENSION_LIST")
    if raw_list is not None:
        entries = np.asarray(raw_list, dtype=object).ravel()
        for i in range(min(ndim, entries.size)):
            refs = np.asarray(entries[i], dtype=object).ravel()
            if not refs.size or not isinstance(refs[0], h5py.Reference) or not refs[0]:
                continue
            try:
                target = dset.file[refs[0]]
            except (OSError, KeyError, RuntimeError, ValueError, TypeError):
                continue
            if isinstance(target, h5py.Dataset):
                scales[i] = target
    return labels, scales


def _hsds_scales(dset, ndim: int) -> list:
    """The first scale attached to each dimension of an h5pyd dataset, through ``dims``."""
    scales: list = [None] * ndim
    for i in range(ndim):
        try:
            if len(dset.dims[i]):
                scales[i] = dset.dims[i][0]
        except (OSError, KeyError, RuntimeError, ValueError, TypeError, IndexError):
            continue
    return scales


def discover_axes(dset: h5py.Dataset, attrs: Attributes | None = None) -> tuple[Axis, ...]:
    """Named axes with tick labels for every dimension of ``dset``."""
    attrs = attrs or Attributes(dset)
    shape = dset.shape or ()
    dims_attr = attr_strings(attrs.get("dims")) if "dims" in attrs else None
    dim_labels, dim_scales = _dimension_attributes(dset, attrs, len(shape))
    if dims_attr is not None and len(dims_attr) != len(shape):
        dims_attr = None
    axes: list[Axis] = []
    for i, size in enumerate(shape):
        name: str | None = None
        labelled: tuple[tuple[str, ...], bool] | None = None
        label, scale = dim_labels[i], dim_scales[i]
        if scale is not None:
            scale_name, phony = _scale_name(scale)
            name = label or scale_name
            if not phony:
                labelled = _scale_labels(scale, size)
        elif label:
            name = label
        if name is None and dims_attr is not None:
            name = dims_attr[i]
        if name is None and "CLASS" in attrs and len(shape) == 1:
            name, _ = _scale_name(dset)
        if name is None:
            name = f"axis{i}"
        if labelled is None:
            labelled = _attr_labels(attrs, name, size)
        labels, numeric = labelled if labelled else (None, True)
        axes.append(Axis(name=safe_text(name), size=size, labels=labels, numeric=numeric))
    return tuple(axes)
