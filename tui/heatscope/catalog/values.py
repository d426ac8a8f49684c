"""What a dataset's values mean: kind, CF attributes, default colormap, decoding to floats.

Conventions read (all optional): ``kind`` (``relative_expert_load``, ``expert_token_counts``,
``divergence``, ``signed``, anything else is generic), ``long_name``, ``units``,
``valid_min``/``valid_max``/``valid_range`` (used as color limits), ``_FillValue`` and
``missing_value`` (shown as missing), ``scale_factor``/``add_offset`` (CF packing),
``colormap`` (a colormap name overriding the kind's default) and ``center`` (a value to
center a diverging colormap on).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import h5py
import numpy as np

from heatscope.catalog.attributes import Attributes
from heatscope.text import attr_text, safe_text

RELATIVE_LOAD = "relative_expert_load"
TOKEN_COUNTS = "expert_token_counts"
DIVERGENCE = "divergence"
SIGNED = "signed"
GENERIC = "generic"
KINDS = (RELATIVE_LOAD, TOKEN_COUNTS, DIVERGENCE, SIGNED, GENERIC)
LOAD_KINDS = (RELATIVE_LOAD, TOKEN_COUNTS)

DIVERGING_CMAP = "vik"
DEFAULT_CMAPS = {
    RELATIVE_LOAD: "YlOrRd",
    TOKEN_COUNTS: "YlOrRd",
    DIVERGENCE: "Blues",
    SIGNED: DIVERGING_CMAP,
    GENERIC: "viridis",
}


def _scalar(value: object) -> float | None:
    arr = np.asarray(value)
    if arr.size != 1 or arr.dtype.kind not in "biuf":
        return None
    f = float(arr.reshape(()))
    return None if np.isnan(f) else f


def _scalars(value: object, keep_nan: bool = False) -> tuple[float, ...]:
    arr = np.asarray(value)
    if arr.dtype.kind not in "biuf":
        return ()
    return tuple(float(v) for v in arr.ravel() if keep_nan or not np.isnan(v))


@dataclass(frozen=True)
class ValueInfo:
    """How to read and color one dataset's values."""

    kind: str = GENERIC
    long_name: str | None = None
    units: str | None = None
    valid_min: float | None = None
    valid_max: float | None = None
    missing: tuple[float, ...] = ()
    scale_factor: float | None = None
    add_offset: float | None = None
    colormap: str = DEFAULT_CMAPS[GENERIC]
    center: float | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def is_load(self) -> bool:
        return self.kind in LOAD_KINDS

    def title(self, fallback: str) -> str:
        """Legend title: ``long_name`` (or ``fallback``) plus units in brackets."""
        name = self.long_name or fallback
        return f"{name} [{self.units}]" if self.units else name

    def decode(self, raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Raw stored values -> (float64 values with NaN where missing, missing mask).

        Masked cells of a masked array (a virtual dataset's cells without a source,
        ``sources.vds.read_cells``) are missing too."""
        missing = np.ma.getmaskarray(raw).copy() if np.ma.isMaskedArray(raw) else None
        arr = np.asarray(raw)
        if arr.dtype.kind == "b":
            arr = arr.astype(np.uint8)
        if missing is None:
            missing = np.zeros(arr.shape, dtype=bool)
        for m in self.missing:
            missing |= np.isnan(arr) if np.isnan(m) else arr == m
        values = arr.astype(np.float64)
        with np.errstate(over="ignore", invalid="ignore"):  # packed values can overflow to inf
            if self.scale_factor is not None:
                values *= self.scale_factor
            if self.add_offset is not None:
                values += self.add_offset
        if missing.any():
            values[missing] = np.nan
        return values, missing


def known_colormap(name: str) -> bool:
    """Whether ``name`` is a colormap heatscope can draw (the render layer's catalog)."""
    from heatscope.colors.colormaps import lut
    from heatscope.errors import HeatscopeError

    try:
        lut(name)
    except HeatscopeError:
        return False
    return True


def _safe_attr(attrs: Attributes, name: str) -> str | None:
    text = attr_text(attrs.get(name)) if name in attrs else None
    return safe_text(text) if text is not None else None


def read_value_info(dset: h5py.Dataset, attrs: Attributes | None = None) -> ValueInfo:
    """Read the kind, CF attributes and colormap hints of ``dset``."""
    attrs = attrs or Attributes(dset)
    notes: list[str] = []
    kind = (attr_text(attrs.get("kind")) or GENERIC).strip().lower() if "kind" in attrs else GENERIC
    if kind not in KINDS:
        notes.append(f"unknown kind '{safe_text(kind)}' treated as generic")
        kind = GENERIC
    vmin = _scalar(attrs.get("valid_min")) if "valid_min" in attrs else None
    vmax = _scalar(attrs.get("valid_max")) if "valid_max" in attrs else None
    if "valid_range" in attrs:
        rng = _scalars(attrs.get("valid_range"))
        if len(rng) == 2 and rng[0] < rng[1]:
            vmin, vmax = rng
        else:
            notes.append("ignored malformed valid_range")
    if vmin is not None and vmax is not None and not vmin < vmax:
        notes.append("ignored valid_min >= valid_max")
        vmin = vmax = None
    missing = tuple(
        v
        for key in ("_FillValue", "missing_value")
        if key in attrs
        for v in _scalars(attrs.get(key), keep_nan=True)
    )
    center = _scalar(attrs.get("center")) if "center" in attrs else None
    default_cmap = DIVERGING_CMAP if center is not None else DEFAULT_CMAPS[kind]
    cmap = _safe_attr(attrs, "colormap")
    if cmap is not None and not known_colormap(cmap):
        notes.append(f"unknown colormap '{cmap}' in the file's colormap attribute: using {default_cmap}")
        cmap = None
    cmap = cmap or default_cmap
    if kind == SIGNED and center is None:
        center = 0.0
    long_name = _safe_attr(attrs, "long_name")
    units = _safe_attr(attrs, "units")
    return ValueInfo(
        kind=kind,
        long_name=long_name,
        units=units,
        valid_min=vmin,
        valid_max=vmax,
        missing=missing,
        scale_factor=_scalar(attrs.get("scale_factor")) if "scale_factor" in attrs else None,
        add_offset=_scalar(attrs.get("add_offset")) if "add_offset" in attrs else None,
        colormap=cmap,
        center=center,
        notes=tuple(notes),
    )
