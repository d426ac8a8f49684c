"""Following a growing dataset: keep the user's place, or stay at the newest index."""

from __future__ import annotations

from dataclasses import replace

from heatscope.catalog.datasets import DatasetInfo
from heatscope.read.slices import relative_load_view
from heatscope.views.view_state import ViewState


def followed_state(state: ViewState, fresh: DatasetInfo) -> ViewState:
    """``state`` on the grown (or shrunk) dataset ``fresh``.

    On every axis that grew, an index that sat at the old last position moves to the new
    last one (the view follows the newest step); any other index stays where the user put it.
    """
    info = relative_load_view(fresh) if state.derived else fresh
    if info is None:
        info = fresh
    old = state.selection
    index = list(old.index)
    for axis, (before, after) in enumerate(zip(old.shape, info.shape)):
        if after > before and old.index[axis] == before - 1:
            index[axis] = after - 1
    sel = replace(old, index=tuple(index)).resized(info.shape)
    return replace(state, info=info).with_selection(sel)


def at_newest(state: ViewState) -> ViewState:
    """Every stepped axis a writer can extend moved to its last index (where new data lands)."""
    sel = state.selection
    for axis in state.info.unlimited:
        if axis in sel.stepped_axes:
            sel = sel.at(axis, state.info.shape[axis] - 1)
    return state.with_selection(sel)
