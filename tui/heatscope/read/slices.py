"""A decoded 2-D slice ready to draw and summarise, including derived relative load."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import h5py
import numpy as np

from heatscope.catalog.datasets import DatasetInfo
from heatscope.catalog.values import RELATIVE_LOAD, TOKEN_COUNTS
from heatscope.read.selection import Selection, read_block

if TYPE_CHECKING:
    from heatscope.read.pooling import OverviewStats

OVERVIEW_CELLS = 1 << 20  # larger slices are read as a pooled overview (data.pooling)

RELATIVE_LOAD_NAME = "Relative Expert Load"


@dataclass(frozen=True)
class SliceData:
    """Values of one on-screen slice (rows x cols, float64, NaN where missing).

    An overview of a slice too large to read whole holds blocks of ``factors`` data cells,
    each its maximum, and the exact statistics of the whole slice in ``overview``.
    """

    values: np.ndarray
    missing: np.ndarray  # True where the file's _FillValue/missing_value was stored
    selection: Selection
    factors: tuple[int, int] = (1, 1)
    overview: OverviewStats | None = None
    hot: np.ndarray | None = None  # a "hot" metric view: the hottest expert's index per cell


def relative_load(counts: np.ndarray, axis: int = -1) -> np.ndarray:
    """Relative expert load = count_i * N / sum_j count_j along ``axis`` (1.0 = balanced).

    As DeepSeek-V3 defines it (Fig. 9; Eq. 18). NaN entries are ignored in the sum; a
    distribution with no tokens at all gives NaN rather than a division by zero.
    """
    counts = np.asarray(counts, dtype=np.float64)
    n = counts.shape[axis]
    total = np.nansum(np.where(np.isinf(counts), np.nan, counts), axis=axis, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = counts * n / total
    return np.where(total > 0, rel, np.nan)


def expert_axis(info: DatasetInfo) -> int | None:
    """The axis holding experts: one whose name contains "expert", else the last axis."""
    for i, axis in enumerate(info.axes):
        if "expert" in axis.name.casefold():
            return i
    return len(info.shape) - 1 if info.shape else None


def relative_load_view(info: DatasetInfo) -> DatasetInfo | None:
    """For a token-count dataset, the same dataset presented as relative expert load."""
    if info.kind != TOKEN_COUNTS or not info.viewable or expert_axis(info) is None:
        return None
    value = replace(
        info.value,
        kind=RELATIVE_LOAD,
        long_name=RELATIVE_LOAD_NAME,
        units=None,
        valid_min=None,
        valid_max=None,
    )
    return replace(info, value=value)


def _load_transform(info: DatasetInfo, sel: Selection):
    """Counts -> relative load for blocks that span the expert axis (kept last when not shown)."""
    axis = expert_axis(info)
    if axis not in sel.displayed:
        pick = sel.index[axis]
        return lambda v, m: (relative_load(v, axis=-1)[..., pick], m[..., pick])
    along = 0 if axis == sel.row_axis else 1
    return lambda v, m: (relative_load(v, axis=along), m)


def read_slice(
    dset: h5py.Dataset, info: DatasetInfo, sel: Selection, derived: bool = False,
    target: tuple[int, int] | None = None, progress=None, cancelled=None,
) -> SliceData:
    """Read and decode the selected slice; ``derived`` turns token counts into relative load.

    For the derived view the expert axis is read in full when it is not on screen, because
    relative load needs every expert's count; nothing else beyond the slice is read. A slice
    of more than ``OVERVIEW_CELLS`` values is read block by block as a max-pooled overview
    of at most ``target`` cells (``pooling.read_overview``; progress and cancel per block).
    """
    if sel.n_rows * sel.n_cols > OVERVIEW_CELLS:
        from heatscope.read.pooling import OVERVIEW_SHAPE, pool_factors, read_overview

        factors = pool_factors(sel.n_rows, sel.n_cols, *(target or OVERVIEW_SHAPE))
        pooled, stats = read_overview(
            dset, info, sel, factors, transform=_load_transform(info, sel) if derived else None,
            expert_axis=expert_axis(info) if derived else None, progress=progress, cancelled=cancelled)
        return SliceData(pooled.values, pooled.missing, sel, pooled.factors, stats)
    if not derived:
        values, missing = info.value.decode(read_block(dset, sel))
        return SliceData(values, missing, sel)
    axis = expert_axis(info)
    assert axis is not None
    kept = () if axis in sel.displayed else (axis,)
    counts, missing = info.value.decode(read_block(dset, sel, kept))
    if kept:
        rel = relative_load(counts, axis=-1)
        pick = sel.index[axis]
        return SliceData(rel[..., pick], missing[..., pick], sel)
    rel_axis = 0 if axis == sel.row_axis else 1
    return SliceData(relative_load(counts, axis=rel_axis), missing, sel)
