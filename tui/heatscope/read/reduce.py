"""Metric views: a statistic over one axis of a dataset, as a new dataset of the others.

``reduced_info`` describes the result (``MaxVio over 64 experts`` on step x layer) as a
``DatasetInfo`` whose ``reduction`` says how it is made, so everything that works on a
dataset (selection, stepping, facets, diffs, color ranges, the stats panel, export) works
on it. ``compute`` fills a ``ReducedArray`` block by block: blocks follow the chunk layout
and span the reduced axis (and the expert axis, when counts are first turned into
relative load), memory is bounded by a block, each finished block is visible at once
(``version``), and the caller can stop it between blocks.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace

import h5py
import numpy as np

from heatscope.catalog.datasets import DatasetInfo
from heatscope.catalog.values import GENERIC, TOKEN_COUNTS, ValueInfo
from heatscope.catalog.virtual import Reduction
from heatscope.errors import HeatscopeError
from heatscope.read.slices import expert_axis, relative_load
from heatscope.sources.vds import read_cells
from heatscope.stats import metrics
from heatscope.stats.scan import ScanCancelled, block_shape, iter_blocks

DEFAULT_BUDGET = 1 << 18  # values per block read: keeps the worker's memory small
RANGES = {"entropy": (0.0, 1.0), "gini": (0.0, 1.0)}
CMAPS = {"maxvio": "YlOrRd", "cv": "YlOrRd", "gini": "YlOrRd", "dead": "YlOrRd", "entropy": "viridis"}


def reduced_info(base: DatasetInfo, axis_name: str, stat: str) -> DatasetInfo:
    """The dataset of ``stat`` over ``axis_name`` of ``base`` (raw, as stored)."""
    axis = base.axis_index(axis_name)
    if axis is None:
        raise HeatscopeError(f"no axis named {axis_name!r} (axes: {', '.join(a.name for a in base.axes)})", base.path)
    if len(base.shape) < 2:
        raise HeatscopeError("a 1-D dataset has nothing left once an axis is reduced", base.path)
    stat = stat.lower()
    if stat not in metrics.STATISTICS:
        raise HeatscopeError(f"unknown statistic {stat!r} (one of: {', '.join(metrics.STATISTICS)})")
    if stat not in metrics.statistics_for(base.value.is_load):
        raise HeatscopeError(f"{stat} is a balance metric: it needs expert load or token counts", base.path)
    to_load = base.kind == TOKEN_COUNTS and expert_axis(base) is not None
    reduced = base.axes[axis]
    _, title, _ = metrics.STATISTICS[stat]
    units = base.value.units if stat in ("max", "hot", "mean", "min", "std", "sum", "p50", "p90", "p99") else None
    same_scale = stat in ("max", "hot", "min", "mean", "p50", "p90", "p99") and not to_load
    lo, hi = RANGES.get(stat, (base.value.valid_min, base.value.valid_max) if same_scale else (None, None))
    value = ValueInfo(
        kind=GENERIC, long_name=f"{title} over {reduced.size} {reduced.name}s", units=None if to_load else units,
        valid_min=lo, valid_max=hi, colormap=CMAPS.get(stat, base.value.colormap),
    )
    keep = [i for i in range(len(base.shape)) if i != axis]
    picks = tuple((a, label) for a, label in base.default_picks if a.casefold() != reduced.name.casefold())
    return replace(
        base, shape=tuple(base.shape[i] for i in keep), dtype="float64", axes=tuple(base.axes[i] for i in keep),
        value=value, is_scale=False, default_picks=picks, detailed=True,
        unlimited=tuple(keep.index(i) for i in base.unlimited if i != axis),
        reduction=Reduction(base.path, axis, reduced, stat, to_load),
    )


class ReducedArray:
    """The values of a reduction: NaN until their block is done. ``done`` lists the finished
    blocks in order (keys into ``values``), so readers know what is pending without a mask
    as large as the result, and can pool just what finished since they last looked."""

    def __init__(self, shape: tuple[int, ...], stat: str) -> None:
        self.values = np.full(shape, np.nan, dtype=np.float32)  # float32: half the memory of a big run
        self.hot = np.full(shape, -1, dtype=np.int32) if stat == "hot" else None
        self.done: list[tuple[slice, ...]] = []
        self.fraction = 0.0
        self.complete = False
        self.lock = threading.Lock()
        self.pools: dict[tuple, tuple] = {}  # incremental overviews, per selection and size

    @property
    def version(self) -> int:
        """Grows as blocks finish: cached slices of older versions are stale."""
        return len(self.done)


def reduction_blocks(shape: tuple[int, ...], chunks, base: DatasetInfo, reduction: Reduction,
                     budget: int = DEFAULT_BUDGET) -> tuple[list[tuple[slice, ...]], int | None]:
    """The blocks a reduction reads (along the chunks, each spanning the reduced axis and,
    when counts become relative load, the expert axis), and that expert axis (or None)."""
    expert = expert_axis(base) if reduction.to_load else None
    full = (reduction.axis,) + ((expert,) if expert is not None and expert != reduction.axis else ())
    return list(iter_blocks(shape, block_shape(shape, chunks, budget, full))), expert


def reduce_block(dset: h5py.Dataset, value: ValueInfo, key: tuple[slice, ...], expert: int | None, axis: int,
                 stat: str) -> tuple[tuple[slice, ...], np.ndarray, np.ndarray | None]:
    """One block's ``(target in the result, statistic, hottest expert or None)``."""
    values, _ = value.decode(read_cells(dset, key))  # a virtual dataset's absent sources: NaN
    if expert is not None:
        values = relative_load(values, axis=expert)
    moved = np.moveaxis(values, axis, -1)
    target = tuple(k for i, k in enumerate(key) if i != axis)
    return target, metrics.along(stat, moved), metrics.hot(moved) if stat == "hot" else None


def store(out: ReducedArray, target: tuple[slice, ...], result: np.ndarray, hot: np.ndarray | None,
          fraction: float) -> None:
    """A finished block, visible to readers at once."""
    with out.lock:
        out.values[target] = result
        if out.hot is not None:
            out.hot[target] = hot
        out.done.append(target)
        out.fraction = fraction


def compute(
    dset: h5py.Dataset,
    base: DatasetInfo,
    reduction: Reduction,
    out: ReducedArray,
    budget: int = DEFAULT_BUDGET,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> None:
    """Fill ``out`` block by block (see the module docstring); raises ``ScanCancelled``."""
    blocks, expert = reduction_blocks(tuple(dset.shape), dset.chunks, base, reduction, budget)
    for done, key in enumerate(blocks, start=1):
        if cancelled is not None and cancelled():
            raise ScanCancelled()
        store(out, *reduce_block(dset, base.value, key, expert, reduction.axis, reduction.stat), done / len(blocks))
        if progress is not None:
            progress(done / len(blocks))
    out.complete = True


def hot_label(reduction: Reduction, index: int) -> str:
    """The label of the hottest expert at ``index`` of the reduced axis ("-" for none)."""
    return reduction.reduced.label(index) if index >= 0 else "-"
