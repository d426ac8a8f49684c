"""Profiles: a row or column of the heatmap as a line or bar chart in terminal characters.

Lines are drawn with braille dots (2 x 4 per character), several series in their own
colors (e.g. JS divergence across 32 layers for each position: the figure as curves);
bars with eighth blocks, each bar in the heatmap's color for its value (one layer's load
across 64 experts). The x ticks are placed like the heatmap's (each names the data index
under it), the y axis has round ticks, and the cursor's index is marked. More values than
columns are max-pooled, as the heatmap aggregates. Used by the TUI's profile strip and by
``heatscope export --profile``.
"""

from __future__ import annotations

import math

import numpy as np
from rich.color import Color
from rich.segment import Segment
from rich.style import Style

from heatscope.colors.colormaps import colorize
from heatscope.render.ticks import axis_tick_line, format_tick
from heatscope.text import safe_text
from heatscope.views.normalize import Norm
from heatscope.views.profile import ProfileModel, value_scale

SERIES_COLORS = ((86, 156, 214), (230, 145, 56), (106, 190, 110), (200, 90, 200), (220, 80, 80), (160, 160, 160))
BLOCKS = " ▁▂▃▄▅▆▇█"
BRAILLE = 0x2800
DOT = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))  # [row within cell][column within cell]
DIM = Style(dim=True)
CURSOR = Style(color="yellow", bold=True)


def _pooled(values: np.ndarray, group: int) -> np.ndarray:
    """Max of every ``group`` neighbours (NaN-aware), as the heatmap aggregates."""
    if group <= 1:
        return values
    pad = -len(values) % group
    blocks = np.pad(values.astype(np.float64), (0, pad), constant_values=np.nan).reshape(-1, group)
    with np.errstate(invalid="ignore"):
        best = np.where(np.isnan(blocks), -np.inf, blocks).max(axis=1)
    return np.where(np.isnan(blocks).all(axis=1), np.nan, best)


def _y_ticks(scale: Norm, height: int) -> dict[int, str]:
    """Row -> tick text for a few round values (top row is the top of ``scale``)."""
    out = {}
    for t in scale.ticks(max(2, min(4, height // 2))):
        row = round((1.0 - scale.position(t)) * (height - 1))
        if 0 <= row < height:
            out.setdefault(row, format_tick(t))
    return out


def _x_dots(count: int, dots: int) -> np.ndarray:
    """The dot column of each of ``count`` (pooled) values spread over ``dots`` columns."""
    if count <= 1:
        return np.zeros(count, dtype=int)
    return np.round(np.arange(count) * (dots - 1) / (count - 1)).astype(int)


def profile_lines(model: ProfileModel, width: int, height: int) -> list[list[Segment]]:
    """The chart in ``width`` x ``height`` characters (title and legend line included)."""
    n = len(model.x_labels)
    height = max(4, height)
    plot_h = height - 3  # title, x ticks, x-axis name / legend
    scale = value_scale(model)
    ticks = {plot_h // 2: "NaN"} if model.all_nan else _y_ticks(scale, plot_h)
    label_w = max((len(t) for t in ticks.values()), default=1)
    plot_w = max(4, width - label_w - 2)
    per_char = 1 if model.bars else 2  # braille: two dots per character across
    group = max(1, math.ceil(n / (plot_w * per_char)))
    shown = math.ceil(n / group)
    if model.bars:
        cell_w = max(1, plot_w // shown)  # few values get wide bars
        xs = np.arange(shown) * cell_w
        grid = _bars(model, group, plot_h, scale, cell_w)
    else:
        cell_w = 1
        dots = _x_dots(shown, plot_w * 2)
        xs = dots // 2
        grid = _braille(model, group, plot_h, scale, dots, int(xs[-1]) + 1 if shown else 1)
    cursor_x = int(xs[model.cursor // group]) if model.cursor is not None and model.cursor // group < shown else None
    lines: list[list[Segment]] = [[Segment(safe_text(model.title)[:width], Style(bold=True))]]
    for row in range(plot_h):
        cells = list(grid[row])
        if cursor_x is not None and cursor_x < len(cells):
            here = cells[cursor_x]
            cells[cursor_x] = (Segment("│" * len(here.text), CURSOR) if not here.text.strip()
                               else Segment(here.text, (here.style or Style()) + Style(bgcolor="grey30")))
        lines.append([Segment(ticks.get(row, "").rjust(label_w) + " ┤" if row in ticks else " " * label_w + " │",
                              DIM)] + cells)
    x0 = label_w + 2
    seen: set[int] = set()
    tick_cells = []
    for i, x in enumerate(xs):  # one candidate per character: the first value drawn there
        if int(x) not in seen:
            seen.add(int(x))
            tick_cells.append((int(x), model.x_labels[i * group]))
    spacing = float(xs[1] - xs[0]) if len(xs) > 1 and xs[1] > xs[0] else 1.0
    lines.append([Segment(" " * x0 + axis_tick_line(tick_cells, spacing, max(1, width - x0)).rstrip(), DIM)])
    lines.append(_legend(model, x0, width, group))
    return lines


def _legend(model: ProfileModel, x0: int, width: int, group: int) -> list[Segment]:
    pooled = f" (max of {group} per {'bar' if model.bars else 'point'})" if group > 1 else ""
    out = [Segment(" " * x0 + safe_text(model.x_name) + pooled, DIM)]
    if len(model.series) > 1:
        for i, (name, _) in enumerate(model.series):
            color = SERIES_COLORS[i % len(SERIES_COLORS)]
            out.append(Segment("  ── " if i != model.highlight else "  ━━ ", Style(color=Color.from_rgb(*color))))
            out.append(Segment(safe_text(name), Style(bold=i == model.highlight)))
    return out


def _braille(model: ProfileModel, group: int, plot_h: int, scale: Norm, dots: np.ndarray, chars: int):
    """Rows of segments with each series drawn as a braille line (value i at dot ``dots[i]``)."""
    dots_y = plot_h * 4
    cells = [[0] * chars for _ in range(plot_h)]
    owner = [[-1] * chars for _ in range(plot_h)]
    order = [i for i in range(len(model.series)) if i != model.highlight] + (
        [model.highlight] if model.highlight is not None else [])
    for index in order:
        values = _pooled(np.asarray(model.series[index][1], np.float64), group)
        heights = scale(values)
        points = [(int(dots[i]), round((1.0 - float(heights[i])) * (dots_y - 1)))
                  for i, v in enumerate(values) if np.isfinite(v)]

        def mark(x: int, y0: int, y1: int) -> None:
            for y in range(min(y0, y1), max(y0, y1) + 1):
                if x // 2 < chars:
                    cells[y // 4][x // 2] |= DOT[y % 4][x % 2]
                    owner[y // 4][x // 2] = index

        for x, y in points:
            mark(x, y, y)
        for (x1, y1), (x2, y2) in zip(points, points[1:]):  # join neighbours with a straight line
            for x in range(x1, x2 + 1):
                y = y1 + (y2 - y1) * (x - x1) / max(1, x2 - x1)
                next_y = y1 + (y2 - y1) * min(1.0, (x + 1 - x1) / max(1, x2 - x1))
                mark(x, round(y), round((y + next_y) / 2) if x < x2 else round(y))
    rows = []
    for cy in range(plot_h):
        row = []
        for cx in range(chars):
            bits = cells[cy][cx]
            if not bits:
                row.append(Segment(" "))
                continue
            color = SERIES_COLORS[owner[cy][cx] % len(SERIES_COLORS)]
            row.append(Segment(chr(BRAILLE + bits), Style(color=Color.from_rgb(*color))))
        rows.append(row)
    return rows


def _bars(model: ProfileModel, group: int, plot_h: int, scale: Norm, cell_w: int):
    """Rows of segments with one bar per (pooled) value, colored as on the heatmap."""
    values = _pooled(np.asarray(model.series[0][1], np.float64), group)
    rgb = colorize((model.norm or scale)(values), model.cmap)
    eighths = np.where(np.isfinite(values), np.round(np.nan_to_num(scale(values)) * plot_h * 8), 0).astype(int)
    rows = []
    for cy in range(plot_h):
        level = (plot_h - 1 - cy) * 8  # eighths below this row
        row = []
        for x, e in enumerate(eighths):
            fill = max(0, min(8, e - level))
            style = Style(color=Color.from_rgb(*(int(c) for c in rgb[x])))
            row.append(Segment(BLOCKS[fill] * cell_w, style if fill else Style()))
        rows.append(row)
    return rows
