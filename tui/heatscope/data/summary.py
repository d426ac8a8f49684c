"""Everything the stats panel shows about a slice and the cursor cell, computed headlessly."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from heatscope.data.catalog import DatasetInfo
from heatscope.data.selection import Selection
from heatscope.data.slices import SliceData, expert_axis
from heatscope.data.stats import (
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
from heatscope.data.values import DIVERGENCE

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
    labels: list[tuple[str, str]]  # (axis name, label) on every axis
    value: float
    missing: bool
    row_basic: BasicStats
    row_load: LoadStats | None


def _load_axis(info: DatasetInfo, sel: Selection) -> int | None:
    """1 when each row is a distribution over experts, 0 when each column is, else None."""
    axis = expert_axis(info)
    if axis == sel.col_axis:
        return 1
    if axis == sel.row_axis:
        return 0
    return None


def summarize(info: DatasetInfo, data: SliceData) -> SliceSummary:
    """Stats of the whole slice, load balance metrics, hottest cells, per-row lines."""
    sel = data.selection
    values = data.values
    basic = basic_stats(values, data.missing)
    load = None
    along = ""
    if info.value.is_load:
        axis = _load_axis(info, sel)
        if axis is not None:
            load = mean_load_stats(rows_load_stats(values, axis=axis))
            along = "rows" if axis == 1 else "columns"
    lines: list[LineSummary] = []
    row_axis = info.axes[sel.row_axis] if sel.row_axis is not None else None
    col_axis = info.axes[sel.col_axis]
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


def summarize_cursor(info: DatasetInfo, data: SliceData, row: int, col: int) -> CursorSummary:
    """The cursor cell's labels on every axis, its value, and its row's stats."""
    sel = data.selection
    labels = []
    for i, axis in enumerate(info.axes):
        if i == sel.row_axis:
            position = row
        elif i == sel.col_axis:
            position = col
        else:
            position = sel.index[i]
        labels.append((axis.name, axis.label(position)))
    row_values = data.values[row]
    row_load = None
    if info.value.is_load and _load_axis(info, sel) == 1:
        row_load = load_stats(row_values)
    elif info.value.is_load and _load_axis(info, sel) == 0:
        row_load = load_stats(data.values[:, col])
    return CursorSummary(
        labels=labels,
        value=float(data.values[row, col]),
        missing=bool(data.missing[row, col]),
        row_basic=basic_stats(row_values, data.missing[row]),
        row_load=row_load,
    )
