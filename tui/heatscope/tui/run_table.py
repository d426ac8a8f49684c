"""The run table (key R): one row per run with its name, modified time, size, steps, newest
step and a summary of the current view in that run; sortable by any column (click a
header, or s then the column's number), Enter opens the run at the same view.

Every row appears at once with what is known without opening the file (name, time,
size); a worker then opens each run, reads the view's slice and fills the rest, a batch
of rows at a time. While following, the table is refreshed every few seconds.
"""

from __future__ import annotations

import math
import time

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker

from heatscope.parsing import is_number
from heatscope.text import safe_text
from heatscope.tui.messages import WorkerUpdate
from heatscope.tui.tree import size_text, time_text
from heatscope.views.run_summary import RunRow, run_row, summary_columns
from heatscope.views.view_state import ViewState

BATCH_SECONDS = 0.1
FOLLOW_SECONDS = 3.0


class RowsReady(WorkerUpdate):
    def __init__(self, rows: list[RunRow], done: int, total: int) -> None:
        super().__init__()
        self.rows, self.done, self.total = rows, done, total


class Cell(Text):
    """A table cell that sorts by its value (a number or the text), not by how it reads."""

    def __init__(self, text: str, value, **kwargs) -> None:
        super().__init__(safe_text(text), **kwargs)
        self.value = value


def _number(value: float | None) -> tuple:
    """Numbers in order, then the runs without one."""
    missing = value is None or (isinstance(value, float) and math.isnan(value))
    return (1, 0.0) if missing else (0, value)


class RunTableScreen(Screen[int | None]):
    """Every run at a glance; dismisses with the chosen run's file index (or None)."""

    DEFAULT_CSS = """
    RunTableScreen DataTable { height: 1fr; }
    RunTableScreen #run-table-status { height: 1; background: $panel; }
    """
    BINDINGS = [Binding("escape,q,R", "dismiss_table", "Close"), Binding("s", "sort_next", "Sort")]

    def __init__(self, state: ViewState, order: list[int]) -> None:
        super().__init__()
        self.state, self.order = state, order
        self.first, self.second = summary_columns(state)
        self.sort_column, self.sort_reverse = "run", False

    def compose(self) -> ComposeResult:
        yield DataTable(id="run-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="run-table-status")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        columns = ["run", "modified", "size", "steps", "newest", self.first] + ([self.second] if self.second else [])
        for name in columns:
            table.add_column(Text(safe_text(name)), key=name)
        session = self.app.session
        for index in self.order:  # what is known without opening the file, at once
            size, modified = session.files[index].stamp or (0, 0)
            table.add_row(*self._cells(RunRow(index, session.run_name(index), modified, size)), key=str(index))
        table.move_cursor(row=self.order.index(self.state.file_index) if self.state.file_index in self.order else 0)
        table.focus()
        self.fill(self.order)
        if getattr(self.app, "following", False):
            self.set_interval(FOLLOW_SECONDS, lambda: self.fill(self.order))

    def _cells(self, row: RunRow) -> list[Cell]:
        pending = not row.read
        cells = [Cell(row.name, (row.name,)),
                 Cell(time_text(row.modified_ns) if row.modified_ns else "-", (row.modified_ns,)),
                 Cell(size_text(row.size), (row.size,), justify="right"),
                 Cell("" if row.steps is None else str(row.steps), _number(row.steps), justify="right"),
                 Cell(row.newest, _number(float(row.newest)) if is_number(row.newest) else (2, row.newest))]
        for value in (row.first, row.second)[: 2 if self.second else 1]:
            if pending:
                text = "…"
            elif math.isnan(value):
                text = row.note[:30] if row.note else "NaN"
            else:
                text = f"{value:.4g}"
            cells.append(Cell(text, _number(value), justify="right", style="dim" if row.note else ""))
        return cells

    @work(thread=True, exclusive=True, exit_on_error=False, group="run-table")
    def fill(self, order: list[int]) -> None:
        worker = get_current_worker()
        batch, last = [], time.monotonic()
        for done, index in enumerate(order, start=1):
            if worker.is_cancelled:
                return
            try:
                batch.append(run_row(self.app.session, index, self.state))
            except Exception as exc:  # noqa: BLE001 - a bad run is a row that says so
                size, modified = self.app.session.files[index].stamp or (0, 0)
                batch.append(RunRow(index, self.app.session.run_name(index), modified, size,
                                    note=f"{type(exc).__name__}: {exc}", read=True))
            if time.monotonic() - last > BATCH_SECONDS or done == len(order):
                self.post_message(RowsReady(batch, done, len(order)))
                batch, last = [], time.monotonic()

    def on_rows_ready(self, message: RowsReady) -> None:
        table = self.query_one(DataTable)
        columns = list(table.columns)
        for row in message.rows:
            for column, cell in zip(columns, self._cells(row)):
                table.update_cell(str(row.file_index), column, cell)
        if message.done == message.total and self.sort_column != "run":
            self.sort_rows()
        status = f" {message.done} of {message.total} runs read" if message.done < message.total else \
            f" {message.total} runs · sorted by {self.sort_column}{' (descending)' if self.sort_reverse else ''}"
        self.query_one("#run-table-status", Static).update(Text(safe_text(status) + "  ·  Enter opens · s sorts "
                                                                 "· click a header · escape closes", style="dim"))

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        column = str(event.column_key.value)
        self.sort_reverse = not self.sort_reverse if column == self.sort_column else False
        self.sort_column = column
        self.sort_rows()

    def action_sort_next(self) -> None:
        columns = [str(c.value) for c in self.query_one(DataTable).columns]
        self.sort_column = columns[(columns.index(self.sort_column) + 1) % len(columns)]
        self.sort_reverse = False
        self.sort_rows()

    def sort_rows(self) -> None:
        self.query_one(DataTable).sort(self.sort_column, key=lambda cell: cell.value, reverse=self.sort_reverse)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if self.app.screen is self:  # a second Enter queued before it closed
            self.dismiss(int(event.row_key.value))

    def action_dismiss_table(self) -> None:
        self.dismiss(None)
