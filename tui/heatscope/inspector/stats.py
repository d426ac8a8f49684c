"""The stats side panel widget: shows the headless stats renderable."""

from __future__ import annotations

from rich.console import RenderableType
from textual.containers import VerticalScroll
from textual.widgets import Static


class StatsPanel(VerticalScroll):
    """Slice stats, balance metrics, hottest cells and the cursor cell."""

    DEFAULT_CSS = """
    StatsPanel { width: 30; border-left: vkey $foreground 30%; padding: 0 0 0 1; scrollbar-size-vertical: 1; }
    StatsPanel > Static { width: 100%; }
    """

    def compose(self):
        yield Static("", id="stats-body")

    def update(self, renderable: RenderableType) -> None:
        self.query_one("#stats-body", Static).update(renderable)
