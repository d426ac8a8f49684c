"""Metric views in the app: ``m`` reduces an axis with a statistic (a chooser; for load kinds
the expert axis by MaxVio is preselected), ``m`` again returns to the slice.

The reduction is computed by a thread worker block by block; the view redraws with the
blocks done so far (the rest shows as missing) at most a few times a second, the key bar
shows the progress, and leaving the view or choosing another stops the worker.
"""

from __future__ import annotations

import time

from textual import work
from textual.worker import get_current_worker

from heatscope.errors import HeatscopeError
from heatscope.read.slices import expert_axis
from heatscope.tui.messages import WorkerUpdate
from heatscope.views.view_state import ViewState, initial_state

REDRAW_SECONDS = 0.25  # partial results are drawn at most this often


class ReduceProgress(WorkerUpdate):
    """Blocks of the metric view ``key`` done so far (``fraction`` 1.0: finished, -1: failed)."""

    def __init__(self, key: tuple, fraction: float, error: str = "") -> None:
        super().__init__()
        self.key = key
        self.fraction = fraction
        self.error = error


def default_metric(info) -> tuple[str, str]:
    """(axis, statistic) preselected: the expert axis by MaxVio for load kinds, else the
    column axis by its mean."""
    if info.value.is_load:
        return info.axes[expert_axis(info)].name, "maxvio"
    return info.axes[-1].name, "mean"


def carried_picks(state: ViewState) -> dict[str, str]:
    """The labels of the stepped axes, to open another view of the same place."""
    return {state.info.axes[a].name: state.info.axes[a].label(state.selection.index[a])
            for a in state.selection.stepped_axes}


class MetricViewsMixin:
    """Metric views of ``HeatscopeApp``."""

    _last_redraw = 0.0

    def raw_info(self, state: ViewState):
        """The stored dataset behind a view (a metric view's base, the counts behind load)."""
        path = state.info.reduction.base_path if state.info.reduction else state.info.path
        return self.session.files[state.file_index].catalog.find(path)

    def action_metric(self) -> None:
        from heatscope.stats.metrics import statistics_for
        from heatscope.tui.screens import MetricScreen

        state = self.state
        if state is None:
            return
        if state.info.reduction is not None:
            self.leave_metric()
            return
        raw = self.raw_info(state)
        if raw is None or len(raw.shape) < 2:
            self.notify("a metric view needs a dataset of two or more axes")
            return
        axis, stat = default_metric(raw)
        axes = [a.name for a in raw.axes if a.name != "run" or state.info.stack is None]

        def chosen(choice: tuple[str, str] | None) -> None:
            if choice is not None:
                self.show_metric(*choice)

        self.push_screen(MetricScreen(axes, list(statistics_for(raw.value.is_load)), axis, stat), chosen)

    def show_metric(self, axis: str, stat: str, state: ViewState | None = None) -> None:
        """Switch to the view of ``stat`` over ``axis`` (at the same labels where they exist);
        in a stack of runs, every run's metric view, stacked."""
        state = state or self.state
        if state.info.stack is not None:
            if axis.casefold() == "run":
                self.notify("a metric over the run axis is not drawn; reduce an axis of the runs' data",
                            title="Metric view", severity="error")
                return
            self.build_stack(state.slice_key, state.info.stack.base_path, list(state.info.stack.members),
                             (axis, stat), None)
            return
        from heatscope.read.reduce import reduced_info

        raw = self.raw_info(state)
        try:
            info = reduced_info(raw, axis, stat)
            picks = {k: v for k, v in carried_picks(state).items() if k.casefold() != axis.casefold()}
            try:
                new = initial_state(state.file_index, info, picks, range_mode=None)
            except HeatscopeError:
                new = initial_state(state.file_index, info)
        except HeatscopeError as exc:
            self.notify(str(exc), title="Metric view", severity="error")
            return
        self.start_view(new)
        self.compute_metric(new)

    def leave_metric(self) -> None:
        state = self.state
        self.workers.cancel_group(self, "reduce")
        self.query_one("KeyHints").set_status("")
        if state.info.stack is not None:  # the stack of the runs' data itself
            self.build_stack(state.slice_key, state.info.stack.base_path, list(state.info.stack.members), None, None)
            return
        raw = self.raw_info(state)
        try:
            new = initial_state(state.file_index, raw, carried_picks(state))
        except HeatscopeError:
            new = initial_state(state.file_index, raw)
        self.start_view(new)

    @work(thread=True, exclusive=True, exit_on_error=False, group="reduce")
    def compute_metric(self, state: ViewState) -> None:
        from heatscope.stats.scan import ScanCancelled
        from heatscope.tui.loading import scan_key

        worker = get_current_worker()
        key = scan_key(state)
        try:
            self.session.compute_reduction(
                state.file_index, state.info, cancelled=lambda: worker.is_cancelled,
                progress=lambda f: self.post_message(ReduceProgress(key, min(f, 0.999))))
        except ScanCancelled:
            return
        except Exception as exc:  # noqa: BLE001 - shown to the user, never a crash
            self.post_message(ReduceProgress(key, -1.0, f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(ReduceProgress(key, 1.0))

    def on_reduce_progress(self, message: ReduceProgress) -> None:
        from heatscope.tui.loading import scan_key

        state = self.state
        if state is None or scan_key(state) != message.key:
            return
        hints = self.query_one("KeyHints")
        if message.fraction < 0:
            hints.set_status("")
            self.notify(message.error, title="Metric view", severity="error")
            return
        done = message.fraction >= 1.0
        hints.set_status("" if done else f"reducing {message.fraction:.0%}")
        now = time.monotonic()
        if done:
            self.scans.pop(message.key, None)  # the range of a partial result is not the range
            self.scan_note = "pending"
        elif now - self._last_redraw < REDRAW_SECONDS:
            return
        self._last_redraw = now
        self.panels_stale()
