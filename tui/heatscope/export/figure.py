"""Assembling what an export draws: the dataset, its panels' values, one shared color scale."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from heatscope.data.catalog import DatasetInfo
from heatscope.data.reduce import reduced_info
from heatscope.data.text import safe_text
from heatscope.data.session import Session
from heatscope.errors import HeatscopeError
from heatscope.render.facets import check_same_layout, panel_specs, parse_diff, parse_facet
from heatscope.render.normalize import Norm
from heatscope.render.panels import DIFF_CMAP, Panel, read_panels, shared_norm
from heatscope.render.profile import ProfileModel, col_profile, row_profile
from heatscope.render.view_state import ViewState, initial_state


@dataclass
class ExportRequest:
    """The export command line, parsed."""

    paths: list[Path]
    dataset: str | None = None
    picks: dict[str, str] = field(default_factory=dict)
    facets: list[str] = field(default_factory=list)
    diff: str | None = None
    cmap: str | None = None
    range_mode: str | None = None
    vmin: float | None = None
    vmax: float | None = None
    target: tuple[int, int] | None = None  # cells an overview of a huge slice needs (the format's)
    reduce: tuple[str, str] | None = None  # (axis, statistic): a metric view
    axes: str | None = None  # "ROW,COL": the two axes drawn (names or indices)
    profile: str | None = None  # "row" or "col": a chart of the selected row or column instead


@dataclass
class Figure:
    """Panels of one dataset sharing a color scale, ready for any output format."""

    name: str  # the run's name (display-safe), for titles and file names
    state: ViewState
    panels: list[Panel]
    norm: Norm
    cmap: str
    value_title: str
    profile: ProfileModel | None = None  # drawn instead of the map
    notes: list[str] = field(default_factory=list)  # said on stderr (runs left out of a stack)

    @property
    def info(self) -> DatasetInfo:
        return self.state.info


def displayed_axes(info: DatasetInfo, text: str) -> tuple[int, int]:
    """``"step,expert"`` or ``"0,2"`` -> the (row, column) axis indices."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2 or not all(parts):
        raise HeatscopeError(f"--axes wants ROW,COL (two axis names or indices), got {text!r}")
    found = []
    for part in parts:
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


def _open(session: Session) -> None:
    for f in session.open_all():
        if f.catalog is None:
            raise HeatscopeError(f.error or "cannot open")


def _names_runs(req: ExportRequest) -> bool:
    """Whether the request uses the run axis (then two files are runs, not a difference)."""
    texts = [*req.facets, req.diff or "", req.axes or "", *req.picks]
    return any(t.strip().casefold().split("=")[0] in ("run", "#0") or t.casefold().startswith("run,")
               or ",run" in t.casefold() for t in texts)


def build_figure(req: ExportRequest) -> Figure:
    """Read every panel of the request (only those slices) and choose the color scale.

    One file is drawn as it is; two files show the second minus the first, unless the
    request names the ``run`` axis; three or more (a directory of runs) are stacked behind
    a ``run`` axis, runs that differ left out with a note."""
    if not req.paths:
        raise HeatscopeError("nothing to export")
    runs = len(req.paths) > 2 or (len(req.paths) == 2 and _names_runs(req))
    session = Session(req.paths)
    notes: list[str] = []
    try:
        if runs:
            session.open_all(eager=0)
            file_index, info = session.initial_dataset(req.dataset)
        else:
            _open(session)
            file_index, info = 0, session.files[0].catalog.find(req.dataset) if req.dataset else \
                session.files[0].catalog.default_dataset()
        if info is None:
            raise HeatscopeError(f"no dataset named {req.dataset!r}" if req.dataset else "no viewable dataset",
                                 str(req.paths[0]))
        if not info.viewable:
            raise HeatscopeError(f"dataset is not viewable: {info.reason}", info.path)
        raw = info
        if runs:
            info, left_out = session.stack(raw.path, session.name_order(), req.reduce)
            notes += [f"{session.run_name(i)} left out: {why}" for i, why in left_out]
            if req.reduce is not None:
                session.compute_reduction(file_index, info)
        elif req.reduce is not None:
            info = reduced_info(raw, *req.reduce)
            for index in range(len(req.paths)):
                session.compute_reduction(index, info)
        state = initial_state(file_index, info, req.picks, cmap=req.cmap, range_mode=req.range_mode,
                              vmin=req.vmin, vmax=req.vmax)
        if req.axes:
            state = state.with_selection(state.selection.with_display(*displayed_axes(state.info, req.axes)))
        facets = [parse_facet(state.info, state.selection, f) for f in req.facets]
        diff = parse_diff(state.info, state.selection, req.diff) if req.diff else None
        state = replace(state, facets=tuple(facets), diff=diff)
        panel_specs(state.info, state.selection, facets, diff)  # validates the combination
        second = None
        if len(req.paths) == 2 and not runs:
            second = session.files[1].catalog.find(raw.path)
            if second is None:
                raise HeatscopeError(f"no dataset {raw.display_path} in the second file", str(req.paths[1]))
            check_same_layout(raw, second)
        # a second file: show it minus the first, so read file 1 and subtract file 0
        panels = read_panels(session, replace(state, file_index=1, minus_file=0) if second else state,
                             target=req.target)
        differenced = diff is not None or second is not None
        scan = None
        if state.range_mode == "global" and req.range_mode is None and session.is_remote(file_index):
            state = replace(state, range_mode="slice")  # a default global scan would download the file
        if state.range_mode == "global" and not differenced:
            scan = session.scan(file_index, state.info, state.derived, percentiles=())
        norm = shared_norm(state, panels, scan, differenced)
        cmap = req.cmap or (DIFF_CMAP if differenced else state.cmap)
        title = state.info.value.title(state.info.name)
        if second is not None:
            title = f"{title}: {session.run_name(1)} minus {session.run_name(0)}"
        elif diff is not None:
            title = f"{title} difference"
        profile = None
        if req.profile is not None:  # the row/column picked with --select on a drawn axis
            sel = state.selection
            row = sel.index[sel.row_axis] if sel.row_axis is not None else 0
            col = sel.index[sel.col_axis]
            info = state.info
            profile = (row_profile(info, panels[0], row, col, norm, cmap) if req.profile == "row"
                       else col_profile(info, panels[0], row, col))
        name = (os.path.basename(os.path.commonpath([str(p.parent) for p in req.paths])) or "runs") if runs \
            else session.run_name(0)
        return Figure(safe_text(name), state, panels, norm, cmap, title, profile, notes)
    finally:
        session.close()
