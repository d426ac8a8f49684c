"""The stats panel's sparkline: the cursor row's metric along the step axis, read by a worker
only when the row, the slice or the step axis changed."""

from __future__ import annotations

from textual import work
from textual.worker import get_current_worker

from heatscope.tui.messages import WorkerUpdate
from heatscope.views.view_state import ViewState

REMOTE_LIMIT = 1 << 18  # values a remote file's sparkline may read (1 MB of float32)


class SparkReady(WorkerUpdate):
    def __init__(self, key: tuple, label: str, values) -> None:
        super().__init__()
        self.key = key
        self.label = label
        self.values = values


def spark_key(state: ViewState, row: int) -> tuple | None:
    """What the sparkline depends on; None when there is nothing to draw it along."""
    axis = state.step_axis
    if axis is None or state.differenced or state.info.reduction is not None or state.selection.row_axis is None:
        return None
    index = tuple(-1 if a == axis else i for a, i in enumerate(state.selection.index))
    return (state.file_index, state.info.path, state.derived, state.selection.displayed, index, axis, row)


class SparkMixin:
    """Sparkline requests of ``HeatscopeApp``."""

    _spark_key: tuple | None = None

    def request_spark(self, state: ViewState, row: int) -> None:
        key = spark_key(state, row)
        if key == self._spark_key:
            return
        self._spark_key = key
        if key is None:
            self.query_one("StatsPanel").show_spark("", None)
            return
        self.read_spark(state, row, key)

    @work(thread=True, exclusive=True, exit_on_error=False, group="spark")
    def read_spark(self, state: ViewState, row: int, key: tuple) -> None:
        from heatscope.read.row_along import LIMIT, row_metric_along, row_metric_name

        worker = get_current_worker()
        info, sel, axis = state.info, state.selection, state.step_axis
        try:
            raw = self.session.files[state.file_index].catalog.find(info.path)
            limit = REMOTE_LIMIT if self.session.is_remote(state.file_index) else LIMIT
            values = row_metric_along(self.session.dataset(state.file_index, raw), raw, sel, row, axis,
                                      state.derived, cancelled=lambda: worker.is_cancelled, limit=limit)
        except Exception:  # noqa: BLE001 - a sparkline is a nicety: none rather than an error
            values = None
        name = {"maxvio": "MaxVio", "mean": "mean"}[row_metric_name(info, sel)]
        self.post_message(SparkReady(key, f"{name} by {info.axes[axis].name}", values))

    def on_spark_ready(self, message: SparkReady) -> None:
        if message.key == self._spark_key:
            self.query_one("StatsPanel").show_spark(message.label, message.values)
