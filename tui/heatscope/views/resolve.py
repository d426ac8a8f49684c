"""The evaluator's first half: a ``ViewSpec`` resolved against the open files into the
``ViewState`` that is read and drawn (dataset found, stacked or reduced, axes, indices,
facets, diffs, profile, zoom and colors applied), used by the TUI's launch, export and the
early first frame alike; and the way back, a state as the spec that reproduces it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

from heatscope.catalog.datasets import DatasetInfo
from heatscope.errors import HeatscopeError
from heatscope.read.reduce import reduced_info
from heatscope.read.session import Session
from heatscope.read.slices import relative_load_view
from heatscope.text import safe_text
from heatscope.views.facets import check_same_layout, facet_text, panel_specs, parse_diff, parse_facet
from heatscope.views.normalize import default_mode
from heatscope.views.spec import (
    Axes,
    Colors,
    Derive,
    Diff,
    Facet,
    Profile,
    Reduce,
    Select,
    Source,
    ViewSpec,
    Zoom,
)
from heatscope.views.view_state import ViewState, initial_state

DIFF_CMAP = "RdBu_r"


@dataclass
class Resolved:
    """A spec made concrete: the state, notes to tell the user, and the name of what is shown."""

    state: ViewState
    notes: list[str] = field(default_factory=list)
    name: str = ""  # display-safe: the run's name, or the runs' directory for a stack


def displayed_axes(info: DatasetInfo, axes: Axes) -> tuple[int, int]:
    """``Axes("step", "expert")`` or ``Axes("0", "2")`` -> the (row, column) axis indices."""
    found = []
    for part in (axes.row, axes.col):
        index = info.axis_index(part)
        if index is None and part.lstrip("#").isdigit() and int(part.lstrip("#")) < len(info.axes):
            index = int(part.lstrip("#"))
        if index is None:
            raise HeatscopeError(f"no axis named {part!r} (axes: {', '.join(a.name for a in info.axes)})",
                                 info.display_path)
        found.append(index)
    if found[0] == found[1]:
        raise HeatscopeError("--axes needs two different axes")
    return found[0], found[1]


def _source(session: Session, source: Source, order: list[int] | None) -> tuple[int, DatasetInfo]:
    """The file and dataset a view starts from: the first file holding it (``order``: the
    runs' order), or the first file itself when the second is subtracted from it."""
    if not session.files:
        session.open_all(eager=0 if source.runs else 8)
    if not source.minus:
        return session.initial_dataset(source.dataset, order)
    for f in session.files[:2]:
        if session.ensure_open(session.files.index(f)).catalog is None:
            raise HeatscopeError(f.error or "cannot open", str(f.path))
    catalog = session.files[0].catalog
    info = catalog.find(source.dataset) if source.dataset else catalog.default_dataset()
    if info is None:
        raise HeatscopeError(f"no dataset named {source.dataset!r}" if source.dataset else "no viewable dataset",
                             str(session.paths[0]))
    if not info.viewable:
        raise HeatscopeError(f"dataset is not viewable: {info.reason}", info.path)
    return 0, info


def resolve(session: Session, spec: ViewSpec, order: list[int] | None = None) -> Resolved:
    """The state ``spec`` describes, in ``session``'s files. Raises HeatscopeError with one
    line for a dataset, axis, label or combination that does not exist."""
    file_index, raw = _source(session, spec.source, order)
    notes: list[str] = []
    reduce = spec.first(Reduce)
    info = raw
    if spec.source.runs:
        info, left_out = session.stack(raw.path, order or session.name_order(),
                                       (reduce.axis, reduce.stat) if reduce else None)
        notes += [f"{session.run_name(i)} left out: {why}" for i, why in left_out]
    elif reduce is not None:
        info = reduced_info(raw, reduce.axis, reduce.stat)
    colors = spec.first(Colors) or Colors()
    derive = spec.first(Derive)
    select = spec.first(Select)
    picks = dict(select.picks) if select else {}
    state = initial_state(file_index, info, picks, cmap=colors.cmap, range_mode=colors.range_mode,
                          derived=None if derive is None else derive.relative_load, vmin=colors.vmin, vmax=colors.vmax)
    axes = spec.first(Axes)
    if axes is not None:
        state = state.with_selection(state.selection.with_display(*displayed_axes(state.info, axes)))
    sel = state.selection
    shown = {state.info.axes[a].name.casefold() for a in sel.displayed}
    if any(name.casefold() in shown or name.lstrip("#").isdigit() for name in picks):
        state = replace(state, cursor=(sel.index[sel.row_axis] if sel.row_axis is not None else 0, sel.index[sel.col_axis]))
    facets = tuple(parse_facet(state.info, sel, f.text) for f in spec.of(Facet))
    diff = spec.first(Diff)
    diff = parse_diff(state.info, sel, diff.text) if diff is not None else None
    panel_specs(state.info, sel, list(facets), diff)  # refuses a facet and a diff on one axis
    state = replace(state, facets=facets, diff=diff)
    if spec.source.minus:
        second = session.files[1].catalog.find(raw.path)
        if second is None:
            raise HeatscopeError(f"no dataset {raw.display_path} in the second file", str(session.paths[1]))
        check_same_layout(raw, second)
        state = replace(state, file_index=1, minus_file=0)
    if state.differenced and not colors.cmap:
        state = replace(state, cmap=DIFF_CMAP)
    profile = spec.first(Profile)
    zoom = spec.first(Zoom)
    state = replace(state, profile=profile.kind if profile else None, zoom=zoom.level if zoom else 0)
    state = remote_range(session, state, explicit=colors.range_mode is not None)
    state = replace(state, run=session.title_run(state.file_index, state.info))
    return Resolved(state, notes, _name(session, spec.source))


def remote_range(session: Session, state: ViewState, explicit: bool = False) -> ViewState:
    """A remote file is not scanned for its global range unless asked (it would be read
    whole): the default global range falls back to the slice's."""
    if state.range_mode == "global" and not explicit and session.is_remote(state.file_index):
        return replace(state, range_mode="slice")
    return state


def _name(session: Session, source: Source) -> str:
    if source.runs:
        common = os.path.commonpath([str(p.parent) for p in session.paths]) if session.paths else ""
        return safe_text(os.path.basename(common) or "runs")
    return session.run_name(0)


def spec_of(state: ViewState, session: Session) -> ViewSpec:
    """The spec that gives ``state`` again (its dataset, indices, facets, diff, colors...)."""
    info = state.info
    transforms: list = []
    if info.reduction is not None:
        transforms.append(Reduce(info.reduction.reduced.name, info.reduction.stat))
    elif info.stack is not None and info.stack.reduce:
        transforms.append(Reduce(*info.stack.reduce))
    raw_path = info.reduction.base_path if info.reduction else (info.stack.base_path if info.stack else info.path)
    if not state.derived and _has_load_view(session, state.file_index, raw_path):
        transforms.append(Derive(relative_load=False))
    sel = state.selection
    if sel.row_axis is not None and (sel.row_axis, sel.col_axis) != (len(sel.shape) - 2, len(sel.shape) - 1):
        transforms.append(Axes(info.axes[sel.row_axis].name, info.axes[sel.col_axis].name))
    picks = [(info.axes[a].name, info.axes[a].label(sel.index[a])) for a in state.stepped()]
    panel, row, col = state.cursor_panel()
    if (row, col) != (0, 0):
        if sel.row_axis is not None:
            picks.append((info.axes[sel.row_axis].name, info.axes[sel.row_axis].label(row)))
        picks.append((info.axes[sel.col_axis].name, info.axes[sel.col_axis].label(col)))
    if picks:
        transforms.append(Select(tuple(picks)))
    transforms.extend(Facet(facet_text(info, facet)) for facet in state.facets)
    if state.diff is not None:
        axis = info.axes[state.diff.axis]
        transforms.append(Diff(f"{axis.name}={axis.label(state.diff.a)},{axis.label(state.diff.b)}"))
    if state.profile:
        transforms.append(Profile(state.profile))
    if state.zoom:
        transforms.append(Zoom(state.zoom))
    default_cmap = DIFF_CMAP if state.differenced else info.value.colormap
    colors = Colors(state.cmap if state.cmap != default_cmap else None,
                    state.range_mode if state.range_mode != default_mode(info.value) else None,
                    state.vmin, state.vmax)
    if colors != Colors():
        transforms.append(colors)
    source = Source(raw_path, runs=info.stack is not None, minus=state.minus_file is not None)
    return ViewSpec(source, tuple(transforms))


def _has_load_view(session: Session, file_index: int, path: str) -> bool:
    catalog = session.files[file_index].catalog
    raw = catalog.find(path) if catalog is not None else None
    return raw is not None and relative_load_view(raw) is not None


def view_command(state: ViewState, session: Session, export: bool = True) -> str:
    """The command that draws ``state`` (``heatscope export A B --facet ...``), to paste into
    a report script: the files are the run's own (both, first the one subtracted, for a diff
    of two files; every run for a stack)."""
    spec = spec_of(state, session)
    if state.info.stack is not None:
        paths = [str(session.paths[i]) for i in state.info.stack.members]
    elif state.minus_file is not None:
        paths = [str(session.paths[state.minus_file]), str(session.paths[state.file_index])]
    else:
        paths = [str(session.paths[state.file_index])]
    return spec.command(paths, export=export)
