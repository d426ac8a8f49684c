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
        self._spark: tuple[str, list[float]] | None = None
        self._strips: list[Strip] = []
        self._width = 0

    @property
    def spark(self) -> tuple[str, list[float]] | None:
        """The sparkline shown: (label, values), or None."""
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
            finite = data[np.isfinite(data)]
            lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
            spark = (f"{label}: {lo:.3g}..{hi:.3g}", [float(v) if np.isfinite(v) else lo for v in data])
        if spark != self._spark:
            self._spark = spark
            self._render_part("spark")

    def _part(self, name: str) -> RenderableType:
        if name != "spark":
            return self._renderables[name]
        if self._spark is None:
            return Text("")
        label, data = self._spark
        theme = self.app.current_theme
        return Group(Text(safe_text(label), style="dim", no_wrap=True, overflow="ellipsis"),
                     Sparkline(data, width=max(1, self._width - 1), min_color=Color.parse(theme.primary),
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
