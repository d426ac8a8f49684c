"""The heatmap widget: Line API (``render_line`` -> ``Strip``) with an LRU strip cache.

It draws one or more panels (facets, laid out by the headless ``render.grid``) and adds the cursor (a reactive, clamped; its row runs on through stacked panels), keys
to move it, mouse clicks, and vertical scrolling when facets are taller than the screen.
Caches are cleared in one place, ``_clear_caches``, when models, size or cursor change.

| Key | Action |
| --- | --- |
| arrows / hjkl | move the cursor one cell |
| PageUp / PageDown | move the cursor a page of rows |
| Home / End | first / last column |
"""

from __future__ import annotations

from operator import itemgetter

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from heatscope.render.grid import GridLayout, layout_view
from heatscope.render.heatmap_panel import HeatmapModel
from heatscope.text import safe_text

STYLES_LIMIT = 1 << 15  # styles remembered to have a background (as many looks as render.cells keeps)
_TEXT, _STYLE = itemgetter(0), itemgetter(1)


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
        self._per_row: int | None = None
        self._zoom = 0
        self._origin = (0, 0)  # a zoomed map's window, in model cells; it follows the cursor
        self._layout: GridLayout | None = None
        self._layout_size = Size(0, 0)  # the content size self._layout was made for
        self._strips: LRUCache[int, Strip] = LRUCache(512)
        self._base_style = None
        self._with_bg: dict[int, Style] = {}  # id(style) -> style, for styles with a background
        self.message_text = "Opening…"

    @property
    def grid_layout(self) -> GridLayout | None:
        """The panels as laid out for the widget's size now (Widget.layout is Textual's own)."""
        return self._ensure_layout()

    def show(self, models: list[HeatmapModel], cursor: tuple[int, int], per_row: int | None = None,
             zoom: int = 0) -> None:
        """Draw ``models`` (side by side, ``per_row`` a row, when they fit; else stacked)
        with the cursor at ``cursor`` (clamped), at zoom level ``zoom`` (0 fits)."""
        same_shape = bool(self._models) and len(models) == len(self._models) and all(
            a.values.shape == b.values.shape for a, b in zip(models, self._models))
        self._models = models
        self._per_row = per_row
        self._zoom = zoom
        self.set_reactive(HeatmapView.cursor, self.validate_cursor(cursor))
        if same_shape and self._layout is not None:  # a step: repaint only the lines that changed
            self._relayout()
        else:
            self._clear_caches()

    def show_message(self, text: str) -> None:
        """Replace the map with a one-line message (loading, errors)."""
        self._models = []
        self.message_text = safe_text(text)
        self._clear_caches()

    def validate_cursor(self, cursor: tuple[int, int]) -> tuple[int, int]:
        """Clamped to the data (rows run on through stacked panels)."""
        if not self._models:
            return (0, 0)
        rows, cols = self._models[0].shape
        total = rows * len(self._models)
        return (max(0, min(total - 1, cursor[0])), max(0, min(cols - 1, cursor[1])))

    @property
    def cell_size(self) -> tuple[int, int]:
        """Data rows x columns one drawn cell holds (aggregation and overview pooling)."""
        layout = self._ensure_layout()
        return self._models[0].cell_size(layout.geometry) if layout is not None else (1, 1)

    def watch_cursor(self, cursor: tuple[int, int]) -> None:
        self._relayout()
        self._scroll_to_cursor()
        self.post_message(self.CursorMoved(cursor))

    def _relayout(self) -> None:
        """Lay out again after a cursor move and repaint only the lines that changed (the
        old and new cursor rows, unless a zoomed window scrolled)."""
        old = self._layout
        self._layout = None
        new = self._ensure_layout()
        if old is None or new is None or len(old.lines) != len(new.lines) or old.origin != new.origin:
            self._clear_caches()
            return
        changed = [y for y, (before, after) in enumerate(zip(old.lines, new.lines)) if before != after]
        for y in changed:
            self._strips.discard(y)
        self._refresh_lines(changed)

    def _refresh_lines(self, lines: list[int]) -> None:
        """Repaint these lines (of the layout), those on screen: one region per run of
        neighbouring lines, the padding included (a region narrower than the widget has
        Textual crop every line it repaints)."""
        top, height = self.scroll_offset.y, self.size.height
        left, width = self.content_offset.x, self.outer_size.width
        shown = [y - top for y in lines if top <= y < top + height]
        start = 0
        for i in range(1, len(shown) + 1):
            if i == len(shown) or shown[i] != shown[i - 1] + 1:
                self.refresh(Region(-left, shown[start], width, i - start))
                start = i

    def _clear_caches(self) -> None:
        """The one place cached strips and the layout are dropped."""
        self._strips.clear()
        self._layout = None
        self._base_style = None
        self._with_bg.clear()
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._clear_caches()

    def _content_size(self) -> Size:
        """The content's size (less the padding), as ``content_region`` gives it but without
        finding the widget's region: asked for every line drawn."""
        width, height = self.outer_size
        gutter = self.styles.gutter
        return Size(width - gutter.width, height - gutter.height)

    def _ensure_layout(self) -> GridLayout | None:
        size = self._content_size()
        if self._layout is not None and self._layout_size != size:
            # laid out before the widget had its size (the stats panel asks for the cell
            # size on mount): that layout and its strips would draw a map for the wrong room
            self._layout = None
            self._strips.clear()
        if self._layout is None and self._models:
            self._layout_size = size
            self._layout = layout_view(self._models, self.cursor, size.width, size.height, self._per_row,
                                       self._zoom, self._origin)
            self._origin = self._layout.origin
            # scroll only when facets are taller than the widget; a view that fits keeps a
            # zero virtual size, so drawing it never triggers another layout pass
            lines = len(self._layout.lines)
            self.virtual_size = Size(0, 0) if lines <= size.height else Size(size.width, lines)
        return self._layout

    def _scroll_to_cursor(self) -> None:
        layout = self._ensure_layout()
        if layout is None or len(layout.map_ys) < 2:
            return
        panel = self.cursor[0] // self._models[0].shape[0]
        top = layout.map_ys[panel] - 1
        self.scroll_to_region(Region(0, top, 1, layout.geometry.height + 2), animate=False)

    def render_line(self, y: int) -> Strip:
        y += self.scroll_offset.y
        cached = self._strips.get(y)
        if cached is not None:
            return cached
        layout = self._ensure_layout()
        width = self._layout_size.width if layout is not None else self._content_size().width
        if layout is None:
            segments = [Segment(self.message_text)] if y == 0 else []
        else:
            segments = layout.lines[y] if y < len(layout.lines) else []
        if self._base_style is None:
            self._base_style = self.rich_style
        strip = self._strip(segments, width)
        self._strips[y] = strip
        return strip

    def _strip(self, segments: list[Segment], width: int) -> Strip:
        """One line as a strip: the widget's style under the segments that have no background
        of their own (cells have theirs), padded to the width. Which styles have one is
        remembered by object (cells share a few thousand style objects across frames), and
        the line's width is Rich's cached width of its text (only colors change on a step),
        so a line of cells costs a lookup per cell."""
        base, with_bg = self._base_style, self._with_bg
        out = list(segments)
        for i, style in enumerate(map(_STYLE, out)):
            if id(style) not in with_bg:
                if style is not None and style.bgcolor is not None:
                    with_bg[id(style)] = style  # the style kept, so its id is not reused
                else:
                    out[i] = Segment(out[i].text, base + style if style is not None else base)
        if len(with_bg) > STYLES_LIMIT:
            with_bg.clear()
        length = cell_len("".join(map(_TEXT, out)))
        if length > width:
            return Strip(out).crop(0, width)
        if length < width:
            out.append(Segment(" " * (width - length), base))
        return Strip(out, width)

    def action_move(self, rows: int, cols: int) -> None:
        """Move by drawn cells: one cell may hold several data rows or columns."""
        if not self._models:
            return
        cell_r, cell_c = self.cell_size
        data_rows = self._models[0].shape[0]
        panel, row = divmod(self.cursor[0], data_rows)
        row = row - row % cell_r + rows * cell_r
        if not 0 <= row < data_rows:  # into the next or previous stacked panel
            panel += 1 if row >= data_rows else -1
            row = 0 if row >= data_rows else (data_rows - 1) - (data_rows - 1) % cell_r
        col = self.cursor[1] - self.cursor[1] % cell_c + cols * cell_c
        self.cursor = self.validate_cursor((panel * data_rows + row, col))

    def action_page(self, direction: int) -> None:
        layout = self._ensure_layout()
        page = max(1, int(layout.geometry.height / layout.geometry.row_lines)) if layout else 10
        self.action_move(direction * page, 0)

    def action_edge(self, end: int) -> None:
        if self._models:
            cols = self._models[0].shape[1]
            cell_c = self.cell_size[1]
            self.cursor = (self.cursor[0], (cols - 1) - (cols - 1) % cell_c if end else 0)

    def on_click(self, event: events.Click) -> None:
        layout = self._ensure_layout()
        if layout is None:
            return
        geo = layout.geometry
        for panel, (map_x, map_y) in enumerate(zip(layout.map_xs, layout.map_ys)):
            x = event.x - self.styles.padding.left - map_x
            y = event.y + self.scroll_offset.y - self.styles.padding.top - map_y
            if 0 <= x < geo.width and 0 <= y < geo.height:
                cell_r, cell_c = self.cell_size
                factors = self._models[0].factors
                col = int(x / geo.col_chars) * cell_c + layout.origin[1] * factors[1]
                row = int(y / geo.row_lines) * cell_r + layout.origin[0] * factors[0]
                self.cursor = self.validate_cursor((panel * self._models[0].shape[0] + row, col))
                return
