"""Statistics of a slice and of one row, in plain numpy (NaN-aware).

Load metrics treat a row as a distribution over experts (raw counts or relative load;
every metric is scale-invariant) and are computed by ``data.metrics``, the same code the
metric views use: MaxVio, CV, normalized entropy, Gini and dead experts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from heatscope.stats import metrics
from heatscope.stats.metrics import DEAD_THRESHOLD


@dataclass(frozen=True)
class BasicStats:
    """Summary of finite values plus counts of the values left out."""

    count: int  # finite values
    n_nan: int  # NaN not caused by a fill value
    n_inf: int
    n_missing: int  # _FillValue / missing_value cells
    min: float
    max: float
    mean: float
    std: float


@dataclass(frozen=True)
class LoadStats:
    """Balance metrics of one distribution over experts."""

    n_experts: int
    max_vio: float
    cv: float
    entropy: float  # normalized to [0, 1]
    gini: float
    dead: float  # experts below DEAD_THRESHOLD of the mean (a mean over rows when aggregated)


@dataclass(frozen=True)
class HotCell:
    value: float
    row: int
    col: int


def basic_stats(values: np.ndarray, missing: np.ndarray | None = None) -> BasicStats:
    """Count/min/max/mean/std over finite values; NaN, Inf and missing cells counted apart."""
    a = np.asarray(values, dtype=np.float64)
    miss = np.zeros(a.shape, bool) if missing is None else np.asarray(missing, bool)
    finite = np.isfinite(a)
    n_inf = int(np.count_nonzero(np.isinf(a)))
    n_nan = int(np.count_nonzero(np.isnan(a) & ~miss))
    good = a[finite]
    if good.size == 0:
        nan = math.nan
        return BasicStats(0, n_nan, n_inf, int(miss.sum()), nan, nan, nan, nan)
    with np.errstate(all="ignore"):  # values near the float64 limit: inf, not a warning
        mean, std = float(good.mean()), float(good.std())
    return BasicStats(
        count=int(good.size),
        n_nan=n_nan,
        n_inf=n_inf,
        n_missing=int(miss.sum()),
        min=float(good.min()),
        max=float(good.max()),
        mean=mean,
        std=std,
    )


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0 = perfectly even)."""
    return float(metrics.gini(np.asarray(values, np.float64).ravel()[np.newaxis])[0])


def normalized_entropy(values: np.ndarray) -> float:
    """H(p) / log N with p = values / sum (0 log 0 = 0); NaN for N < 2 or an empty total."""
    return float(metrics.entropy(np.asarray(values, np.float64).ravel()[np.newaxis])[0])


def rows_load_stats(
    values: np.ndarray, axis: int = 1, dead_threshold: float = DEAD_THRESHOLD
) -> list[LoadStats]:
    """Balance metrics of every distribution along ``axis`` (default: each row over columns),
    computed by ``data.metrics.along``, as the metric views compute them (with its fast path
    for blocks without NaN or Inf)."""
    x = np.moveaxis(np.atleast_2d(np.asarray(values, dtype=np.float64)), axis, -1)
    n = np.count_nonzero(np.isfinite(x), axis=-1)
    dead = metrics.along("dead", x) if dead_threshold == DEAD_THRESHOLD else metrics.dead(x, dead_threshold)
    columns = (*(metrics.along(name, x) for name in ("maxvio", "cv", "entropy", "gini")), dead)
    return [LoadStats(count, mv, c, e, g, int(d)) for count, mv, c, e, g, d in zip(n.tolist(), *(c.tolist() for c in columns))]


def load_stats(row: np.ndarray, dead_threshold: float = DEAD_THRESHOLD) -> LoadStats:
    """Balance metrics of one row of counts or relative loads (non-finite entries ignored).

    Values near the float64 limit give inf/NaN metrics, never warnings on the terminal.
    """
    return rows_load_stats(np.asarray(row, dtype=np.float64).ravel()[np.newaxis], 1, dead_threshold)[0]


def mean_load_stats(per_row: list[LoadStats]) -> LoadStats:
    """Average of per-row metrics (papers average MaxVio over layers), dead experts too
    (the stats panel heads them "mean of rows")."""
    if not per_row:
        return LoadStats(0, math.nan, math.nan, math.nan, math.nan, 0)

    def avg(name: str) -> float:
        vals = [getattr(s, name) for s in per_row if not math.isnan(getattr(s, name))]
        return float(np.mean(vals)) if vals else math.nan

    return LoadStats(
        n_experts=max(s.n_experts for s in per_row),
        max_vio=avg("max_vio"),
        cv=avg("cv"),
        entropy=avg("entropy"),
        gini=avg("gini"),
        dead=float(np.mean([s.dead for s in per_row])),
    )


def top_k(values: np.ndarray, k: int = 5) -> list[HotCell]:
    """The ``k`` largest finite cells of a 2-D array, largest first (ties: first in order)."""
    a = np.asarray(values, dtype=np.float64)
    if a.ndim == 1:
        a = a[np.newaxis, :]
    flat = np.where(np.isfinite(a), a, -np.inf).ravel()
    finite = int(np.isfinite(a).sum())
    k = min(k, finite)
    if k <= 0:
        return []
    kth = flat[np.argpartition(-flat, k - 1)[k - 1]]  # the k-th largest; ties kept in order
    candidates = np.flatnonzero(flat >= kth)
    order = candidates[np.argsort(-flat[candidates], kind="stable")][:k]
    cols = a.shape[1]
    return [HotCell(float(flat[i]), int(i // cols), int(i % cols)) for i in order]


def argmax_along(values: np.ndarray, axis: int = 1) -> np.ndarray:
    """Index of the largest finite value along ``axis`` (-1 where a line has none)."""
    a = np.asarray(values, dtype=np.float64)
    filled = np.where(np.isfinite(a), a, -np.inf)
    idx = np.argmax(filled, axis=axis)
    has = np.isfinite(a).any(axis=axis)
    return np.where(has, idx, -1)
