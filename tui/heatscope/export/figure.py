"""Assembling what an export draws: the dataset, its panels' values, one shared color scale."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from heatscope.data.catalog import DatasetInfo
from heatscope.data.scan import scan_dataset
from heatscope.data.session import Session
from heatscope.data.slices import expert_axis, relative_load
from heatscope.errors import HeatscopeError
from heatscope.render.facets import (
    PanelSpec,
    check_same_layout,
    difference,
    panel_specs,
    parse_diff,
    parse_facet,
)
from heatscope.render.normalize import Norm, compute_norm
from heatscope.render.view_state import ViewState, initial_state

DIFF_CMAP = "RdBu_r"


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


@dataclass
class Panel:
    spec: PanelSpec
    values: np.ndarray
    missing: np.ndarray


@dataclass
class Figure:
    """Panels of one dataset sharing a color scale, ready for any output format."""

    name: str  # file stem, for titles and file names
    state: ViewState
    panels: list[Panel]
    norm: Norm
    cmap: str
    value_title: str

    @property
    def info(self) -> DatasetInfo:
        return self.state.info


def _open(session: Session) -> None:
    for f in session.open_all():
        if f.catalog is None:
            raise HeatscopeError(f.error or "cannot open")


def build_figure(req: ExportRequest) -> Figure:
    """Read every panel of the request (only those slices) and choose the color scale."""
    if not 1 <= len(req.paths) <= 2:
        raise HeatscopeError("export takes one file, or two to difference")
    session = Session(req.paths)
    try:
        _open(session)
        catalog = session.files[0].catalog
        info = catalog.find(req.dataset) if req.dataset else catalog.default_dataset()
        if info is None:
            raise HeatscopeError(f"no dataset named {req.dataset!r}" if req.dataset else "no viewable dataset",
                                 str(req.paths[0]))
        if not info.viewable:
            raise HeatscopeError(f"dataset is not viewable: {info.reason}", info.path)
        state = initial_state(0, info, req.picks, cmap=req.cmap, range_mode=req.range_mode,
                              vmin=req.vmin, vmax=req.vmax)
        facets = [parse_facet(state.info, state.selection, f) for f in req.facets]
        diff = parse_diff(state.info, state.selection, req.diff) if req.diff else None
        specs = panel_specs(state.info, state.selection, facets, diff)
        second = None
        if len(req.paths) == 2:
            second = session.files[1].catalog.find(info.path)
            if second is None:
                raise HeatscopeError(f"no dataset {info.path!r} in the second file", str(req.paths[1]))
            check_same_layout(info, second)
        panels = [_read_panel(session, state, spec, second) for spec in specs]
        differenced = diff is not None or second is not None
        norm, cmap = _scale(req, session, state, panels, differenced)
        title = state.info.value.title(state.info.name)
        if second is not None:
            title = f"{title}: {req.paths[1].stem} minus {req.paths[0].stem}"
        elif diff is not None:
            title = f"{title} difference"
        return Figure(req.paths[0].stem, state, panels, norm, cmap, title)
    finally:
        session.close()


def _read_panel(session: Session, state: ViewState, spec: PanelSpec, second: DatasetInfo | None) -> Panel:
    data = session.read(0, state.info, spec.selection, state.derived)
    if second is not None:  # same path and layout in the second file (checked)
        other = session.read(1, state.info, spec.selection, state.derived)
        return Panel(spec, difference(other.values, data.values), data.missing | other.missing)
    if spec.minus is not None:
        minus = session.read(0, state.info, spec.minus, state.derived)
        return Panel(spec, difference(data.values, minus.values), data.missing | minus.missing)
    return Panel(spec, data.values, data.missing)


def _scale(req: ExportRequest, session: Session, state: ViewState, panels: list[Panel], differenced: bool):
    every = np.concatenate([p.values.ravel() for p in panels])
    if differenced:
        finite = every[np.isfinite(every)]
        half = float(np.abs(finite).max()) if finite.size else 1.0
        half = half or 1.0
        lo = req.vmin if req.vmin is not None else -half
        hi = req.vmax if req.vmax is not None else half
        return Norm(lo, hi, mode="diverging", center=0.0), req.cmap or DIFF_CMAP
    scan = None
    if state.range_mode == "global":
        dset = session.dataset(0, state.info)
        kwargs = {}
        if state.derived:
            axis = expert_axis(state.info)
            kwargs = {"transform": lambda b: relative_load(b, axis=axis), "full_axes": (axis,)}
        scan = scan_dataset(dset, state.info.value, percentiles=(), **kwargs)
    norm = compute_norm(state.range_mode, every[np.newaxis, :], state.info.value, scan, state.vmin, state.vmax)
    return norm, state.cmap
