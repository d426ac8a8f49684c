"""Zoom: from the geometry that fits the screen to one data cell per character, and beyond.

Level 0 is the fitted geometry; each level halves the aggregation (``max of 4`` -> ``2``
-> ``1``), then unpacks half blocks, then widens cells to two characters. When a zoomed
map is larger than the room, only a window of it is laid out: the model is cut to the
window's rows and columns (so ticks, labels and the aggregation note stay true to what
is drawn), and the window follows the cursor.
"""

from __future__ import annotations

import math
from dataclasses import replace
from fractions import Fraction

from heatscope.render.geometry import Geometry

ONE = Fraction(1)


def zoom_levels(fit: Geometry) -> list[Geometry]:
    """Every zoom level, from the fitted geometry (0) to two-character cells. An axis drawn
    a cell per index keeps its (maybe grown) size: zooming in never narrows a cell."""
    levels = [fit]
    g = fit
    while True:
        if g.col_group > 1 or g.row_group > 1:
            g = Geometry(g.n_rows, g.n_cols, _whole(g.col_chars, g.col_group), _whole(g.row_lines, g.row_group),
                         math.ceil(g.col_group / 2), math.ceil(g.row_group / 2))
        elif g.half_cols or g.half_rows:
            g = Geometry(g.n_rows, g.n_cols, max(ONE, g.col_chars), max(ONE, g.row_lines))
        elif g.col_chars < 2:
            g = Geometry(g.n_rows, g.n_cols, Fraction(2), max(ONE, g.row_lines))
        else:
            return levels
        levels.append(g)


def _whole(size: Fraction, group: int) -> Fraction:
    """An axis's size one level in: a character or line a cell while aggregated, else at least that."""
    return ONE if group > 1 else max(ONE, size)


def one_to_one(levels: list[Geometry]) -> int:
    """The level that draws one data cell per character (or the closest to it)."""
    for i, g in enumerate(levels):
        if not g.aggregated and g.col_chars >= 1 and g.row_lines >= 1:
            return i
    return len(levels) - 1


def _follow(start: int, cursor: int | None, visible: int, shown: int) -> int:
    """The first shown cell of a window of ``visible`` cells that keeps ``cursor`` in view."""
    if cursor is not None:
        if cursor < start:
            start = cursor
        elif cursor >= start + visible:
            start = cursor - visible + 1
    return max(0, min(start, shown - visible))


def zoom_window(model, fit: Geometry, room_w: int, room_h: int):
    """(model cut to the visible window, its geometry, origin in model cells, note) at the
    model's zoom level; the model and ``fit`` unchanged at level 0."""
    levels = zoom_levels(fit)
    level = max(0, min(model.zoom, len(levels) - 1))
    if level == 0:
        return model, fit, (0, 0), ""
    g = levels[level]
    visible_rows = max(1, min(g.shown_rows, int(room_h / g.row_lines)))
    visible_cols = max(1, min(g.shown_cols, int(room_w / g.col_chars)))
    cursor = model.cursor
    r0 = _follow(model.origin[0] // g.row_group, cursor[0] // g.row_group if cursor else None,
                 visible_rows, g.shown_rows) * g.row_group
    c0 = _follow(model.origin[1] // g.col_group, cursor[1] // g.col_group if cursor else None,
                 visible_cols, g.shown_cols) * g.col_group
    r1, c1 = min(g.n_rows, r0 + visible_rows * g.row_group), min(g.n_cols, c0 + visible_cols * g.col_group)
    cut = replace(
        model, values=model.values[r0:r1, c0:c1],
        missing=None if model.missing is None else model.missing[r0:r1, c0:c1],
        row_labels=model.row_labels[r0:r1], col_labels=model.col_labels[c0:c1],
        cursor=(cursor[0] - r0, cursor[1] - c0) if cursor else None,
    )
    geo = Geometry(r1 - r0, c1 - c0, g.col_chars, g.row_lines, g.col_group, g.row_group)
    name = " (1:1)" if level == one_to_one(levels) else ""
    where = []
    if (r0, r1) != (0, g.n_rows):
        where.append(f"{model.row_name or 'row'} {model.row_labels[r0]}..{model.row_labels[r1 - 1]}/{g.n_rows}")
    if (c0, c1) != (0, g.n_cols):
        where.append(f"{model.col_name or 'column'} {model.col_labels[c0]}..{model.col_labels[c1 - 1]}/{g.n_cols}")
    note = f"zoom {level}/{len(levels) - 1}{name}" + (": " + ", ".join(where) if where else "")
    return cut, geo, (r0, c0), note
