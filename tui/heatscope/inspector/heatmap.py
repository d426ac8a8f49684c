"""The heatmap widget: Line API (``render_line`` -> ``Strip``) with an LRU strip cache.

It draws one or more stacked panels (facets) from the headless ``render.heatmap_panel``
and adds the cursor (a reactive, clamped; its row runs on through stacked panels), keys
to move it, mouse clicks, and vertical scrolling when facets are taller than the screen.
Caches are cleared in one place, ``_clear_caches``, when models, size or cursor change.

| Key | Action |
| --- | --- |
| arrows / hjkl | move the cursor one cell |
| PageUp / PageDown | move the cursor a page of rows |
| Home / End | first / last column |
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rich.segment import Segment
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from heatscope.render.geometry import Geometry
from heatscope.render.heatmap_panel import HeatmapModel, layout_heatmap


@dataclass
class StackedLayout:
    """Lines of every panel, and where each panel's cells start (for cursor and clicks)."""

    lines: list[list[Segment]]
    geometry: Geometry
    map_x: int
    map_ys: list[int]
    notes: list[str]

    @property
    def map_y(self) -> int:
        return self.map_ys[0]


class HeatmapView(ScrollView, can_focus=True):
    """Colored-block heatmaps of one or more slices, with a cell cursor."""

    DEFAULT_CSS = """
    HeatmapView { height: 1fr; width: 1fr; padding: 0 1; overflow-x: hidden; }
    """

    BINDINGS = [
        Binding("up,k", "move(-1, 0)", "Up", show=False),
        Binding("down,j", "move(1, 0)", "Down", show=False),
        Binding("left,h", "move(0, -1)", "Left", show=False),
        Binding("right,l", "move(0, 1)", "Right", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "edge(0)", "First column", show=False),
        Binding("end", "edge(1)", "Last column", show=False),
    ]

    cursor: reactive[tuple[int, int]] = reactive((0, 0), always_update=False, init=False)

    class CursorMoved(Message):
        def __init__(self, cursor: tuple[int, int]) -> None:
            super().__init__()
            self.cursor = cursor

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._models: list[HeatmapModel] = []
        self._layout: StackedLayout | None = None
        self._strips: LRUCache[int, Strip] = LRUCache(512)
        self._base_style = None
        self.message_text = "Opening…"

    @property
    def models(self) -> list[HeatmapModel]:
        return self._models

    @property
    def model(self) -> HeatmapModel | None:
        return self._models[0] if self._models else None

    @property
    def layout(self) -> StackedLayout | None:
        return self._ensure_layout()

    def show(self, models: list[HeatmapModel], cursor: tuple[int, int]) -> None:
        """Draw ``models`` stacked, with the cursor at ``cursor`` (clamped)."""
        self._models = models
        self.set_reactive(HeatmapView.cursor, self.validate_cursor(cursor))
        self._clear_caches()

    def show_message(self, text: str) -> None:
        """Replace the map with a one-line message (loading, errors)."""
        self._models = []
        self.message_text = text
        self._clear_caches()

    def validate_cursor(self, cursor: tuple[int, int]) -> tuple[int, int]:
        if not self._models:
            return (0, 0)
        rows, cols = self._models[0].values.shape
        total = rows * len(self._models)
        return (max(0, min(total - 1, cursor[0])), max(0, min(cols - 1, cursor[1])))

    def watch_cursor(self, cursor: tuple[int, int]) -> None:
        self._clear_caches()
        self._scroll_to_cursor()
        self.post_message(self.CursorMoved(cursor))

    def _clear_caches(self) -> None:
        """The one place cached strips and the layout are dropped."""
        self._strips.clear()
        self._layout = None
        self._base_style = None
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._clear_caches()

    def _ensure_layout(self) -> StackedLayout | None:
        if self._layout is None and self._models:
            size = self.content_region.size
            rows = self._models[0].values.shape[0]
            panel, row = divmod(self.cursor[0], rows)
            lines: list[list[Segment]] = []
            map_ys, notes = [], []
            geometry, map_x = None, 0
            for i, model in enumerate(self._models):
                cursor = (row, self.cursor[1]) if i == panel else None
                part = layout_heatmap(replace(model, cursor=cursor), size.width, size.height)
                map_ys.append(len(lines) + part.map_y)
                lines.extend(part.lines)
                geometry, map_x = part.geometry, part.map_x
                notes = part.notes
            self._layout = StackedLayout(lines, geometry, map_x, map_ys, notes)
            # scroll only when stacked facets are taller than the widget; a view that fits
            # keeps a zero virtual size, so drawing it never triggers another layout pass
            fits = len(lines) <= size.height
            self.virtual_size = Size(0, 0) if fits else Size(size.width, len(lines))
        return self._layout

    def _scroll_to_cursor(self) -> None:
        layout = self._ensure_layout()
        if layout is None or len(layout.map_ys) < 2:
            return
        rows = self._models[0].values.shape[0]
        panel, row = divmod(self.cursor[0], rows)
        top = layout.map_ys[panel] - 1
        self.scroll_to_region(Region(0, top, 1, layout.geometry.height + 2), animate=False)

    def render_line(self, y: int) -> Strip:
        y += self.scroll_offset.y
        cached = self._strips.get(y)
        if cached is not None:
            return cached
        width = self.content_region.width
        layout = self._ensure_layout()
        if layout is None:
            segments = [Segment(self.message_text)] if y == 0 else []
        else:
            segments = layout.lines[y] if y < len(layout.lines) else []
        if self._base_style is None:
            self._base_style = self.rich_style
        strip = Strip(segments).extend_cell_length(width).crop(0, width).apply_style(self._base_style)
        self._strips[y] = strip
        return strip

    def action_move(self, rows: int, cols: int) -> None:
        self.cursor = self.validate_cursor((self.cursor[0] + rows, self.cursor[1] + cols))

    def action_page(self, direction: int) -> None:
        layout = self._ensure_layout()
        page = max(1, layout.geometry.height * (2 if layout.geometry.half_rows else 1)) if layout else 10
        self.action_move(direction * page, 0)

    def action_edge(self, end: int) -> None:
        if self._models:
            cols = self._models[0].values.shape[1]
            self.cursor = (self.cursor[0], cols - 1 if end else 0)

    def on_click(self, event: events.Click) -> None:
        layout = self._ensure_layout()
        if layout is None:
            return
        geo = layout.geometry
        x = event.x - self.styles.padding.left - layout.map_x
        y = event.y + self.scroll_offset.y - self.styles.padding.top
        for panel, map_y in enumerate(layout.map_ys):
            if 0 <= x < geo.width and 0 <= y - map_y < geo.height:
                col = int(x / geo.col_chars) * geo.col_group
                row = int((y - map_y) / geo.row_lines) * geo.row_group
                self.cursor = self.validate_cursor((panel * geo.n_rows + row, col))
                return
