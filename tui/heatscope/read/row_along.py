"""The cursor row's metric at every index of the step axis, for the stats panel's sparkline.

For load kinds the metric is the row's MaxVio (when the columns are experts), else the
row's mean. Only the row itself is read, along the whole step axis, block by block; a
sparkline that would make HDF5 read more than ``LIMIT`` values (whole chunks count: a row
of a step x layer x expert run chunked one step at a time costs every chunk) is left out
(the metric view, ``m``, is the tool for whole long runs).
"""

from __future__ import annotations

from collections.abc import Callable

import h5py
import numpy as np

from heatscope.catalog.datasets import DatasetInfo
from heatscope.read.selection import Selection
from heatscope.read.slices import expert_axis, relative_load
from heatscope.sources.vds import read_cells
from heatscope.stats import metrics
from heatscope.stats.scan import ScanCancelled

LIMIT = 1 << 24  # values HDF5 reads for one sparkline, at most (64 MB of float32)
BLOCK = 1 << 18


def values_touched(dset: h5py.Dataset, key: tuple) -> int:
    """How many values reading ``dset[key]`` makes HDF5 read: whole chunks when chunked,
    only the selected values when contiguous (never fewer than the selection)."""
    chunks = dset.chunks or (1,) * dset.ndim
    total = 1
    for size, chunk, index in zip(dset.shape, chunks, key):
        if isinstance(index, slice):
            start, stop, _ = index.indices(size)
            first, last = start // chunk, max(start, stop - 1) // chunk
            total *= min(size, (last - first + 1) * chunk) if stop > start else 0
        else:
            total *= min(size, chunk)
    return total


def row_metric_name(info: DatasetInfo, sel: Selection) -> str:
    return "maxvio" if info.value.is_load and expert_axis(info) == sel.col_axis else "mean"


def row_metric_along(
    dset: h5py.Dataset, info: DatasetInfo, sel: Selection, row: int, step_axis: int, derived: bool = False,
    cancelled: Callable[[], bool] | None = None, limit: int = LIMIT,
) -> np.ndarray | None:
    """The metric of row ``row`` (of the displayed rows) at every index of ``step_axis``,
    or None when that would read more than ``limit`` values."""
    steps = sel.shape[step_axis]
    whole = list(sel.key())
    if sel.row_axis is not None:
        whole[sel.row_axis] = row
    whole[step_axis] = slice(0, steps)
    if values_touched(dset, tuple(whole)) > limit:
        return None
    name = row_metric_name(info, sel)
    out = np.full(steps, np.nan)
    per_block = max(1, BLOCK // max(1, sel.n_cols))
    for start in range(0, steps, per_block):
        if cancelled is not None and cancelled():
            raise ScanCancelled()
        stop = min(steps, start + per_block)
        key = list(sel.key())
        if sel.row_axis is not None:
            key[sel.row_axis] = row
        key[step_axis] = slice(start, stop)
        block = read_cells(dset, tuple(key))
        # the two axes left are the step and column axes, in dataset order
        if step_axis > sel.col_axis:
            block = block.T
        values, _ = info.value.decode(block)
        if derived and name == "maxvio":
            values = relative_load(values, axis=1)
        out[start:stop] = metrics.along(name, values, axis=1)
    return out
