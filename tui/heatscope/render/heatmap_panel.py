"""A heatmap panel as lines of Rich segments: title, row labels, cells, ticks, colorbar.

Both the TUI's Line-API widget and the headless export draw these same lines. Cells are
solid colored blocks; NaN/Inf/missing get their own glyphs; without color (NO_COLOR) cells
use shading glyphs so the map stays readable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from rich.color import Color
from rich.segment import Segment
from rich.style import Style

from heatscope.data.text import safe_text
from heatscope.render.colormaps import MISSING_RGB, NAN_RGB, colorize, luminance
from heatscope.render.geometry import Geometry, aggregate_max, fit_geometry
from heatscope.render.normalize import Norm
from heatscope.render.ticks import axis_tick_line, format_tick, place_labels
from heatscope.render.zoom import one_to_one, zoom_levels, zoom_window

SHADES = " ░▒▓█"
MAX_ROW_LABEL = 18
COLORBAR_MAX = 48
FINITE, NAN, MISSING, POS_INF, NEG_INF = range(5)
# The one set of markers for cells without a color, used by the TUI and every export.
MARKERS = {NAN: "×", MISSING: "·", POS_INF: "+", NEG_INF: "-"}
NAN_GLYPH, MISSING_GLYPH = MARKERS[NAN], MARKERS[MISSING]
LABEL_STYLE = Style(dim=False)
DIM = Style(dim=True)
CURSOR_LABEL = Style(reverse=True, bold=True)


@dataclass(frozen=True)
class HeatmapModel:
    """Everything one panel shows; values are rows x cols floats (NaN where not finite/missing)."""

    values: np.ndarray
    row_labels: tuple[str, ...]
    col_labels: tuple[str, ...]
    row_name: str
    col_name: str
    title: str
    value_title: str
    norm: Norm
    cmap: str
    missing: np.ndarray | None = None
    cursor: tuple[int, int] | None = None
    mono: bool = False
    legend: bool = True  # the column-axis name and the colorbar (faceted panels share one)
    label_width: int | None = None  # fixed row-label width, so stacked panels line up
    factors: tuple[int, int] = (1, 1)  # data rows, columns per value (a max-pooled overview)
    data_shape: tuple[int, int] | None = None  # the slice's own size (default: values.shape)
    zoom: int = 0  # 0 fits the room; see render.zoom
    origin: tuple[int, int] = (0, 0)  # a zoomed map's window: its first row and column (model cells)

    @property
    def shape(self) -> tuple[int, int]:
        """Rows x columns of data the panel stands for."""
        return self.data_shape or self.values.shape

    def cell_size(self, geo: Geometry) -> tuple[int, int]:
        """Data rows x columns in one drawn cell."""
        return geo.row_group * self.factors[0], geo.col_group * self.factors[1]


def aggregation_note(model: HeatmapModel, geo: Geometry) -> str:
    """``max of 7 experts x 2 layers per cell`` (``overview:`` when read pooled)."""
    rows, cols = model.cell_size(geo)
    parts = [f"{cols} {model.col_name or 'column'}s" if cols > 1 else "",
             f"{rows} {model.row_name or 'row'}s" if rows > 1 else ""]
    text = " x ".join(p for p in parts if p)
    if not text:
        return ""
    return ("overview: " if model.factors != (1, 1) else "") + f"max of {text} per cell"


@dataclass
class HeatmapLayout:
    """The rendered lines plus where the cells sit (for cursor and mouse hit-testing)."""

    lines: list[list[Segment]]
    geometry: Geometry
    map_x: int
    map_y: int
    width: int
    notes: list[str] = field(default_factory=list)
    origin: tuple[int, int] = (0, 0)  # model cell at the map's top left (a zoomed window)
    zoom_levels: int = 1  # how many zoom levels this panel has
    one_to_one: int = 0  # the level drawing one data cell per character
    zoom_note: str = ""  # which part of a zoomed map is shown


@lru_cache(maxsize=4096)
def _style(fg: tuple | None, bg: tuple | None, bold: bool = False) -> Style:
    return Style(
        color=Color.from_rgb(*fg) if fg else None,
        bgcolor=Color.from_rgb(*bg) if bg else None,
        bold=bold,
    )


@lru_cache(maxsize=1 << 15)
def _packed_style(fg: int | None, bg: int | None) -> Style:
    """The style of a cell from packed 0xRRGGBB colors (None: none)."""
    return Style(color=None if fg is None else Color.from_rgb(fg >> 16, (fg >> 8) & 255, fg & 255),
                 bgcolor=None if bg is None else Color.from_rgb(bg >> 16, (bg >> 8) & 255, bg & 255), bold=False)


def _contrast(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    return (0, 0, 0) if luminance(rgb) > 0.5 else (255, 255, 255)


def cell_kinds(values: np.ndarray, missing: np.ndarray | None) -> np.ndarray:
    """FINITE, NAN, MISSING (the file's fill value), POS_INF or NEG_INF per cell."""
    kinds = np.zeros(values.shape, np.int8)
    kinds[np.isnan(values)] = NAN
    if missing is not None:
        kinds[missing] = MISSING
    kinds[np.isposinf(values)] = POS_INF
    kinds[np.isneginf(values)] = NEG_INF
    return kinds


def _row_title_width(labels: tuple[str, ...], name: str) -> int:
    widest = max((len(safe_text(x)) for x in labels), default=1)  # as shown, escapes included
    return min(MAX_ROW_LABEL, max(widest, len(safe_text(name)), 1))


def _fit(text: str, width: int) -> str:
    text = safe_text(text)
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def _runs(text: str, style: Style) -> list[Segment]:
    """Text split into runs of spaces and of labels, so every label is its own segment
    (SVG export then places each label at its own x, whatever the viewer's font)."""
    return [Segment(run, style) for run in re.findall(r" +|[^ ]+", text)]


def _cursor_text(width: int) -> str:
    return "●" if width <= 1 else "[" + " " * (width - 2) + "]"


class _CellPainter:
    """Turns shown (aggregated) cells into segments for one map line."""

    def __init__(self, model: HeatmapModel, geo: Geometry) -> None:
        values = aggregate_max(model.values, geo.row_group, geo.col_group)
        raw_kinds = cell_kinds(model.values, model.missing)
        self.kinds = np.full(values.shape, FINITE, np.int8)
        nan = np.isnan(values)
        if nan.any():  # an aggregated block is only "missing"/NaN when all of it is; else it shows its max
            self.kinds[nan] = _aggregate_kind(raw_kinds, geo)[nan]
        self.kinds[np.isposinf(values)] = POS_INF
        self.kinds[np.isneginf(values)] = NEG_INF
        norm = model.norm(values)
        self.rgb = colorize(norm, model.cmap)
        self.rgb[self.kinds == MISSING] = MISSING_RGB
        self.level = np.nan_to_num(norm, nan=0.0)
        rgb = self.rgb.astype(np.int64)
        self.packed = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]  # one int per color
        self.kind_rows = self.kinds.tolist()
        self.marked: dict[int, list[int]] = {}  # shown row -> shown columns with a marker
        for r, c in zip(*np.nonzero(self.kinds)):
            self.marked.setdefault(int(r), []).append(int(c))
        self.geo = geo
        self.mono = model.mono
        self.cursor = None
        if model.cursor is not None:
            self.cursor = (geo.shown_row(model.cursor[0]), geo.shown_col(model.cursor[1]))
        self._rows: list[list[Segment]] | None = None

    def _color(self, r: int, c: int) -> tuple[int, int, int]:
        p = int(self.packed[r, c])
        return (p >> 16, (p >> 8) & 255, p & 255)

    def _glyph(self, r: int, c: int, width: int) -> Segment:
        kind = self.kind_rows[r][c]
        is_cursor = self.cursor == (r, c)
        if self.mono:
            if is_cursor:
                return Segment(_cursor_text(width), Style(reverse=True, bold=True))
            if kind != FINITE:
                return Segment(MARKERS[kind] * width)
            shade = SHADES[min(len(SHADES) - 1, int(self.level[r, c] * (len(SHADES) - 1) + 0.5))]
            return Segment(shade * width)
        bg = self._color(r, c)
        if is_cursor:
            return Segment(_cursor_text(width), _style(_contrast(bg), bg, True))
        if kind == NAN:
            return Segment(NAN_GLYPH * width, _style((235, 90, 90), NAN_RGB))
        if kind == MISSING:
            return Segment(MISSING_GLYPH * width, _style((170, 170, 170), MISSING_RGB))
        if kind in (POS_INF, NEG_INF):
            return Segment(MARKERS[kind] * width, _style(_contrast(bg), bg, True))
        return Segment(" " * width, _style(None, bg))

    def _plain_rows(self) -> list[list[Segment]]:
        """Every line's cells as plain colored segments (markers and cursor come after)."""
        geo, packed = self.geo, self.packed
        if geo.half_rows:  # the upper cell's color over the lower's
            lower = packed[1::2]
            if len(lower) < len(packed[0::2]):
                lower = np.vstack([lower, np.full((1, packed.shape[1]), -1, np.int64)])
            return _segment_rows("▀" * int(geo.col_chars), packed[0::2], lower)
        if geo.half_cols:  # the left cell's color beside the right's
            right = packed[:, 1::2]
            if right.shape[1] < packed[:, 0::2].shape[1]:
                right = np.hstack([right, np.full((packed.shape[0], 1), -1, np.int64)])
            return _segment_rows("▌", packed[:, 0::2], right)
        return _segment_rows(" " * int(geo.col_chars), np.full(packed.shape, -1, np.int64), packed)

    def line(self, y: int) -> list[Segment]:
        geo = self.geo
        cursor = self.cursor
        if self.mono and not (geo.half_rows or geo.half_cols):
            return [self._glyph(y, c, int(geo.col_chars)) for c in range(geo.shown_cols)]
        if self._rows is None:
            self._rows = self._plain_rows()
        out = list(self._rows[y])
        if geo.half_rows:
            top, bottom = 2 * y, 2 * y + 1
            glyph = out[0].text if out else ""
            # a character holding a cell without a color shows that cell's marker instead
            for r in (top, bottom) if bottom < geo.shown_rows else (top,):
                for c in self.marked.get(r, ()):
                    if out[c].text == glyph:
                        out[c] = self._glyph(r, c, int(geo.col_chars))
            if cursor is not None and cursor[0] in (top, bottom):
                out[cursor[1]] = self._glyph(cursor[0], cursor[1], int(geo.col_chars))
            return out
        if geo.half_cols:
            for c in self.marked.get(y, ()):
                if out[c // 2].text == "▌":
                    out[c // 2] = self._glyph(y, c, 1)
            if cursor is not None and cursor[0] == y:
                out[cursor[1] // 2] = self._glyph(y, cursor[1], 1)
            return out
        for c in self.marked.get(y, ()):
            out[c] = self._glyph(y, c, int(geo.col_chars))
        if cursor is not None and cursor[0] == y:
            out[cursor[1]] = self._glyph(y, cursor[1], int(geo.col_chars))
        return out


_LOOKS: dict[str, dict[int, Segment]] = {}  # glyph -> packed color pair -> its segment, for every frame
_LOOKS_LIMIT = 1 << 15


def _segment_rows(glyph: str, fg: np.ndarray, bg: np.ndarray) -> list[list[Segment]]:
    """Rows of ``glyph`` segments colored ``fg`` on ``bg`` (packed 0xRRGGBB, -1: none). One
    segment object per look, shared by every cell and frame showing it: Textual's renderer
    caches escape sequences per style object."""
    keys = ((fg + 1) << 25) | (bg + 1)
    table = _LOOKS.setdefault(glyph, {})
    if len(table) > _LOOKS_LIMIT:
        table.clear()
    looks = {}  # this frame's own view of the table: another thread may clear it meanwhile
    for key in np.unique(keys).tolist():
        seg = table.get(key)
        if seg is None:
            f, b = (key >> 25) - 1, (key & 0x1FFFFFF) - 1
            seg = table[key] = Segment(glyph, _packed_style(f if f >= 0 else None, b if b >= 0 else None))
        looks[key] = seg
    return [[looks[k] for k in row] for row in keys.tolist()]


def _aggregate_kind(kinds: np.ndarray, geo: Geometry) -> np.ndarray:
    """For all-non-finite blocks: missing if any cell is missing, else NaN."""
    if not geo.aggregated:
        return kinds
    miss = aggregate_max((kinds == MISSING).astype(np.float64), geo.row_group, geo.col_group)
    return np.where(miss > 0, MISSING, NAN)


def layout_heatmap(model: HeatmapModel, width: int, height: int) -> HeatmapLayout:
    """Lay the panel out in ``width`` x ``height`` characters (lines may be fewer)."""
    n_rows, n_cols = model.values.shape
    label_w = model.label_width or _row_title_width(model.row_labels, model.row_name)
    room_w = max(1, width - label_w - 1)
    # title, column ticks, axis name, colorbar, colorbar ticks, and a line per note, so the
    # notes saying what is drawn (aggregation, zoom, range) are never pushed off screen
    chrome = 5 + bool(model.norm.note) + (model.zoom > 0) + (model.factors != (1, 1))
    fit = fit_geometry(n_rows, n_cols, room_w, max(1, height - chrome), allow_half=not model.mono,
                       max_col_chars=_max_col_chars(model))
    if fit.aggregated and model.factors == (1, 1):  # an aggregation note after all
        chrome += 1
        fit = fit_geometry(n_rows, n_cols, room_w, max(1, height - chrome), allow_half=not model.mono,
                           max_col_chars=_max_col_chars(model))
    room_h = max(1, height - chrome)
    levels = zoom_levels(fit)
    model, geo, origin, zoom_note = zoom_window(model, fit, room_w, room_h)
    map_x = label_w + 1
    title = _fit(model.title, width)
    if len(title) <= geo.width:
        head = [Segment(_fit(model.row_name, label_w).rjust(label_w) + " ", DIM),
                Segment(title.center(geo.width).rstrip(), Style(bold=True))]
    else:
        head = [Segment(title, Style(bold=True))]
    lines: list[list[Segment]] = [head]
    map_y = len(lines)
    painter = _CellPainter(model, geo)
    cursor_row = model.cursor[0] if model.cursor else None
    for y in range(geo.height):
        rows_here = _rows_on_line(geo, y)
        label = _row_label(model, geo, y)
        style = CURSOR_LABEL if cursor_row is not None and cursor_row in rows_here else LABEL_STYLE
        lines.append([Segment(_fit(label, label_w).rjust(label_w), style), Segment(" ")] + painter.line(y))
    lines.extend(_runs(" " * map_x + ticks, DIM) for ticks in _col_ticks(model, geo, width - map_x))
    footer, notes = footer_lines(model, geo, width, map_x, zoom_note)
    if model.legend:
        lines.extend(footer)
    return HeatmapLayout(lines, geo, map_x, map_y, width, notes, origin, len(levels), one_to_one(levels), zoom_note)


def footer_lines(model: HeatmapModel, geo: Geometry, width: int, map_x: int,
                 zoom_note: str = "") -> tuple[list[list[Segment]], list[str]]:
    """The legend (column-axis name, colorbar) and notes (aggregation, zoom, pending range)
    that close a panel, or a whole stack or grid of panels."""
    notes = [n for n in (aggregation_note(model, geo), zoom_note, model.norm.note) if n]
    lines = legend_lines(model, width, map_x, geo.width)
    lines += [[Segment(_fit("note: " + n, width), Style(color="yellow"))] for n in notes]
    return lines, notes


def _max_col_chars(model: HeatmapModel) -> int:
    """Cells may widen past 2 characters only so that few categorical labels fit."""
    return _label_col_chars(tuple(model.col_labels))


@lru_cache(maxsize=64)
def _label_col_chars(labels: tuple[str, ...]) -> int:
    if not labels or all(x.lstrip("-").replace(".", "", 1).isdigit() for x in labels):
        return 2
    return max(2, min(9, max(len(x) for x in labels) + 1))


def _rows_on_line(geo: Geometry, y: int) -> range:
    first_shown = 2 * y if geo.half_rows else y
    last_shown = first_shown + (2 if geo.half_rows else 1)
    return range(first_shown * geo.row_group, min(geo.n_rows, last_shown * geo.row_group))


def _row_label(model: HeatmapModel, geo: Geometry, y: int) -> str:
    """The label of the first data row drawn on line ``y``."""
    return model.row_labels[_rows_on_line(geo, y).start]


def col_tick_cells(model: HeatmapModel, geo: Geometry) -> list[tuple[int, str]]:
    """(x, label) for every character that starts a drawn column: the label of the first
    data column aggregated into it (half blocks: the left one of the pair)."""
    per_char = 2 if geo.half_cols else 1
    return [(int(s * geo.col_chars), model.col_labels[s * geo.col_group])
            for s in range(0, geo.shown_cols, per_char)]


def _col_ticks(model: HeatmapModel, geo: Geometry, room: int) -> list[str]:
    """One line of column tick labels; two staggered lines when a few wide labels collide."""
    width = max(1, min(room, geo.width + 8))
    cells = col_tick_cells(model, geo)
    spacing = float(geo.col_chars) * (2 if geo.half_cols else 1)
    widest = max((len(text) for _, text in cells), default=1)
    if geo.n_cols <= 16 and geo.col_group == 1 and widest + 1 > spacing and widest + 1 <= 2 * spacing:
        return [axis_tick_line(cells[0::2], 2 * spacing, width).rstrip(),
                axis_tick_line(cells[1::2], 2 * spacing, width).rstrip()]
    return [axis_tick_line(cells, spacing, width).rstrip()]


def legend_lines(model: HeatmapModel, width: int, map_x: int, map_w: int) -> list[list[Segment]]:
    """The column-axis name centered under the map, then the colorbar with its ticks."""
    name_line = _fit(model.col_name, map_w)
    return [[Segment(" " * map_x + name_line.center(map_w).rstrip(), DIM)]] + _colorbar(model, width, map_x, map_w)


def row_label_width(labels: tuple[str, ...], name: str) -> int:
    """The row-label column width a panel would choose (public for aligned facets)."""
    return _row_title_width(labels, name)


def _colorbar(model: HeatmapModel, width: int, map_x: int, map_w: int) -> list[list[Segment]]:
    lines = _colorbar_lines(model.value_title, model.norm, model.cmap, model.mono, width, map_x, map_w)
    return [list(line) for line in lines]


@lru_cache(maxsize=64)  # the same on every step through a dataset
def _colorbar_lines(value_title: str, norm: Norm, cmap: str, mono: bool, width: int, map_x: int,
                    map_w: int) -> tuple[tuple[Segment, ...], ...]:
    title = safe_text(value_title)
    bar_w = max(10, min(COLORBAR_MAX, map_w, width - 2))
    levels = np.linspace(0.0, 1.0, bar_w)
    if mono:
        bar = [Segment("".join(SHADES[int(l * (len(SHADES) - 1) + 0.5)] for l in levels))]
    else:
        rgb = colorize(levels, cmap)
        bar = [Segment(" ", _style(None, tuple(int(x) for x in c))) for c in rgb]
    if len(title) + 1 + bar_w <= width and len(title) < map_x + 40:
        indent = max(map_x, len(title) + 1)
        head = [Segment(title.rjust(indent - 1) + " ", Style(bold=True))] + bar
    else:
        indent = map_x if map_x + bar_w <= width else 0
        head = [Segment(" " * indent)] + bar
    ticks = norm.ticks(max(2, min(6, bar_w // 5)))
    items = [(indent + round(norm.position(t) * (bar_w - 1)), format_tick(t)) for t in ticks]
    items = [(max(indent, x - len(t) // 2), t) for x, t in items]
    last_x, last_t = items[-1]
    items[-1] = (min(last_x, width - len(last_t)), last_t)
    tick_line = place_labels(width, items).rstrip()
    out = [head, _runs(tick_line, DIM)]
    if len(head) > 1 and head[0].text.strip() == "":
        out.insert(0, [Segment(title, Style(bold=True))])
    return tuple(tuple(line) for line in out)
