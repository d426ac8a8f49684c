"""Color range modes and normalization of values to [0, 1].

Modes: ``file`` (the dataset's valid range), ``global`` (min/max over every slice, from a
background scan), ``slice`` (this slice's min/max), ``percentile`` (2-98 % of this slice),
``log`` (log10 between the smallest positive and the largest value), ``diverging``
(symmetric around a center: the file's ``center`` attribute, else 0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from heatscope.catalog.values import ValueInfo

if TYPE_CHECKING:
    from heatscope.stats.scan import ScanResult

RANGE_MODES = ("file", "global", "slice", "percentile", "log", "diverging")
PERCENTILES = (2.0, 98.0)


@dataclass(frozen=True)
class Norm:
    """The range actually used for colors, and how values map into it."""

    vmin: float
    vmax: float
    mode: str = "slice"
    log: bool = False
    center: float | None = None
    note: str = ""  # e.g. "global range pending: using slice"

    def __post_init__(self) -> None:
        """Every Norm has a finite range with ``vmin < vmax`` (positive for log): a range
        of one value (a constant slice, 2**64-1 everywhere) is widened, never divided by."""
        lo, hi = widen_range(float(self.vmin), float(self.vmax))
        if self.log:
            lo, hi, _ = log_range(lo, hi)
        object.__setattr__(self, "vmin", lo)
        object.__setattr__(self, "vmax", hi)

    def __call__(self, values: np.ndarray) -> np.ndarray:
        """Values -> [0, 1] (clipped); NaN stays NaN; +/-Inf go to the ends."""
        v = np.asarray(values, dtype=np.float64)
        with np.errstate(all="ignore"):  # ranges near the float64 limit overflow to inf
            if self.log:
                lo, hi = math.log10(self.vmin), math.log10(self.vmax)
                out = (np.log10(np.where(v > 0, v, self.vmin)) - lo) / (hi - lo)
            elif math.isfinite(self.vmax - self.vmin):  # > 0, also for subnormal ends
                out = (v - self.vmin) / (self.vmax - self.vmin)
            else:  # halves first (exact in binary): no overflow for a +-1e308 range
                out = (v / 2 - self.vmin / 2) / (self.vmax / 2 - self.vmin / 2)
        out = np.clip(out, 0.0, 1.0)
        out[np.isnan(v)] = np.nan
        return out

    def ticks(self, max_count: int = 6) -> list[float]:
        """Round colorbar tick values inside the range (1, 2, 2.5, 5 x 10^k apart), at most
        ``max_count``; decades (or evenly spaced in log space) for log mode."""
        max_count = max(2, max_count)
        if self.log:
            lo, hi = math.log10(self.vmin), math.log10(self.vmax)
            decades = [10.0 ** k for k in range(math.ceil(lo), math.floor(hi) + 1)]
            if 2 <= len(decades) <= max_count:
                return decades
            with np.errstate(over="ignore"):
                inner = [float(10.0 ** x) for x in np.linspace(lo, hi, max_count)[1:-1]]
            return [self.vmin, *(min(self.vmax, max(self.vmin, t)) for t in inner), self.vmax]
        span = self.vmax - self.vmin
        if not math.isfinite(span):
            return [self.vmin, self.vmax]
        unit = span / max_count
        magnitude = 10.0 ** math.floor(math.log10(unit)) if unit > 0 else 0.0
        if not magnitude > 0:  # a subnormal range: no round step is representable
            return [self.vmin, self.vmax]
        for factor in (1, 2, 2.5, 5, 10, 20, 25, 50):
            step = magnitude * factor
            first, last = math.ceil(self.vmin / step - 1e-6), math.floor(self.vmax / step + 1e-6)  # float32 ends
            if last - first + 1 <= max_count:
                # 12 significant digits (0.30000000000000004 -> 0.3); a range narrower than
                # that (1e19 .. 1e19 + 2048) or subnormal keeps only ticks that fall inside
                ticks = sorted({float(f"{k * step:.12g}") for k in range(first, last + 1)})
                inside = [t for t in ticks if self.vmin - step * 1e-6 <= t <= self.vmax + step * 1e-6]
                return inside or [self.vmin, self.vmax]
        return [self.vmin, self.vmax]

    def position(self, value: float) -> float:
        """Where ``value`` sits on the colorbar, 0..1."""
        return float(self(np.array([value]))[0])


def _finite(values: np.ndarray) -> np.ndarray:
    v = np.asarray(values, dtype=np.float64)
    return v[np.isfinite(v)]


FLOAT_MAX = float(np.finfo(np.float64).max)


def widen_range(lo: float, hi: float) -> tuple[float, float]:
    """A finite range with ``lo < hi`` (0..1 when nothing finite is known): a single value
    is padded by half its magnitude, so the range has a width at any magnitude (int64 and
    uint64 extremes, float16, values equal after float conversion) and never overflows,
    even at the float64 limit. Every range drawn or divided by goes through here (``Norm``)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return 0.0, 1.0
    if hi > lo:
        return lo, hi
    pad = abs(lo) * 0.5 or 0.5  # around lo (also when the ends are reversed)
    new_lo = lo - pad if lo - pad > -FLOAT_MAX else -FLOAT_MAX
    new_hi = lo + pad if lo + pad < FLOAT_MAX else FLOAT_MAX
    if not new_lo < new_hi:  # both clamped to the same end
        new_lo, new_hi = (new_hi / 2, new_hi) if new_hi > 0 else (new_lo, new_lo / 2)
    return new_lo, new_hi


def log_range(lo: float, hi: float) -> tuple[float, float, str]:
    """A range for a log scale: positive, finite, ``lo < hi``."""
    if not hi > 0:
        return 1.0, 10.0, "no positive values for a log scale"
    note = ""
    if not lo > 0:
        lo, note = hi / 1000.0, "log scale needs a positive minimum"
    if not math.log10(lo) < math.log10(hi):  # also two neighbouring floats (1e19, 1e19 + 2048)
        lo = hi / 10.0
    return lo, hi, note


def available_modes(value: ValueInfo) -> tuple[str, ...]:
    """Range modes that make sense for this dataset (``file`` only when it gives one)."""
    has_file = value.valid_min is not None or value.valid_max is not None
    return tuple(m for m in RANGE_MODES if m != "file" or has_file)


def default_mode(value: ValueInfo) -> str:
    """The file's range when it has one; diverging when it names a center; else global."""
    if value.valid_min is not None or value.valid_max is not None:
        return "file"
    if value.center is not None:
        return "diverging"
    return "global"


def compute_norm(
    mode: str,
    values: np.ndarray,
    value: ValueInfo,
    scan: ScanResult | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
) -> Norm:
    """The color range for ``mode`` over this slice (and the global scan, when done).

    Explicit ``vmin``/``vmax`` (from the command line) override either end in every mode.
    """
    finite = _finite(values)
    s_lo = float(finite.min()) if finite.size else math.nan
    s_hi = float(finite.max()) if finite.size else math.nan
    note = ""
    log = False
    center = None
    if mode == "file":
        lo = value.valid_min if value.valid_min is not None else s_lo
        hi = value.valid_max if value.valid_max is not None else s_hi
    elif mode == "global":
        if scan is not None and scan.count:
            lo, hi = scan.min, scan.max
        elif scan is not None:  # scanned: every value is NaN, Inf or missing
            lo, hi, note = s_lo, s_hi, "no finite values in the dataset"
        else:
            lo, hi, note = s_lo, s_hi, "global range pending: slice range shown"
    elif mode == "percentile":
        lo, hi = s_lo, s_hi
        if finite.size:
            with np.errstate(all="ignore"):  # interpolating across a +-1e308 span overflows
                p_lo, p_hi = (float(x) for x in np.percentile(finite, PERCENTILES))
            if math.isfinite(p_lo) and math.isfinite(p_hi):
                lo, hi = p_lo, p_hi
    elif mode == "log":
        positive = finite[finite > 0]
        log = True
        if positive.size:
            lo, hi = float(positive.min()), float(positive.max())
        else:
            lo, hi, note = 1.0, 10.0, "no positive values for a log scale"
    elif mode == "diverging":
        center = value.center if value.center is not None else 0.0
        if value.valid_min is not None and value.valid_max is not None:
            half = max(abs(value.valid_min - center), abs(value.valid_max - center))
        else:
            with np.errstate(over="ignore"):
                half = float(np.abs(finite - center).max()) if finite.size else 1.0
        half = half if 0 < half < FLOAT_MAX else (1.0 if not half else FLOAT_MAX / 2)
        lo, hi = center - half, center + half
    else:
        lo, hi = s_lo, s_hi
        mode = "slice"
    lo = vmin if vmin is not None else lo
    hi = vmax if vmax is not None else hi
    lo, hi = widen_range(lo, hi)
    if log:
        lo, hi, log_note = log_range(lo, hi)
        note = note or log_note
    return Norm(float(lo), float(hi), mode=mode, log=log, center=center, note=note)
