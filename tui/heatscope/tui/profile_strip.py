"""The profile strip under the heatmap: the cursor's row or column as a chart (key v)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from textual.widgets import Static

if TYPE_CHECKING:  # charts are drawn only once v is pressed
    from heatscope.views.profile import ProfileModel


class ProfileChart:
    """A ``ProfileModel`` drawn at whatever width the strip has."""

    def __init__(self, model: ProfileModel, height: int) -> None:
        self.model = model
        self.height = height

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from heatscope.render.profile import profile_lines

        for line in profile_lines(self.model, options.max_width, self.height):
            yield from line
            yield Segment.line()


class ProfileStrip(Static):
    """Hidden until ``v``; a third of the screen's height (at least 7 lines)."""

    DEFAULT_CSS = """
    ProfileStrip { height: 12; padding: 0 1; border-top: hkey $foreground 30%; }
    ProfileStrip.-hidden { display: none; }
    """

    def show_chart(self, model: ProfileModel) -> None:
        height = max(7, self.app.size.height // 3)
        self.styles.height = height
        self.update(ProfileChart(model, height - 1))
