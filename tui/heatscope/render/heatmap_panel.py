"""A heatmap panel as lines of Rich segments: title, row labels, cells, ticks, colorbar.

Both the TUI's Line-API widget and the headless export draw these same lines; the cells
themselves come from ``render.cells``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from rich.segment import Segment
from rich.style import Style

from heatscope.colors.colormaps import colorize
from heatscope.render.cells import SHADES, CellPainter, cell_style
from heatscope.render.geometry import Geometry, fit_geometry, grown
from heatscope.render.heatmap_model import HeatmapModel
from heatscope.render.ticks import axis_tick_line, format_tick, place_labels
from heatscope.render.zoom import one_to_one, zoom_levels, zoom_window
from heatscope.text import safe_text
from heatscope.views.normalize import Norm

MAX_ROW_LABEL = 18
UNBOUNDED = 10_000  # lines: the bound of a layout with no height of its own
COLORBAR_MAX = 48
LABEL_STYLE = Style(dim=False)
DIM = Style(dim=True)
CURSOR_LABEL = Style(reverse=True, bold=True)


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


def layout_heatmap(model: HeatmapModel, width: int, height: int | None, grow: int | None = None) -> HeatmapLayout:
    """Lay the panel out in ``width`` x ``height`` characters (lines may be fewer). Cells
    grow into the room (``geometry.grown``): the width, and up to ``grow`` lines of cells
    (default: all the height leaves them; stacked facets get a share; 0: cells as fitted).
    A height of None: as many lines as rows take, a line each at most, cells as fitted
    (exports)."""
    if height is None:
        height, grow = UNBOUNDED, 0
    n_rows, n_cols = model.values.shape
    label_w = model.label_width or _row_title_width(model.row_labels, model.row_name)
    room_w = max(1, width - label_w - 1)
    # title, column ticks, axis name, colorbar, colorbar ticks, and a line per note, so the
    # notes saying what is drawn (aggregation, zoom, range) are never pushed off screen
    chrome = 5 + bool(model.norm.note) + (model.zoom > 0) + (model.factors != (1, 1))
    fit = fit_geometry(n_rows, n_cols, room_w, max(1, height - chrome), allow_half=not model.mono,
                       max_col_chars=_max_col_chars(model), grow=False)
    if fit.aggregated and model.factors == (1, 1):  # an aggregation note after all
        chrome += 1
        fit = fit_geometry(n_rows, n_cols, room_w, max(1, height - chrome), allow_half=not model.mono,
                           max_col_chars=_max_col_chars(model), grow=False)
    room_h = max(1, height - chrome)
    if grow != 0:
        fit = grown(fit, room_w, room_h if grow is None else min(room_h, grow), allow_half=not model.mono)
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
    painter = CellPainter(model, geo)
    cursor_row = model.cursor[0] if model.cursor else None
    for y in range(geo.height):
        rows_here = _rows_on_line(geo, y)
        label = _row_label(model, geo, y)
        style = CURSOR_LABEL if label and cursor_row is not None and cursor_row in rows_here else LABEL_STYLE
        lines.append([Segment(_fit(label, label_w).rjust(label_w), style), Segment(" ")] + painter.line(y))
    lines.extend(_runs(" " * map_x + ticks, DIM) for ticks in _tick_lines(tuple(model.col_labels), geo, width - map_x))
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
    top, bottom = geo.line_rows(y)
    return range(top * geo.row_group, min(geo.n_rows, (bottom + 1) * geo.row_group))


def _row_label(model: HeatmapModel, geo: Geometry, y: int) -> str:
    """The label of the first data row drawn on line ``y`` (of a row taller than a line: on
    its middle line only)."""
    row = geo.label_row(y)
    return "" if row is None else model.row_labels[row * geo.row_group]


def col_tick_cells(labels: tuple[str, ...], geo: Geometry) -> list[tuple[int, str]]:
    """(x, label) for every character that starts a drawn column: the label of the first
    data column aggregated into it (half blocks: the left one of the pair)."""
    per_char = 2 if geo.half_cols else 1
    return [(int(s * geo.col_chars), labels[s * geo.col_group]) for s in range(0, geo.shown_cols, per_char)]


@lru_cache(maxsize=64)  # the same on every step through a dataset
def _tick_lines(labels: tuple[str, ...], geo: Geometry, room: int) -> tuple[str, ...]:
    """One line of column tick labels; two staggered lines when a few wide labels collide.
    Cells grown wider than their labels and a gap centre each label in its cell."""
    width = max(1, min(room, geo.width + 8))
    cells = col_tick_cells(labels, geo)
    spacing = float(geo.col_chars) * (2 if geo.half_cols else 1)
    widest = max((len(text) for _, text in cells), default=1)
    if spacing > widest + 1:
        cells = [(x + (int(spacing) - len(text)) // 2, text) for x, text in cells]
    if geo.n_cols <= 16 and geo.col_group == 1 and widest + 1 > spacing and widest + 1 <= 2 * spacing:
        return (axis_tick_line(cells[0::2], 2 * spacing, width).rstrip(),
                axis_tick_line(cells[1::2], 2 * spacing, width).rstrip())
    return (axis_tick_line(cells, spacing, width).rstrip(),)


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
        bar = [Segment(" ", cell_style(None, tuple(int(x) for x in c))) for c in rgb]
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
