"""The evaluator's second half: a resolved view and its panels as the frame every output
draws (the TUI's heatmap, stats and profile strip, the early first frame, every export):
one shared color scale, the colormap, the colorbar's title, panels per grid row, the profile.
``evaluate`` runs the whole evaluator for a headless caller."""

from __future__ import annotations

from dataclasses import dataclass, field

from heatscope.catalog.datasets import DatasetInfo
from heatscope.read.session import Session
from heatscope.views.normalize import Norm
from heatscope.views.panels import Panel, display_info, read_panels, shared_norm
from heatscope.views.profile import ProfileModel, col_profile, row_profile
from heatscope.views.resolve import resolve
from heatscope.views.spec import ViewSpec
from heatscope.views.view_state import ViewState


@dataclass
class Frame:
    """Panels of one view sharing a color scale, ready for any output."""

    state: ViewState
    panels: list[Panel]
    norm: Norm
    cmap: str
    value_title: str  # the colorbar's title
    per_row: int | None = None  # panels a grid row prefers (the inner facet's size)
    profile: ProfileModel | None = None  # the cursor's row or column, when the view profiles
    name: str = ""  # display-safe name of what is shown (titles, file names)
    notes: list[str] = field(default_factory=list)  # said to the user (runs left out of a stack)

    @property
    def info(self) -> DatasetInfo:
        return self.state.info


def value_title(state: ViewState, names: list[str]) -> str:
    """``Relative expert load difference: runB minus runA``: what the colors mean."""
    info = state.info
    title = info.value.title(info.name) + (" difference" if state.differenced else "")
    if state.minus_file is not None:
        title += f": {names[state.file_index]} minus {names[state.minus_file]}"
    return title


def profile_of(state: ViewState, panels: list[Panel], norm: Norm) -> ProfileModel | None:
    """The chart of the cursor's row or column, when the view has one."""
    if state.profile is None:
        return None
    panel, row, col = state.cursor_panel()
    chosen = panels[min(panel, len(panels) - 1)]
    info = display_info(state)
    if state.profile == "row":
        return row_profile(info, chosen, row, col, norm, state.cmap)
    return col_profile(info, chosen, row, col)


def make_frame(state: ViewState, panels: list[Panel], scan, names: list[str], name: str = "",
               notes: list[str] | None = None) -> Frame:
    """The frame of ``state`` once its panels are read (``scan``: its global range, if any)."""
    norm = shared_norm(state, panels, scan, state.differenced)
    per_row = len(state.facets[-1].indices) if len(state.facets) == 2 else None
    return Frame(state, panels, norm, state.cmap, value_title(state, names), per_row,
                 profile_of(state, panels, norm), name, list(notes or ()))


def evaluate(session: Session, spec: ViewSpec, target: tuple[int, int] | None = None) -> Frame:
    """Resolve ``spec``, compute what it reduces, read its panels (only those slices), scan
    for the global range when the view's colors need it, and make the frame."""
    resolved = resolve(session, spec)
    state = resolved.state
    for index in {state.file_index} | ({state.minus_file} if state.minus_file is not None else set()):
        session.compute_reduction(index, state.info)  # nothing to do for stored data
    panels = read_panels(session, state, target=target)
    scan = None
    if state.range_mode == "global" and not state.differenced:
        scan = session.scan(state.file_index, state.info, state.derived, percentiles=())
    return make_frame(state, panels, scan, session.names, resolved.name, resolved.notes)
