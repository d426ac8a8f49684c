"""A one-line key bar: the main bindings as plain text, named after the view's real axes.

``]/[`` is labelled with the axis it steps (``layer``, ``step``...) and ``}/{`` with the
second one; each disappears when the view has no such axis (a 2-D dataset, everything
faceted). Textual's Footer builds a widget per key and recomposes on every focus change,
which cost about 40 ms of the first paint here; one Static line is enough.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from heatscope.text import safe_text

# Most used first: at 80 columns the line is cut on the right.
AFTER_STEP = [("g", "go to"), ("m", "metric"), ("c", "cmap"), ("r", "range"), ("s", "shot"), ("?", "help"),
              ("q", "quit"), ("f", "facet"), ("d", "diff")]
TAIL = [("t", "transpose"), ("b", "tree"), ("^p", "palette")]


def hint_items(step_axis: str | None, second_axis: str | None) -> list[tuple[str, str]]:
    """The key bar's (key, what) pairs for a view stepping ``step_axis`` and ``second_axis``."""
    items = [("]/[", safe_text(step_axis))] if step_axis else []
    items += AFTER_STEP
    items += [("}/{", safe_text(second_axis))] if second_axis else []
    return items + TAIL


class KeyHints(Static):
    DEFAULT_CSS = """
    KeyHints { dock: bottom; height: 1; background: $panel; color: $foreground; }
    """

    def __init__(self) -> None:
        super().__init__(self._text(hint_items(None, None), ""))
        self._axes: tuple[str | None, str | None] = (None, None)
        self._status = ""

    @staticmethod
    def _text(items: list[tuple[str, str]], status: str) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        if status:  # work in progress comes first, so it is seen at 80 columns too
            text.append(f" {status} ", style="bold black on yellow")
        for key, what in items:
            text.append(f" {key} ", style="bold reverse")
            text.append(f" {what} ")
        return text

    def _refresh_text(self) -> None:
        self.update(self._text(hint_items(*self._axes), self._status))

    def show_axes(self, step_axis: str | None, second_axis: str | None) -> None:
        """Relabel the step keys (only when they changed: this runs on every redraw)."""
        if (step_axis, second_axis) != self._axes:
            self._axes = (step_axis, second_axis)
            self._refresh_text()

    def set_status(self, status: str) -> None:
        """A short note on work in progress (reading an overview), or "" to clear it."""
        if status != self._status:
            self._status = status
            self._refresh_text()
