"""Cell geometry: how many terminal cells each data cell gets, packing and aggregation.

Preference, per axis: columns 2 characters wide (square look), then 1, then two data
columns per character (``▌`` half blocks); rows one line each, then two per line (``▀``).
A character holds two colors, so half-block packing is used on one axis at most. When
even that does not fit, neighbouring cells are aggregated with their maximum (NaN-aware)
so a hot cell is never dropped, and the geometry says so.

When the chosen cells leave room, they grow (``grown``): on screen a character is about
half as wide as a line is tall, so a cell ``c`` characters wide and ``h`` half lines tall
is ``c`` x ``h`` squares. Each axis drawn a cell per data index (not packed, not
aggregated) grows to its share of the room, then the longer side is cut back so no cell
is more than ``MAX_ASPECT`` times as long one way as the other: the largest cell that
fits, within that aspect. Rows grow by half lines (a line shared by two rows is a ``▀``
half block), columns by characters; cells never shrink below the fitted ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property, lru_cache

import numpy as np

HALF = Fraction(1, 2)
MAX_ASPECT = 4  # a grown cell at most this many times as tall as wide, or as wide as tall, on screen


@dataclass(frozen=True)
class Geometry:
    """How a ``n_rows`` x ``n_cols`` slice maps onto characters and lines (the derived sizes
    are computed once: they are asked for every line of every frame)."""

    n_rows: int
    n_cols: int
    col_chars: Fraction  # characters per displayed column: 1/2 (half blocks), 1, 2, more when grown
    row_lines: Fraction  # lines per displayed row: 1/2 (half blocks), 1, then by half lines when grown
    col_group: int = 1  # data columns aggregated (max) into one displayed column
    row_group: int = 1

    @cached_property
    def shown_cols(self) -> int:
        return math.ceil(self.n_cols / self.col_group)

    @cached_property
    def shown_rows(self) -> int:
        return math.ceil(self.n_rows / self.row_group)

    @cached_property
    def width(self) -> int:
        return math.ceil(self.shown_cols * self.col_chars)

    @cached_property
    def height(self) -> int:
        return math.ceil(self.shown_rows * self.row_lines)

    @cached_property
    def half_cols(self) -> bool:
        return self.col_chars == HALF

    @cached_property
    def half_rows(self) -> bool:
        return self.row_lines == HALF

    @cached_property
    def aggregated(self) -> bool:
        return self.col_group > 1 or self.row_group > 1

    @property
    def half_lines(self) -> int:
        """Half lines per displayed row: 1 (``▀`` packing), 2 (a line), 3, 4..."""
        return int(self.row_lines * 2)

    def shown_col(self, col: int) -> int:
        return col // self.col_group

    def shown_row(self, row: int) -> int:
        return row // self.row_group

    def line_rows(self, y: int) -> tuple[int, int]:
        """The displayed rows in the upper and lower half of line ``y`` (equal when the line
        belongs to one row; the lower may be ``shown_rows`` past an odd last half line)."""
        h = self.half_lines
        return 2 * y // h, (2 * y + 1) // h

    def label_row(self, y: int) -> int | None:
        """The displayed row whose label goes on line ``y``: the row in its upper half, or
        for rows taller than a line, the row whose middle the line holds."""
        h = self.half_lines
        if h <= 2:
            return self.line_rows(y)[0]
        for r in self.line_rows(y):
            if r < self.shown_rows and (r * h + (h - 1) // 2) // 2 == y:
                return r
        return None


def _fits(n: int, group: int, size: Fraction, room: int) -> bool:
    return math.ceil(math.ceil(n / group) * size) <= room


@lru_cache(maxsize=256)  # a pure function of its arguments, asked on every redraw
def fit_geometry(
    n_rows: int, n_cols: int, width: int, height: int, allow_half: bool = True, max_col_chars: int = 2,
    grow: bool = True,
) -> Geometry:
    """The best geometry for the room available (never wider or taller than it).

    ``allow_half=False`` (monochrome) disables half-block packing; ``max_col_chars`` lets a
    few categorical columns widen so their labels fit; ``grow=False`` leaves the cells as
    fitted (a height that only bounds, as an export's, is no room to fill).
    """
    width, height = max(1, width), max(1, height)
    widths = [Fraction(w) for w in range(max(2, max_col_chars), 0, -1)] + ([HALF] if allow_half else [])
    heights = (Fraction(1), HALF) if allow_half else (Fraction(1),)
    best: tuple | None = None
    for cg in _groups(n_cols, width):
        for cw in widths:
            if not _fits(n_cols, cg, cw, width):
                continue
            for rg in _groups(n_rows, height):
                for rh in heights:
                    if cw == HALF and rh == HALF:
                        continue
                    if not _fits(n_rows, rg, rh, height):
                        continue
                    key = (cg * rg, cg + rg, -cw * rh, -cw)
                    if best is None or key < best[0]:
                        best = (key, Geometry(n_rows, n_cols, cw, rh, cg, rg))
                    break
    assert best is not None  # the largest groups always fit
    return grown(best[1], width, height, allow_half) if grow else best[1]


def grown(geo: Geometry, width: int, height: int, allow_half: bool = True) -> Geometry:
    """``geo`` with its cells as large as ``width`` x ``height`` and ``MAX_ASPECT`` allow, in
    squares of a character's width (a half line): each axis drawn a cell per data index
    takes its share of the room, then the longer side is cut back to the aspect. Packed or
    aggregated axes keep their size; rows are whole lines without half blocks."""
    cols_grow = geo.col_group == 1 and not geo.half_cols
    rows_grow = geo.row_group == 1 and not geo.half_rows
    step = 1 if allow_half else 2  # half lines a row grows by
    c = max(geo.col_chars, Fraction(width // geo.shown_cols)) if cols_grow else geo.col_chars
    h = max(geo.half_lines, 2 * height // geo.shown_rows // step * step) if rows_grow else geo.half_lines
    if rows_grow and h > MAX_ASPECT * c:
        h = max(geo.half_lines, math.floor(MAX_ASPECT * c) // step * step)
    if cols_grow and c > MAX_ASPECT * h:
        c = max(geo.col_chars, Fraction(MAX_ASPECT * h))
    if (c, h) == (geo.col_chars, geo.half_lines):
        return geo
    return Geometry(geo.n_rows, geo.n_cols, c, Fraction(h, 2), geo.col_group, geo.row_group)


def _groups(n: int, room: int) -> list[int]:
    """Candidate aggregation factors: 1, and the smallest ones that fit at each packing."""
    options = {1}
    for size in (Fraction(1), HALF):
        g = max(1, math.ceil(n / max(1, int(room / size))))
        while not _fits(n, g, size, room):
            g += 1
        options.add(g)
    options.add(max(1, n))
    return sorted(options)


def aggregate_max(values: np.ndarray, row_group: int, col_group: int) -> np.ndarray:
    """Blocks of ``row_group`` x ``col_group`` cells reduced to their max finite value.

    A block whose cells are all NaN stays NaN; +Inf wins; the array is padded with NaN to
    whole blocks. (``fmax`` ignores NaN unless both are NaN: exactly these rules.)
    """
    if row_group == 1 and col_group == 1:
        return values
    rows, cols = values.shape
    padded = np.full((rows + -rows % row_group, cols + -cols % col_group), np.nan)
    padded[:rows, :cols] = values
    return _fmax_along(_fmax_along(padded, col_group, 1), row_group, 0)


def _fmax_along(a: np.ndarray, group: int, axis: int) -> np.ndarray:
    """``fmax`` over every ``group`` consecutive rows (axis 0) or columns (axis 1): for small
    groups as elementwise ``fmax`` of strided views, far faster than a reduction over a
    short axis (a 61 x 256 slice in 2 x 2 blocks: 25 us instead of 0.7 ms)."""
    if group == 1:
        return a
    if group <= 8:
        take = (lambda k: a[k::group]) if axis == 0 else (lambda k: a[:, k::group])
        out = take(0)
        for k in range(1, group):
            out = np.fmax(out, take(k))
        return out
    shape = (a.shape[0] // group, group, a.shape[1]) if axis == 0 else (a.shape[0], a.shape[1] // group, group)
    return np.fmax.reduce(a.reshape(shape), axis=axis + 1)
