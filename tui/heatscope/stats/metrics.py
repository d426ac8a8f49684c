"""Statistics of every distribution along the last axis of an array, vectorized.

The one implementation behind the stats panel's balance metrics and the metric views
(``reduce``): for load kinds MaxVio = max/mean - 1 (Wang et al. 2024, Eq. 4), CV std/mean,
normalized entropy H(p)/log N, Gini sum_ij |x_i - x_j| / (2 N^2 mean), dead experts
(load below ``DEAD_THRESHOLD`` of the mean), the max and the hottest expert; for every kind
mean, min, max, std, sum and percentiles. Non-finite entries are left out; a distribution
with nothing finite (or, for balance metrics, no positive mean) gives NaN.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

DEAD_THRESHOLD = 0.1


def _finite(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return np.where(np.isfinite(x), x, np.nan)


def _count(x: np.ndarray) -> np.ndarray:
    return np.count_nonzero(~np.isnan(x), axis=-1)


def _mean(x: np.ndarray) -> np.ndarray:
    n = _count(x)
    with np.errstate(all="ignore"):
        return np.where(n > 0, np.nansum(x, axis=-1) / np.maximum(n, 1), np.nan)


def _balanced(values: np.ndarray, x: np.ndarray) -> np.ndarray:
    """NaN where a distribution has no positive mean (balance is undefined there)."""
    with np.errstate(all="ignore"):
        return np.where(_mean(x) > 0, values, np.nan)


def _max(x: np.ndarray) -> np.ndarray:
    filled = np.where(np.isnan(x), -np.inf, x)
    return np.where(_count(x) > 0, filled.max(axis=-1, initial=-np.inf), np.nan)


def _min(x: np.ndarray) -> np.ndarray:
    filled = np.where(np.isnan(x), np.inf, x)
    return np.where(_count(x) > 0, filled.min(axis=-1, initial=np.inf), np.nan)


def _std(x: np.ndarray) -> np.ndarray:
    n = _count(x)
    with np.errstate(all="ignore"):
        dev = np.where(np.isnan(x), 0.0, x - _mean(x)[..., None])
        return np.where(n > 0, np.sqrt((dev * dev).sum(axis=-1) / np.maximum(n, 1)), np.nan)


def max_vio(x: np.ndarray) -> np.ndarray:
    x = _finite(x)
    with np.errstate(all="ignore"):
        return _balanced(_max(x) / _mean(x) - 1.0, x)


def cv(x: np.ndarray) -> np.ndarray:
    x = _finite(x)
    with np.errstate(all="ignore"):
        return _balanced(_std(x) / _mean(x), x)


def entropy(x: np.ndarray) -> np.ndarray:
    """H(p)/log N with p = x / sum (0 log 0 = 0); NaN for N < 2, a negative or no total."""
    x = _finite(x)
    n = _count(x)
    with np.errstate(all="ignore"):
        total = np.nansum(x, axis=-1)
        p = np.where(x > 0, x / total[..., None], np.nan)
        h = -np.nansum(p * np.log(p), axis=-1) / np.log(np.maximum(n, 2))
    negative = (np.where(np.isnan(x), 0.0, x) < 0).any(axis=-1)
    return _balanced(np.where((n >= 2) & (total > 0) & ~negative, h, np.nan), x)


def gini(x: np.ndarray) -> np.ndarray:
    """Gini coefficient of non-negative values (0 = perfectly even); NaN with negatives."""
    x = _finite(x)
    n = _count(x)
    ordered = np.sort(x, axis=-1)  # NaN last
    ranks = np.arange(1, x.shape[-1] + 1)
    with np.errstate(all="ignore"):
        filled = np.nan_to_num(ordered, nan=0.0)
        total = filled.sum(axis=-1)
        g = 2.0 * (filled * ranks).sum(axis=-1) / (n * total) - (n + 1) / n
    negative = (np.nan_to_num(x, nan=0.0) < 0).any(axis=-1)
    return _balanced(np.where((total > 0) & ~negative & (n > 0), g, np.nan), x)


def dead(x: np.ndarray, threshold: float = DEAD_THRESHOLD) -> np.ndarray:
    """How many entries sit below ``threshold`` of the mean (relative load below it)."""
    x = _finite(x)
    with np.errstate(all="ignore"):
        rel = x / _mean(x)[..., None]
        count = np.count_nonzero(rel < threshold, axis=-1).astype(np.float64)
    return np.where(_mean(x) > 0, count, 0.0)


def hot(x: np.ndarray) -> np.ndarray:
    """The index of the largest entry (-1 where nothing is finite)."""
    x = _finite(x)
    return np.where(_count(x) > 0, np.argmax(np.where(np.isnan(x), -np.inf, x), axis=-1), -1)


def _percentile(q: float) -> Callable[[np.ndarray], np.ndarray]:
    def fn(x: np.ndarray) -> np.ndarray:
        x = _finite(x)
        out = np.full(x.shape[:-1], np.nan)
        has = _count(x) > 0
        if has.any():
            out[has] = np.nanpercentile(x[has], q, axis=-1)
        return out
    return fn


def _sum(x: np.ndarray) -> np.ndarray:
    x = _finite(x)
    with np.errstate(all="ignore"):
        return np.where(_count(x) > 0, np.nansum(x, axis=-1), np.nan)


# name -> (function along the last axis, title, load kinds only)
STATISTICS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], str, bool]] = {
    "maxvio": (max_vio, "MaxVio", True),
    "cv": (cv, "CV", True),
    "entropy": (entropy, "Entropy", True),
    "gini": (gini, "Gini", True),
    "dead": (dead, "Dead experts", True),
    "hot": (_max, "Hottest expert", True),  # colored by its load; the label comes from ``hot``
    "max": (_max, "Max", False),
    "mean": (lambda x: _mean(_finite(x)), "Mean", False),
    "min": (lambda x: _min(_finite(x)), "Min", False),
    "std": (lambda x: _std(_finite(x)), "Std", False),
    "sum": (_sum, "Sum", False),
    "p50": (_percentile(50), "Median", False),
    "p90": (_percentile(90), "p90", False),
    "p99": (_percentile(99), "p99", False),
}
LOAD_ONLY = tuple(name for name, (_, _, load) in STATISTICS.items() if load)


def statistics_for(is_load: bool) -> tuple[str, ...]:
    """The statistics that apply to a dataset (balance metrics only for load kinds)."""
    return tuple(name for name, (_, _, load) in STATISTICS.items() if is_load or not load)


def _fast_balance(ratio):
    def fn(x: np.ndarray) -> np.ndarray:
        mean = x.mean(axis=-1)
        with np.errstate(all="ignore"):
            return np.where(mean > 0, ratio(x, mean), np.nan)
    return fn


def _fast_entropy(x: np.ndarray, mean: np.ndarray) -> np.ndarray:
    n = x.shape[-1]
    total = x.sum(axis=-1)
    p = x / total[..., None]
    h = -np.where(x > 0, p * np.log(np.where(x > 0, p, 1.0)), 0.0).sum(axis=-1) / np.log(max(n, 2))
    return np.where((n >= 2) & (total > 0) & ~(x < 0).any(axis=-1), h, np.nan)


def _fast_gini(x: np.ndarray, mean: np.ndarray) -> np.ndarray:
    n = x.shape[-1]
    ordered = np.sort(x, axis=-1)
    total = ordered.sum(axis=-1)
    g = 2.0 * (ordered * np.arange(1, n + 1)).sum(axis=-1) / (n * total) - (n + 1) / n
    return np.where((total > 0) & ~(x < 0).any(axis=-1), g, np.nan)


def _fast_dead(x: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=-1)
    with np.errstate(all="ignore"):
        count = np.count_nonzero(x / mean[..., None] < DEAD_THRESHOLD, axis=-1).astype(np.float64)
    return np.where(mean > 0, count, 0.0)


# The same statistics for blocks with no NaN or Inf (the common case), several times faster.
FAST: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "maxvio": _fast_balance(lambda x, mean: x.max(axis=-1) / mean - 1.0),
    "cv": _fast_balance(lambda x, mean: x.std(axis=-1) / mean),
    "entropy": _fast_balance(_fast_entropy),
    "gini": _fast_balance(_fast_gini),
    "dead": _fast_dead,
    "max": lambda x: x.max(axis=-1),
    "hot": lambda x: x.max(axis=-1),
    "min": lambda x: x.min(axis=-1),
    "mean": lambda x: x.mean(axis=-1),
    "std": lambda x: x.std(axis=-1),
    "sum": lambda x: x.sum(axis=-1),
}


def along(name: str, values: np.ndarray, axis: int = -1) -> np.ndarray:
    """Statistic ``name`` of every distribution along ``axis``."""
    x = np.moveaxis(np.asarray(values, dtype=np.float64), axis, -1)
    if name in FAST and x.shape[-1] and np.isfinite(x).all():
        with np.errstate(over="ignore", invalid="ignore"):
            return FAST[name](x)
    return STATISTICS[name][0](x)
