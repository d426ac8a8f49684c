"""Heatmap cells as Rich segments: a color (or two, in half blocks) per character, markers
for NaN, Inf and the file's fill value, shading glyphs without color, and the cursor.

One segment object per look is shared by every cell and frame showing it, since Textual's
renderer caches escape sequences per style object; lines are built from numpy keys.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from rich.color import Color
from rich.segment import Segment
from rich.style import Style

from heatscope.colors.colormaps import MISSING_RGB, NAN_RGB, colorize, luminance
from heatscope.render.geometry import Geometry, aggregate_max
from heatscope.render.heatmap_model import HeatmapModel

SHADES = " ░▒▓█"
FINITE, NAN, MISSING, POS_INF, NEG_INF = range(5)
# The one set of markers for cells without a color, used by the TUI and every export.
MARKERS = {NAN: "×", MISSING: "·", POS_INF: "+", NEG_INF: "-"}
NAN_GLYPH, MISSING_GLYPH = MARKERS[NAN], MARKERS[MISSING]


@lru_cache(maxsize=4096)
def cell_style(fg: tuple | None, bg: tuple | None, bold: bool = False) -> Style:
    """A style from (r, g, b) colors (None: none), one object per look."""
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


def _cursor_text(width: int) -> str:
    return "●" if width <= 1 else "[" + " " * (width - 2) + "]"


class CellPainter:
    """Turns shown (aggregated) cells into segments for one map line."""

    def __init__(self, model: HeatmapModel, geo: Geometry) -> None:
        values = aggregate_max(model.values, geo.row_group, geo.col_group)
        self.kinds = np.full(values.shape, FINITE, np.int8)
        nan = np.isnan(values)
        if nan.any():  # an aggregated block is only "missing"/NaN when all of it is; else it shows its max
            self.kinds[nan] = _aggregate_kind(cell_kinds(model.values, model.missing), geo)[nan]
        self.kinds[np.isposinf(values)] = POS_INF
        self.kinds[np.isneginf(values)] = NEG_INF
        norm = model.norm(values)
        self.rgb = colorize(norm, model.cmap)
        self.rgb[self.kinds == MISSING] = MISSING_RGB
        self.level = np.nan_to_num(norm, nan=0.0)
        rgb = self.rgb.astype(np.int64)
        self.packed = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]  # one int per color
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

    def _glyph(self, r: int, c: int, width: int, is_cursor: bool) -> Segment:
        kind = int(self.kinds[r, c])
        if self.mono:
            if is_cursor:
                return Segment(_cursor_text(width), Style(reverse=True, bold=True))
            if kind != FINITE:
                return Segment(MARKERS[kind] * width)
            shade = SHADES[min(len(SHADES) - 1, int(self.level[r, c] * (len(SHADES) - 1) + 0.5))]
            return Segment(shade * width)
        bg = self._color(r, c)
        if is_cursor:
            return Segment(_cursor_text(width), cell_style(_contrast(bg), bg, True))
        if kind == NAN:
            return Segment(NAN_GLYPH * width, cell_style((235, 90, 90), NAN_RGB))
        if kind == MISSING:
            return Segment(MISSING_GLYPH * width, cell_style((170, 170, 170), MISSING_RGB))
        if kind in (POS_INF, NEG_INF):
            return Segment(MARKERS[kind] * width, cell_style(_contrast(bg), bg, True))
        return Segment(" " * width, cell_style(None, bg))

    def _plain_rows(self) -> list[list[Segment]]:
        """Every line's cells as plain colored segments (markers and cursor come after)."""
        geo, packed = self.geo, self.packed
        if geo.half_rows:  # the upper cell's color over the lower's (none under an odd last row)
            upper = packed[0::2]
            return _segment_rows("▀" * int(geo.col_chars), upper, _padded(packed[1::2], upper.shape))
        if geo.half_cols:  # the left cell's color beside the right's (none after an odd last column)
            left = packed[:, 0::2]
            return _segment_rows("▌", left, _padded(packed[:, 1::2], left.shape))
        width = int(geo.col_chars)
        rows = _segment_rows(" " * width, np.full(packed.shape, -1, np.int64), packed)
        if geo.half_lines == 2:
            return rows
        pairs = [geo.line_rows(y) for y in range(geo.height)]  # rows taller than a line
        split = [(y, top, bottom) for y, (top, bottom) in enumerate(pairs) if top != bottom]
        out = [rows[top] for top, _ in pairs]
        if split:  # a line shared by two rows: the upper one's color over the lower's
            below = np.vstack([packed, np.full((1, packed.shape[1]), -1, np.int64)])
            halves = _segment_rows("▀" * width, packed[[t for _, t, _ in split]], below[[b for _, _, b in split]])
            for (y, _, _), line in zip(split, halves):
                out[y] = line
        return out

    def line(self, y: int) -> list[Segment]:
        geo = self.geo
        cursor = self.cursor
        top, bottom = geo.line_rows(y)
        if cursor is not None and geo.half_lines > 2 and geo.label_row(y) != cursor[0]:
            cursor = None  # a row taller than a line: the cursor on its middle line only
        if self.mono and not (geo.half_rows or geo.half_cols):
            return [self._glyph(top, c, int(geo.col_chars), cursor == (top, c)) for c in range(geo.shown_cols)]
        if self._rows is None:
            self._rows = self._plain_rows()
        out = list(self._rows[y])
        if top != bottom:  # packed rows, or the line two tall rows share
            glyph = out[0].text if out else ""
            # a character holding a cell without a color shows that cell's marker instead
            for r in (top, bottom) if bottom < geo.shown_rows else (top,):
                for c in self.marked.get(r, ()):
                    if out[c].text == glyph:
                        out[c] = self._glyph(r, c, int(geo.col_chars), False)
            if cursor is not None and cursor[0] in (top, bottom):
                out[cursor[1]] = self._glyph(cursor[0], cursor[1], int(geo.col_chars), True)
            return out
        if geo.half_cols:
            for c in self.marked.get(y, ()):
                if out[c // 2].text == "▌":
                    out[c // 2] = self._glyph(y, c, 1, False)
            if cursor is not None and cursor[0] == y:
                out[cursor[1] // 2] = self._glyph(y, cursor[1], 1, True)
            return out
        for c in self.marked.get(top, ()):
            out[c] = self._glyph(top, c, int(geo.col_chars), False)
        if cursor is not None and cursor[0] == top:
            out[cursor[1]] = self._glyph(top, cursor[1], int(geo.col_chars), True)
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
    get = table.get
    rows = []
    for row in keys.tolist():
        line = [get(k) for k in row]
        if None in line:  # new looks (or another thread cleared the table meanwhile)
            line = [seg if seg is not None else _new_look(table, glyph, k) for seg, k in zip(line, row)]
        rows.append(line)
    return rows


def _new_look(table: dict[int, Segment], glyph: str, key: int) -> Segment:
    f, b = (key >> 25) - 1, (key & 0x1FFFFFF) - 1
    seg = table[key] = Segment(glyph, _packed_style(f if f >= 0 else None, b if b >= 0 else None))
    return seg


def _padded(colors: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """``colors`` padded with -1 (no color) to ``shape``."""
    if colors.shape == shape:
        return colors
    out = np.full(shape, -1, np.int64)
    out[:colors.shape[0], :colors.shape[1]] = colors
    return out


def _aggregate_kind(kinds: np.ndarray, geo: Geometry) -> np.ndarray:
    """For all-non-finite blocks: missing if any cell is missing, else NaN."""
    if not geo.aggregated:
        return kinds
    miss = aggregate_max((kinds == MISSING).astype(np.float64), geo.row_group, geo.col_group)
    return np.where(miss > 0, MISSING, NAN)
