"""Runs as an axis: the same dataset in several runs, stacked behind a virtual ``run`` axis.

Runs join the stack when their dataset has the same axes as the first run's (names, and the
sizes and labels of every axis that does not grow); an axis that grows while a run trains
(unlimited, or named like ``step``) takes the longest run's length, and the steps a run has
not written yet are missing, never zero. Runs that differ are left out with the reason.
Slices are read lazily, run by run, through the session (its cache, overviews, derived
relative load); a stack of metric views reduces each run's dataset the same way.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from heatscope.catalog.axes import Axis
from heatscope.catalog.datasets import DatasetInfo, is_step_axis
from heatscope.catalog.virtual import RunStack
from heatscope.read.selection import Selection
from heatscope.read.slices import SliceData

RUN_AXIS = "run"


def _growing(info: DatasetInfo, axis: int) -> bool:
    return axis in info.unlimited or is_step_axis(info, axis)


def compatible(reference: DatasetInfo, other: DatasetInfo) -> str | None:
    """Why ``other`` cannot stand beside ``reference`` on a run axis, or None."""
    if not other.viewable:
        return f"not viewable: {other.reason}"
    if len(other.shape) != len(reference.shape):
        return f"{len(other.shape)} axes, not {len(reference.shape)}"
    for i, (a, b) in enumerate(zip(reference.axes, other.axes)):
        if a.name != b.name:
            return f"axis {i} is {b.name!r}, not {a.name!r}"
        if _growing(reference, i):
            shorter, longer = sorted((a, b), key=lambda axis: axis.size)
            if shorter.labels and longer.labels and longer.labels[: shorter.size] != shorter.labels:
                return f"the {a.name} labels differ"
            continue
        if a.size != b.size:
            return f"{a.name} has {b.size}, not {a.size}"
        if a.labels != b.labels:
            return f"the {a.name} labels differ"
    return None


def stack_info(infos: list[tuple[int, DatasetInfo]], names: list[str]) -> tuple[DatasetInfo, list[tuple[int, str]]]:
    """The stacked dataset of ``infos`` ((file index, dataset) in run order, the first the
    reference), and the runs left out with the reason."""
    reference = infos[0][1]
    members, shapes, left_out = [], [], []
    for index, info in infos:
        reason = compatible(reference, info)
        if reason is None:
            members.append((index, info))
            shapes.append(info.shape)
        else:
            left_out.append((index, reason))
    axes = list(reference.axes)
    for i, axis in enumerate(axes):  # growing axes: the longest run's length and labels
        if _growing(reference, i):
            longest = max((info.axes[i] for _, info in members), key=lambda a: a.size)
            axes[i] = longest
    run_axis = Axis(RUN_AXIS, len(members), tuple(names[index] for index, _ in members), numeric=False)
    stacked = replace(
        reference, shape=(len(members), *(a.size for a in axes)), axes=(run_axis, *axes),
        unlimited=tuple(i + 1 for i in reference.unlimited),
        stack=RunStack(reference.path, tuple(index for index, _ in members), tuple(shapes)),
    )
    return stacked, left_out


def member_selection(sel: Selection, shape: tuple[int, ...], run_axis_shown: bool) -> tuple[Selection, bool]:
    """The selection in one run's own dataset; False when it asks for steps the run lacks."""
    index = sel.index[1:]
    inside = all(i < n for a, (i, n) in enumerate(zip(index, shape)) if a + 1 in sel.stepped_axes)
    index = tuple(min(i, n - 1) for i, n in zip(index, shape))
    if run_axis_shown:  # a line across the other drawn axis, one run at a time
        other = sel.col_axis if sel.row_axis == 0 else sel.row_axis
        return Selection(shape, None, other - 1, index), inside
    rows = None if sel.row_axis is None else sel.row_axis - 1
    return Selection(shape, rows, sel.col_axis - 1, index), inside


def _padded(values: np.ndarray, missing: np.ndarray, rows: int, cols: int) -> tuple[np.ndarray, np.ndarray]:
    """A run's slice padded with missing cells to the stacked size (steps it lacks)."""
    out = np.full((rows, cols), np.nan)
    gone = np.ones((rows, cols), dtype=bool)
    r, c = min(rows, values.shape[0]), min(cols, values.shape[1])
    out[:r, :c], gone[:r, :c] = values[:r, :c], missing[:r, :c]
    return out, gone


def stacked_slice(read, info: DatasetInfo, sel: Selection) -> SliceData:
    """The slice ``sel`` of a stacked dataset; ``read(member, member_selection)`` reads one
    run's slice (``member`` is its position on the run axis)."""
    stack = info.stack
    if 0 not in sel.displayed:  # one run: its own slice, padded to the stacked size
        member = sel.index[0]
        msel, inside = member_selection(sel, stack.shapes[member], False)
        if not inside:
            empty = np.full((sel.n_rows, sel.n_cols), np.nan)
            return SliceData(empty, np.ones(empty.shape, bool), sel)
        data = read(member, msel)
        if data.factors != (1, 1):
            return replace(data, selection=sel)
        values, missing = _padded(data.values, data.missing, sel.n_rows, sel.n_cols)
        hot = data.hot if data.hot is not None and data.hot.shape == values.shape else None
        return SliceData(values, missing, sel, hot=hot)
    length = sel.n_cols if sel.row_axis == 0 else sel.n_rows
    values = np.full((len(stack.members), length), np.nan)
    missing = np.ones(values.shape, dtype=bool)
    for member, shape in enumerate(stack.shapes):
        msel, inside = member_selection(sel, shape, True)
        if inside:
            data = read(member, msel)
            n = min(length, data.values.shape[1])
            values[member, :n], missing[member, :n] = data.values[0, :n], data.missing[0, :n]
    if sel.row_axis != 0:
        values, missing = values.T, missing.T
    return SliceData(values, missing, sel)
