"""Everything the stats panel shows about a slice and the cursor cell, computed headlessly."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from heatscope.catalog.datasets import DatasetInfo
from heatscope.catalog.values import DIVERGENCE
from heatscope.read.selection import Selection
from heatscope.read.slices import SliceData, expert_axis
from heatscope.stats.slice_stats import (
    BasicStats,
    HotCell,
    LoadStats,
    argmax_along,
    basic_stats,
    load_stats,
    mean_load_stats,
    rows_load_stats,
    top_k,
)

TOP_K = 5


@dataclass(frozen=True)
class LineSummary:
    """Per-row (or per-column) mean and where its maximum sits (divergence kinds)."""

    label: str
    mean: float
    peak_label: str


@dataclass(frozen=True)
class HotSpot:
    cell: HotCell
    row_label: str
    col_label: str


@dataclass(frozen=True)
class SliceSummary:
    basic: BasicStats
    load: LoadStats | None  # mean over distributions along the expert axis
    load_along: str  # "rows" / "columns" of the expert axis; "" when not a load view
    hottest: list[HotSpot]
    lines: list[LineSummary]


@dataclass(frozen=True)
class CursorSummary:
    labels: list[tuple[str, str]]  # (axis name, label, or "first..last" for a block) on every axis
    value: float  # the cell's value; for a block of cells, its maximum (what is drawn)
    missing: bool
    row_basic: BasicStats | None  # None for an overview (only block maxima are known)
    row_load: LoadStats | None
    block: str = ""  # "max of 7 experts x 2 layers" when the cell stands for several
    peak: list[tuple[str, str]] | None = None  # where the block's maximum sits
    headline: str = ""  # a metric view: "MaxVio over 64 experts: step 3000, layer 17 = 2.41"


def _headline(info: DatasetInfo, data: SliceData, labels, value: float, missing: bool, row: int, col: int,
              whole: bool) -> str:
    """What a cell of a metric view is, in words."""
    from heatscope.read.reduce import hot_label

    where = ", ".join(f"{name} {label}" for name, label in labels)
    if missing:
        shown = "not computed yet"
    elif data.hot is not None and whole:
        reduced = info.reduction.reduced
        shown = f"{reduced.name} {hot_label(info.reduction, int(data.hot[row, col]))} (load {value:.4g})"
    else:
        shown = f"{value:.4g}"
    return f"{info.value.long_name}: {where} = {shown}"


def _load_axis(info: DatasetInfo, sel: Selection) -> int | None:
    """1 when each row is a distribution over experts, 0 when each column is, else None."""
    axis = expert_axis(info)
    if axis == sel.col_axis:
        return 1
    if axis == sel.row_axis:
        return 0
    return None


def summarize(info: DatasetInfo, data: SliceData) -> SliceSummary:
    """Stats of the whole slice, load balance metrics, hottest cells, per-row lines.

    For an overview (block maxima) the basic stats and hottest cells are the exact ones
    gathered while it was read; per-row metrics need whole rows and are left out."""
    sel = data.selection
    values = data.values
    row_axis = info.axes[sel.row_axis] if sel.row_axis is not None else None
    col_axis = info.axes[sel.col_axis]
    if data.overview is not None:
        hottest = [HotSpot(c, row_axis.label(c.row) if row_axis else info.name, col_axis.label(c.col))
                   for c in data.overview.hottest]
        return SliceSummary(data.overview.basic, None, "", hottest, [])
    basic = basic_stats(values, data.missing)
    load = None
    along = ""
    if info.value.is_load:
        axis = _load_axis(info, sel)
        if axis is not None:
            load = mean_load_stats(rows_load_stats(values, axis=axis))
            along = "rows" if axis == 1 else "columns"
    lines: list[LineSummary] = []
    hottest = [
        HotSpot(c, row_axis.label(c.row) if row_axis else info.name, col_axis.label(c.col))
        for c in top_k(values, TOP_K)
    ]
    if info.kind == DIVERGENCE:
        peaks = argmax_along(values, axis=1)
        with warnings.catch_warnings():  # an all-NaN row has no mean: NaN, not a warning
            warnings.simplefilter("ignore", RuntimeWarning)
            means = np.nanmean(np.where(np.isfinite(values), values, np.nan), axis=1) if values.size else []
        for r, (m, p) in enumerate(zip(means, peaks)):
            label = row_axis.label(r) if row_axis else info.name
            lines.append(LineSummary(label, float(m), col_axis.label(int(p)) if p >= 0 else "-"))
    return SliceSummary(basic, load, along, hottest, lines)


def summarize_cursor(info: DatasetInfo, data: SliceData, row: int, col: int,
                     cell: tuple[int, int] = (1, 1)) -> CursorSummary:
    """The cursor's labels on every axis, its value, and its row's stats.

    ``row``/``col`` are data indices and ``cell`` the data rows x columns one drawn cell
    holds: when that is more than one, the cursor stands for the whole block, so its value
    is the block's maximum (the color drawn) and the readout says where that maximum is.
    """
    sel = data.selection
    rs, cs = data.factors
    n_rows, n_cols = sel.n_rows, sel.n_cols
    row0, col0 = row - row % cell[0], col - col % cell[1]
    names = {sel.row_axis: (row0, cell[0]), sel.col_axis: (col0, cell[1])}
    labels = []
    for i, axis in enumerate(info.axes):
        if i in names:
            labels.append((axis.name, axis.span(*names[i])))
        else:
            labels.append((axis.name, axis.label(sel.index[i])))
    block_rows = slice(row0 // rs, -(-min(n_rows, row0 + cell[0]) // rs))
    block_cols = slice(col0 // cs, -(-min(n_cols, col0 + cell[1]) // cs))
    block = data.values[block_rows, block_cols]
    block_missing = data.missing[block_rows, block_cols]
    whole = cell == (1, 1) and data.factors == (1, 1)
    peak = None
    note = ""
    if whole:
        value, missing = float(data.values[row, col]), bool(data.missing[row, col])
    else:
        filled = np.where(np.isnan(block), -np.inf, block)
        at = np.unravel_index(int(np.argmax(filled)), block.shape)
        value = float(block[at]) if np.isfinite(block).any() or np.isinf(block).any() else float("nan")
        missing = bool(np.isnan(block).all() and block_missing.any())
        parts = [f"{min(cell[1], n_cols - col0)} {info.axes[sel.col_axis].name}s" if cell[1] > 1 else "",
                 f"{min(cell[0], n_rows - row0)} {info.axes[sel.row_axis].name}s"
                 if cell[0] > 1 and sel.row_axis is not None else ""]
        note = "max of " + " x ".join(p for p in parts if p)
        if data.factors == (1, 1) and not np.isnan(value):
            r, c = row0 + int(at[0]), col0 + int(at[1])
            peak = [(info.axes[a].name, info.axes[a].label(i)) for a, i in ((sel.row_axis, r), (sel.col_axis, c))
                    if a is not None]
    headline = _headline(info, data, labels, value, missing, row, col, whole) if info.reduction else ""
    if data.factors != (1, 1):  # an overview holds only block maxima: no row statistics
        return CursorSummary(labels, value, missing, None, None, note, peak, headline)
    row_values = data.values[row]
    row_load = None
    if info.value.is_load and _load_axis(info, sel) == 1:
        row_load = load_stats(row_values)
    elif info.value.is_load and _load_axis(info, sel) == 0:
        row_load = load_stats(data.values[:, col])
    return CursorSummary(labels, value, missing, basic_stats(row_values, data.missing[row]), row_load, note, peak,
                         headline)
