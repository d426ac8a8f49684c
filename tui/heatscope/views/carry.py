"""The same view in another run: the same dataset, drawn axes, labels and cursor."""

from __future__ import annotations

from dataclasses import replace

from heatscope.errors import HeatscopeError
from heatscope.views.view_state import ViewState, initial_state


def carried_over(state: ViewState, file_index: int, info) -> ViewState:
    """``state`` moved to the same dataset of another run: same displayed axes, the same
    labels on stepped axes where they exist (else the same index), the same cursor cell."""
    picks = {}
    for axis in state.selection.stepped_axes:
        picks[state.info.axes[axis].name] = state.info.axes[axis].label(state.selection.index[axis])
    try:
        new = initial_state(file_index, info, picks, cmap=state.cmap, range_mode=state.range_mode,
                            derived=state.derived, vmin=state.vmin, vmax=state.vmax)
    except HeatscopeError:  # a label this run does not have: keep the indices instead
        index_picks = {f"#{a}": f"#{state.selection.index[a]}" for a in state.selection.stepped_axes
                       if a < len(info.shape) and state.selection.index[a] < info.shape[a]}
        new = initial_state(file_index, info, index_picks, cmap=state.cmap, range_mode=state.range_mode,
                            derived=state.derived, vmin=state.vmin, vmax=state.vmax)
    sel = new.selection
    names = [a.name for a in info.axes]
    old = state.info.axes
    shown = [old[a].name for a in state.selection.displayed]
    if len(shown) == 2 and all(n in names for n in shown) and shown[0] != shown[1]:
        sel = sel.with_display(names.index(shown[0]), names.index(shown[1]))
    return replace(new.with_selection(sel), cursor=state.cursor).with_selection(sel)
