"""The stats side panel: the headless stats renderable and the row's sparkline, drawn as lines.

A Line-API ``ScrollView``: the renderable is rendered into strips once per update, and only
the lines that changed are repainted. A ``Static`` would ask Textual for a layout pass of
the whole screen on every update (every cursor move), which cost more than the rest of
the frame.
"""

from __future__ import annotations

import numpy as np
from rich.color import Color
from rich.console import Group, RenderableType
from rich.text import Text
from textual.geometry import Region, Size
from textual.renderables.sparkline import Sparkline
from textual.scroll_view import ScrollView
from textual.strip import Strip

from heatscope.text import safe_text
from heatscope.views.normalize import Norm

SPARK_POINTS = 256  # longer series are max-pooled to this many points first


class StatsPanel(ScrollView):
    """Cursor cell, the row's sparkline, slice stats, balance metrics and hottest cells."""

    DEFAULT_CSS = """
    StatsPanel { width: 30; border-left: vkey $foreground 30%; padding: 0 0 0 1; scrollbar-size-vertical: 1;
                 overflow-x: hidden; scrollbar-gutter: stable; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._renderables: dict[str, RenderableType] = {"cursor": Text(""), "slice": Text("")}
        self._part_strips: dict[str, list[Strip]] = {"cursor": [], "spark": [], "slice": []}
        self._spark: tuple[str, list[float | None]] | None = None
        self._strips: list[Strip] = []
        self._width = 0

    @property
    def spark(self) -> tuple[str, list[float | None]] | None:
        """The sparkline shown: (label, values with None for NaN), or None."""
        return self._spark

    def update_cursor(self, renderable: RenderableType) -> None:
        """The cursor section (cheap: redrawn on every cursor move)."""
        self._renderables["cursor"] = renderable
        self._render_part("cursor")

    def update_slice(self, renderable: RenderableType) -> None:
        """The slice's statistics, below the sparkline."""
        self._renderables["slice"] = renderable
        self._render_part("slice")

    def show_spark(self, label: str, values) -> None:
        """A sparkline of ``values`` titled ``label`` (max-pooled to ``SPARK_POINTS``), or
        none for ``values`` None."""
        if values is None or len(values) < 2:
            spark = None
        else:
            data = np.asarray(values, np.float64)
            group = -(-len(data) // SPARK_POINTS)
            if group > 1:
                pad = -len(data) % group
                data = np.fmax.reduce(np.pad(data, (0, pad), constant_values=np.nan).reshape(-1, group), axis=1)
            numbers = data[~np.isnan(data)]
            span = f"{float(numbers.min()):.3g}..{float(numbers.max()):.3g}" if numbers.size else "NaN"
            spark = (f"{label}: {span}", [None if np.isnan(v) else float(v) for v in data])
        if spark != self._spark:
            self._spark = spark
            self._render_part("spark")

    def _part(self, name: str) -> RenderableType:
        if name != "spark":
            return self._renderables[name]
        if self._spark is None:
            return Text("")
        label, data = self._spark
        title = Text(safe_text(label), style="dim", no_wrap=True, overflow="ellipsis")
        values = np.array([np.nan if v is None else v for v in data], np.float64)
        numbers = values[~np.isnan(values)]
        if not numbers.size:  # all NaN: the label says so, no flat bars
            return title
        # drawn on a 0..1 scale (NaN at the bottom): Sparkline divides by max - min, which is
        # inf for a +-1e308 series
        scaled = np.nan_to_num(Norm(float(numbers.min()), float(numbers.max()))(values), nan=0.0)
        theme = self.app.current_theme
        return Group(title,
                     Sparkline(scaled.tolist(), width=max(1, self._width - 1), min_color=Color.parse(theme.primary),
                               max_color=Color.parse(theme.accent or theme.primary)))

    def _render_part(self, name: str) -> None:
        """Render one part into strips; repaint the lines that changed (a layout pass only
        when the number of lines changes)."""
        width = self.scrollable_content_region.width
        if width <= 0:
            return
        if width != self._width and self._width:  # every part drawn to the same width
            self._width = width
            for other in ("cursor", "spark", "slice"):
                if other != name:
                    self._render_part(other)
        self._width = width
        console = self.app.console
        lines = console.render_lines(self._part(name), console.options.update_width(width), pad=True)
        strips = [Strip(line, width) for line in lines]
        if name == "spark" and self._spark is None:
            strips = []
        self._part_strips[name] = strips
        fresh = [*self._part_strips["cursor"], *self._part_strips["spark"], *self._part_strips["slice"]]
        old, self._strips = self._strips, fresh
        if len(fresh) != len(old):
            self.virtual_size = Size(width, len(fresh))
            self.refresh()
            return
        top = self.scroll_offset.y
        for y, (a, b) in enumerate(zip(old, fresh)):
            if top <= y < top + self.size.height and list(a) != list(b):
                self.refresh(Region(0, y - top, self.size.width, 1))

    def on_resize(self) -> None:
        for name in ("cursor", "spark", "slice"):
            self._render_part(name)
        self.refresh()

    def render_line(self, y: int) -> Strip:
        y += self.scroll_offset.y
        if 0 <= y < len(self._strips):
            return self._strips[y].apply_style(self.rich_style)
        return Strip.blank(self.scrollable_content_region.width, self.rich_style)
