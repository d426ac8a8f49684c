"""Reading the panels of a view (one per facet, each possibly a difference) and choosing
the one color scale they share. Used by the TUI's worker and by ``heatscope export``."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from heatscope.errors import HeatscopeError
from heatscope.read.session import Session
from heatscope.read.slices import SliceData
from heatscope.read.summary import SliceSummary, summarize
from heatscope.views.facets import PanelSpec, difference
from heatscope.views.normalize import Norm, compute_norm
from heatscope.views.view_state import ViewState

if TYPE_CHECKING:
    from heatscope.read.pooling import OverviewStats

DIFF_CMAP = "RdBu_r"


@dataclass
class Panel:
    spec: PanelSpec
    values: np.ndarray  # rows x cols, float64, NaN where missing or not finite
    missing: np.ndarray
    factors: tuple[int, int] = (1, 1)  # an overview: data rows x columns per value
    overview: OverviewStats | None = None  # exact stats of the whole slice behind an overview
    hot: np.ndarray | None = None  # a "hot" metric view: the hottest expert's index per cell
    summary: SliceSummary | None = None  # the stats panel's slice section, computed with the read

    @property
    def data(self) -> SliceData:
        return SliceData(self.values, self.missing, self.spec.selection, self.factors, self.overview, self.hot)


def read_panels(session: Session, state: ViewState, cached_only: bool = False,
                target: tuple[int, int] | None = None, **progress) -> list[Panel] | None:
    """Every panel of ``state`` read through the session's cache.

    With ``state.minus_file``, each panel is the state's file minus the same slice of that
    file. With ``cached_only``, nothing is read from disk: None unless every slice is cached.
    Slices too large to read whole come as overviews of at most ``target`` cells.
    """
    def read(file_index, sel):
        if cached_only:
            return session.cached(file_index, state.info, sel, state.derived, target)
        return session.read(file_index, state.info, sel, state.derived, target, **progress)

    panels = []
    shown = display_info(state)
    for spec in state.panels():
        # the summary's key is taken before the read: a metric view filling in meanwhile
        # then makes the data newer than its key, never a summary of older data under a
        # newer key (which a later read of the finished view would have shown)
        key = ("summary", state.slice_key, spec.selection.identity, spec.minus and spec.minus.identity,
               session.cache_key(state.file_index, state.info, spec.selection, state.derived, target))
        data = read(state.file_index, spec.selection)
        minus = None
        if state.minus_file is not None:
            minus = read(state.minus_file, spec.selection)
        elif spec.minus is not None:
            minus = read(state.file_index, spec.minus)
        if data is None or (minus is None and (state.minus_file is not None or spec.minus is not None)):
            return None
        if minus is None:
            panel = Panel(spec, data.values, data.missing, data.factors, data.overview, data.hot)
        elif data.overview is not None:
            raise HeatscopeError("this slice is too large to difference: its overview holds block maxima, and "
                                 "a difference of maxima is not the largest difference; display fewer cells")
        else:
            panel = Panel(spec, difference(data.values, minus.values), data.missing | minus.missing)
        panel.summary = session.memo(key, lambda p=panel: summarize(shown, p.data))
        panels.append(panel)
    return panels


def display_info(state: ViewState):
    """The dataset as its statistics see it: differences are signed (no balance metrics)."""
    if state.differenced:
        return replace(state.info, value=replace(state.info.value, kind="signed"))
    return state.info


def shared_norm(state: ViewState, panels: list[Panel], scan=None, differenced: bool = False) -> Norm:
    """One color range for every panel: symmetric around 0 for differences, else the
    state's range mode over all panels together."""
    every = np.concatenate([p.values.ravel() for p in panels])[np.newaxis, :]
    if differenced:
        finite = every[np.isfinite(every)]
        half = float(np.abs(finite).max()) if finite.size else 1.0
        half = half or 1.0
        lo = state.vmin if state.vmin is not None else -half
        hi = state.vmax if state.vmax is not None else half
        return Norm(lo, hi, mode="diverging", center=0.0)
    return compute_norm(state.range_mode, every, state.info.value, scan, state.vmin, state.vmax)


def overview_target(width: int, height: int) -> tuple[int, int]:
    """How many cells an overview of a huge slice needs on a ``width`` x ``height`` screen:
    two per character each way (half blocks), whatever the facets; further aggregation
    happens when drawn."""
    return max(64, 2 * height), max(64, 2 * width)
