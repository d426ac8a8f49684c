"""How the inspector's intents change a view: pure functions from a view (and what the
user typed) to the next view, raising ``HeatscopeError`` with the reason when they cannot.

``tui.model.Inspector`` calls them and turns the result or the error into an ``Outcome``;
nothing here reads data (the session is only asked for catalogs and run names).
"""

from __future__ import annotations

from dataclasses import replace

from heatscope.catalog.datasets import DatasetInfo
from heatscope.errors import HeatscopeError
from heatscope.read.reduce import reduced_info
from heatscope.read.selection import resolve_selection
from heatscope.read.session import Session
from heatscope.read.slices import expert_axis
from heatscope.views.facets import check_same_layout, panel_specs, parse_diff, parse_facet
from heatscope.views.goto import parse_goto
from heatscope.views.resolve import DIFF_CMAP
from heatscope.views.view_state import ViewState, initial_state


def carried_picks(state: ViewState) -> dict[str, str]:
    """The labels of the stepped axes, to open another view of the same place."""
    return {state.info.axes[a].name: state.info.axes[a].label(state.selection.index[a])
            for a in state.selection.stepped_axes}


def default_metric(info: DatasetInfo) -> tuple[str, str]:
    """(axis, statistic) preselected: the expert axis by MaxVio for load kinds, else the
    column axis by its mean."""
    if info.value.is_load:
        return info.axes[expert_axis(info)].name, "maxvio"
    return info.axes[-1].name, "mean"


def gone_to(state: ViewState, text: str) -> ViewState:
    """``g``: the labels or indices typed (``layer 18``, ``layer=9, variant=1``); going to a
    displayed axis moves the cursor there."""
    names = [a.name for a in state.info.axes]
    default = names[state.step_axis] if state.step_axis is not None else None
    try:
        picks = parse_goto(text, names, default)
        sel = resolve_selection(state.info.axes, picks, base=state.selection)
    except ValueError as exc:
        raise HeatscopeError(str(exc)) from None
    panel, row, col = state.cursor_panel()
    for name in picks:
        axis = names.index(name) if name in names else None
        if axis == sel.row_axis:
            row = sel.index[axis]
        elif axis == sel.col_axis:
            col = sel.index[axis]
    return replace(state.with_selection(sel), cursor=(panel * sel.n_rows + row, col))


def faceted(state: ViewState, text: str) -> ViewState:
    """``f``: one panel per label of one or two axes (``layer=9,18 variant``; empty clears)."""
    facets = tuple(parse_facet(state.info, state.selection, part) for part in text.split())
    panel_specs(state.info, state.selection, list(facets), state.diff)
    if len(facets) > 2:
        raise HeatscopeError("facet by one or two axes")
    return replace(state, facets=facets).with_selection(state.selection)


def differenced(state: ViewState, text: str) -> ViewState:
    """``d``: ``AXIS=A,B`` shows B minus A."""
    diff = parse_diff(state.info, state.selection, text)
    panel_specs(state.info, state.selection, list(state.facets), diff)
    return replace(state, diff=diff, cmap=DIFF_CMAP).with_selection(state.selection)


def minus_file(state: ViewState, session: Session, name: str) -> ViewState:
    """``d file=NAME``: this file minus the same dataset and slice of another open file."""
    files = session.files
    matches = [i for i, f in enumerate(files) if name in (session.run_name(i), f.path.name, f.path.stem, str(f.path))]
    if matches:
        session.ensure_open(matches[0])
    if not matches or files[matches[0]].catalog is None:
        raise HeatscopeError(f"no open file named {name!r}")
    other = files[matches[0]].catalog.find(state.info.path)
    if other is None:
        raise HeatscopeError(f"no dataset {state.info.display_path} in {name}")
    check_same_layout(files[state.file_index].catalog.find(state.info.path), other)
    return replace(state, minus_file=matches[0], diff=None, cmap=DIFF_CMAP)


def raw_info(state: ViewState, session: Session) -> DatasetInfo | None:
    """The stored dataset behind a view (a metric view's base, the counts behind load)."""
    path = state.info.reduction.base_path if state.info.reduction else state.info.path
    return session.files[state.file_index].catalog.find(path)


def metric_view(state: ViewState, raw: DatasetInfo, axis: str, stat: str) -> ViewState:
    """``m``: ``stat`` over ``axis`` of ``raw``, at the same labels where they exist."""
    info = reduced_info(raw, axis, stat)
    picks = {k: v for k, v in carried_picks(state).items() if k.casefold() != axis.casefold()}
    try:
        return initial_state(state.file_index, info, picks, range_mode=None)
    except HeatscopeError:
        return initial_state(state.file_index, info)


def base_view(state: ViewState, raw: DatasetInfo) -> ViewState:
    """``m`` again: the stored dataset behind a metric view, at the same labels."""
    try:
        return initial_state(state.file_index, raw, carried_picks(state))
    except HeatscopeError:
        return initial_state(state.file_index, raw)


def toggled_derived(state: ViewState, raw: DatasetInfo) -> ViewState:
    """``u``: relative load <-> raw token counts, keeping facets, diff, slice and cursor."""
    new = initial_state(state.file_index, raw, derived=not state.derived)
    new = replace(new, facets=state.facets, diff=state.diff).with_selection(state.selection)
    return replace(new, cursor=state.cursor)


def stacked_view(state: ViewState, info: DatasetInfo) -> ViewState:
    """The runs were stacked into ``info``: the same labels, drawn axes, colors and cursor,
    at this run."""
    picks = carried_picks(state)
    members = info.stack.members
    if state.file_index in members:
        picks["#0"] = f"#{members.index(state.file_index)}"
    try:
        new = initial_state(state.file_index, info, picks, cmap=state.cmap, range_mode=state.range_mode,
                            derived=state.derived, vmin=state.vmin, vmax=state.vmax)
    except HeatscopeError:
        new = initial_state(state.file_index, info, derived=state.derived)
    names = [a.name for a in new.info.axes]
    shown = [state.info.axes[a].name for a in state.selection.displayed]
    sel = new.selection
    if len(shown) == 2 and all(n in names for n in shown):
        sel = sel.with_display(names.index(shown[0]), names.index(shown[1]))
    return replace(new.with_selection(sel), cursor=state.cursor, zoom=state.zoom).with_selection(sel)
