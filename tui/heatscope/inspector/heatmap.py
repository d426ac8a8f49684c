"""The heatmap widget: Line API (``render_line`` -> ``Strip``) with an LRU strip cache.

The panel's lines come from the headless ``render.heatmap_panel``; this widget only adds
the cursor (a reactive, clamped), keys to move it, mouse clicks, and strip caching. Caches
are cleared in one place, ``_clear_caches``, whenever the model, size or cursor changes.

| Key | Action |
| --- | --- |
| arrows / hjkl | move the cursor one cell |
| PageUp / PageDown | move the cursor a page of rows |
| Home / End | first / last column |
"""

from __future__ import annotations

from dataclasses import replace

from rich.segment import Segment
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from heatscope.render.heatmap_panel import HeatmapLayout, HeatmapModel, layout_heatmap


class HeatmapView(Widget, can_focus=True):
    """A colored-block heatmap of one slice, with a cell cursor."""

    DEFAULT_CSS = """
    HeatmapView { height: 1fr; width: 1fr; padding: 0 1; }
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
        self._model: HeatmapModel | None = None
        self._layout: HeatmapLayout | None = None
        self._strips: LRUCache[int, Strip] = LRUCache(256)
        self._base_style = None
        self.message_text = "Opening…"

    @property
    def model(self) -> HeatmapModel | None:
        return self._model

    @property
    def layout(self) -> HeatmapLayout | None:
        return self._layout

    def show(self, model: HeatmapModel, cursor: tuple[int, int]) -> None:
        """Draw ``model`` with the cursor at ``cursor`` (clamped)."""
        self._model = model
        self.set_reactive(HeatmapView.cursor, self.validate_cursor(cursor))
        self._clear_caches()

    def show_message(self, text: str) -> None:
        """Replace the map with a one-line message (loading, errors)."""
        self._model = None
        self.message_text = text
        self._clear_caches()

    def validate_cursor(self, cursor: tuple[int, int]) -> tuple[int, int]:
        if self._model is None:
            return (0, 0)
        rows, cols = self._model.values.shape
        return (max(0, min(rows - 1, cursor[0])), max(0, min(cols - 1, cursor[1])))

    def watch_cursor(self, cursor: tuple[int, int]) -> None:
        self._clear_caches()
        self.post_message(self.CursorMoved(cursor))

    def _clear_caches(self) -> None:
        """The one place cached strips and the layout are dropped."""
        self._strips.clear()
        self._layout = None
        self._base_style = None
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._clear_caches()

    def _ensure_layout(self) -> HeatmapLayout | None:
        if self._layout is None and self._model is not None:
            model = replace(self._model, cursor=self.cursor)
            size = self.content_region.size
            self._layout = layout_heatmap(model, size.width, size.height)
        return self._layout

    def render_line(self, y: int) -> Strip:
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
        if self._model is not None:
            cols = self._model.values.shape[1]
            self.cursor = (self.cursor[0], cols - 1 if end else 0)

    def on_click(self, event: events.Click) -> None:
        layout = self._ensure_layout()
        if layout is None:
            return
        geo = layout.geometry
        x = event.x - self.styles.padding.left - layout.map_x
        y = event.y - self.styles.padding.top - layout.map_y
        if 0 <= x < geo.width and 0 <= y < geo.height:
            col = int(x / geo.col_chars) * geo.col_group
            row = int(y / geo.row_lines) * geo.row_group
            self.cursor = self.validate_cursor((row, col))
