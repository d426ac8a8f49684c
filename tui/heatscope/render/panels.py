"""Reading the panels of a view (one per facet, each possibly a difference) and choosing
the one color scale they share. Used by the TUI's worker and by ``heatscope export``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from heatscope.data.session import Session
from heatscope.render.facets import PanelSpec, difference
from heatscope.render.normalize import Norm, compute_norm
from heatscope.render.view_state import ViewState

DIFF_CMAP = "RdBu_r"


@dataclass
class Panel:
    spec: PanelSpec
    values: np.ndarray  # rows x cols, float64, NaN where missing or not finite
    missing: np.ndarray


def read_panels(session: Session, state: ViewState, cached_only: bool = False) -> list[Panel] | None:
    """Every panel of ``state`` read through the session's cache.

    With ``state.minus_file``, each panel is the state's file minus the same slice of that
    file. With ``cached_only``, nothing is read from disk: None unless every slice is cached.
    """
    read = session.cached if cached_only else session.read
    minus_file = state.minus_file
    panels = []
    for spec in state.panels():
        data = read(state.file_index, state.info, spec.selection, state.derived)
        minus = None
        if minus_file is not None:
            minus = read(minus_file, state.info, spec.selection, state.derived)
        elif spec.minus is not None:
            minus = read(state.file_index, state.info, spec.minus, state.derived)
        if data is None or (minus is None and (minus_file is not None or spec.minus is not None)):
            return None
        if minus is None:
            panels.append(Panel(spec, data.values, data.missing))
        else:
            panels.append(Panel(spec, difference(data.values, minus.values), data.missing | minus.missing))
    return panels


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
