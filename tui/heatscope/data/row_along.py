"""The cursor row's metric at every index of the step axis, for the stats panel's sparkline.

For load kinds the metric is the row's MaxVio (when the columns are experts), else the
row's mean. Only the row itself is read, along the whole step axis, block by block; an
axis that would need more than ``LIMIT`` values is left out (the metric view, ``m``, is
the tool for whole long runs).
"""

from __future__ import annotations

from collections.abc import Callable

import h5py
import numpy as np

from heatscope.data import metrics
from heatscope.data.catalog import DatasetInfo
from heatscope.data.scan import ScanCancelled
from heatscope.data.selection import Selection
from heatscope.data.slices import expert_axis, relative_load

LIMIT = 1 << 22  # values read for one sparkline, at most
BLOCK = 1 << 18


def row_metric_name(info: DatasetInfo, sel: Selection) -> str:
    return "maxvio" if info.value.is_load and expert_axis(info) == sel.col_axis else "mean"


def row_metric_along(
    dset: h5py.Dataset, info: DatasetInfo, sel: Selection, row: int, step_axis: int, derived: bool = False,
    cancelled: Callable[[], bool] | None = None,
) -> np.ndarray | None:
    """The metric of row ``row`` (of the displayed rows) at every index of ``step_axis``,
    or None when that would read more than ``LIMIT`` values."""
    steps = sel.shape[step_axis]
    if steps * sel.n_cols > LIMIT:
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
        block = np.asarray(dset[tuple(key)])
        # the two axes left are the step and column axes, in dataset order
        if step_axis > sel.col_axis:
            block = block.T
        values, _ = info.value.decode(block)
        if derived and name == "maxvio":
            values = relative_load(values, axis=1)
        out[start:stop] = metrics.along(name, values, axis=1)
    return out
