"""One row of the run table: a run's identity, size, steps, newest step, and a summary of the
current view in that run (MaxVio averaged over the rows for load kinds, else mean and max)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from heatscope.catalog.datasets import DatasetInfo, is_step_axis
from heatscope.errors import HeatscopeError
from heatscope.read.session import Session
from heatscope.read.summary import summarize
from heatscope.views.carry import carried_over
from heatscope.views.view_state import ViewState


@dataclass(frozen=True)
class RunRow:
    file_index: int
    name: str
    modified_ns: int
    size: int
    steps: int | None = None
    newest: str = ""  # the last label on the growing axis of the dataset
    first: float = math.nan  # MaxVio (load kinds) or mean, of the view in this run
    second: float = math.nan  # max (other kinds)
    note: str = ""  # why the row has no summary
    read: bool = False  # False: only what is known without opening the file


def summary_columns(state: ViewState) -> tuple[str, str | None]:
    """The summary columns' names for the current view."""
    if state.info.value.is_load and state.info.reduction is None:
        sel = state.selection
        rows = state.info.axes[sel.row_axis].name if sel.row_axis is not None else "row"
        return f"MaxVio (mean over {rows}s)", None
    return "mean", "max"


def _newest(info: DatasetInfo) -> str:
    for axis, a in enumerate(info.axes):
        if axis in info.unlimited or is_step_axis(info, axis):
            return a.label(a.size - 1)
    return ""


def run_row(session: Session, file_index: int, state: ViewState) -> RunRow:
    """The table row of run ``file_index``, reading the view's slice in that run."""
    f = session.ensure_open(file_index)
    size, modified = f.stamp or (0, 0)
    row = RunRow(file_index, session.run_name(file_index), modified, size, read=True)
    if f.catalog is None:
        return RunRow(**{**row.__dict__, "note": f.error or "cannot open"})
    steps = f.catalog.steps()
    path = state.info.reduction.base_path if state.info.reduction else state.info.path
    raw = f.catalog.find(path)
    if raw is None or not raw.viewable:
        return RunRow(**{**row.__dict__, "steps": steps, "note": "no such dataset"})
    try:
        view = carried_over(state, file_index, raw)
        data = session.read(file_index, view.info, view.selection, view.derived)
    except HeatscopeError as exc:
        return RunRow(**{**row.__dict__, "steps": steps, "newest": _newest(raw), "note": str(exc)})
    summary = summarize(view.info, data)
    if summary.load is not None:
        first, second = summary.load.max_vio, math.nan
    else:
        first, second = summary.basic.mean, summary.basic.max
    return RunRow(file_index, row.name, modified, size, steps, _newest(raw), first, second, read=True)
