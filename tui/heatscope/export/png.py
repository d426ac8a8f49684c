"""PNG export drawn from the data at pixel resolution with Pillow (an optional extra).

Each panel: a title centered over the map, row labels, square cells, column ticks; one
shared legend at the bottom: the column-axis name and a colorbar with ticks and title.
"""

from __future__ import annotations

import io

import numpy as np

from heatscope.colors.colormaps import MISSING_RGB, colorize, luminance
from heatscope.export.png_canvas import BACKGROUND, DIMMED, FOREGROUND, font_of, pillow, row_ticks, text_size, tick_step
from heatscope.read.pooling import pool_factors, pool_max
from heatscope.render.cells import MISSING, NAN, POS_INF, cell_kinds
from heatscope.render.ticks import format_tick
from heatscope.text import safe_text
from heatscope.views.frame import Frame

MARGIN, GAP = 16, 14
MAX_MAP = (2400, 1600)  # pixels of map, at most (wide x high)
MARKER_CELL = 5  # cells at least this many pixels carry the NaN/fill/Inf markers


def _layout(n_rows: int, n_cols: int, n_panels: int) -> tuple[tuple[int, int], int, int]:
    """(pooling factors, cell height, cell width) in pixels: square cells of 6-24 px when
    the slice fits in ``MAX_MAP`` pixels, else cells as small as 1 px over max-pooled
    blocks, so no image is larger than ``MAX_MAP`` (per panel rows share the height)."""
    max_w, max_h = MAX_MAP[0], max(200, MAX_MAP[1] // max(1, n_panels))
    cell = int(max(6, min(24, 1100 // max(1, n_cols), 600 // max(1, n_rows))))
    if n_cols * cell <= max_w and n_rows * cell <= max_h:
        return (1, 1), cell, cell
    factors = pool_factors(n_rows, n_cols, max_h, max_w)
    shown_rows, shown_cols = -(-n_rows // factors[0]), -(-n_cols // factors[1])
    return factors, max(1, min(24, max_h // shown_rows)), max(1, min(24, max_w // shown_cols))


def to_png(fig: Frame) -> bytes:
    """The figure as PNG bytes, never more than about ``MAX_MAP`` pixels of map: a larger
    slice is max-pooled (as the TUI aggregates) and the image says so. A profile figure
    is drawn as its chart."""
    if fig.profile is not None:
        from heatscope.export.png_profile import to_png_profile

        return to_png_profile(fig.profile)
    Image, ImageDraw, ImageFont = pillow()
    sel = fig.state.selection
    info = fig.info
    panel_factors = fig.panels[0].factors  # an overview read pooled already
    n_rows, n_cols = fig.panels[0].values.shape
    factors, cell, cell_w = _layout(n_rows, n_cols, len(fig.panels))
    rs, cs = panel_factors[0] * factors[0], panel_factors[1] * factors[1]  # data cells per drawn cell
    shown_rows, shown_cols = -(-n_rows // factors[0]), -(-n_cols // factors[1])
    font, small, bold = font_of(ImageFont, 14), font_of(ImageFont, 11), font_of(ImageFont, 15)
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    row_axis = info.axes[sel.row_axis] if sel.row_axis is not None else None
    col_axis = info.axes[sel.col_axis]
    row_labels = [safe_text(row_axis.label(i * rs)) for i in range(shown_rows)] if row_axis else [info.name]
    col_labels = [safe_text(col_axis.label(j * cs)) for j in range(shown_cols)]
    line_h = text_size(probe, "Ag", font)[1] + 6
    ticks = row_ticks(probe, row_labels, cell, font)
    label_w = max(-x for _, x, _ in ticks) + 2
    widest_col = max(text_size(probe, col_labels[j], small)[0] for j in range(0, shown_cols, max(1, shown_cols // 64)))
    if shown_cols <= 16 and factors == (1, 1):  # a few categorical columns widen so every label fits
        cell_w = max(cell, widest_col + 8)
    map_w, map_h = shown_cols * cell_w, shown_rows * cell
    note = _pooling_note(rs, cs, row_axis.name if row_axis else "row", col_axis.name)
    panel_h = line_h + map_h + line_h + GAP
    legend_h = line_h * 2 + 16 + line_h + (line_h if note else 0)
    bar_w = max(200, min(map_w, 480))
    # titles are centered over the map (the value title over the colorbar): a title wider
    # than the figure moves the map right and widens the image instead of being cut off
    centered = [(map_w // 2, text_size(probe, safe_text(p.spec.title), bold)[0]) for p in fig.panels]
    centered.append((max(0, (map_w - bar_w) // 2) + bar_w // 2, text_size(probe, safe_text(fig.value_title), bold)[0]))
    shift = max(0, *(tw // 2 - center - label_w for center, tw in centered))
    x0 = MARGIN + label_w + shift
    width = max(x0 + max(map_w, 320) + MARGIN, *(x0 + center + tw // 2 + MARGIN for center, tw in centered))
    height = MARGIN * 2 + panel_h * len(fig.panels) + legend_h
    image = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    col_step = tick_step(shown_cols, cell_w, widest_col)
    y = MARGIN
    for panel in fig.panels:
        title = safe_text(panel.spec.title)
        tw, _ = text_size(draw, title, bold)
        draw.text((x0 + (map_w - tw) // 2, y), title, fill=FOREGROUND, font=bold)
        y += line_h
        pooled = pool_max(panel.values, panel.missing, factors) if factors != (1, 1) else panel
        rgb = colorize(fig.norm(pooled.values), fig.cmap)
        rgb[pooled.missing] = MISSING_RGB
        block = np.repeat(np.repeat(rgb, cell, axis=0), cell_w, axis=1)
        image.paste(Image.fromarray(block.astype(np.uint8), "RGB"), (x0, y))
        if min(cell, cell_w) >= MARKER_CELL:  # smaller cells keep their colors (NaN grey) only
            kinds = cell_kinds(pooled.values, pooled.missing)
            for r, c in zip(*np.nonzero(kinds)):
                _marker(draw, int(kinds[r, c]), x0 + c * cell_w, y + r * cell, cell_w, cell,
                        tuple(int(v) for v in rgb[r, c]))
        for r, dx, dy in ticks:
            draw.text((x0 + dx, y + dy), row_labels[r], fill=FOREGROUND, font=font)
        y += map_h + 3
        for c in range(0, shown_cols, col_step):
            tw, _ = text_size(draw, col_labels[c], small)
            draw.text((x0 + c * cell_w + max(0, (cell_w - tw) // 2), y), col_labels[c], fill=DIMMED, font=small)
        y += line_h + GAP - 3
    name = safe_text(col_axis.name)
    name_w, _ = text_size(draw, name, font)
    draw.text((x0 + (map_w - name_w) // 2, y), name, fill=DIMMED, font=font)
    y += line_h
    _colorbar(draw, fig, x0 + max(0, (map_w - bar_w) // 2), y, bar_w, font, small, bold, line_h)
    if note:
        draw.text((MARGIN, y + line_h * 2 + 16), note, fill=(150, 110, 0), font=font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _pooling_note(rs: int, cs: int, row_name: str, col_name: str) -> str:
    parts = [f"{cs} {safe_text(col_name)}s" if cs > 1 else "", f"{rs} {safe_text(row_name)}s" if rs > 1 else ""]
    text = " x ".join(p for p in parts if p)
    return f"note: max of {text} per cell" if text else ""


def _marker(draw, kind: int, x: int, y: int, w: int, h: int, bg) -> None:
    """The TUI's marker for a cell without a color: × NaN, · fill value, + and - for +-Inf."""
    ink = (230, 80, 80) if kind == NAN else ((0, 0, 0) if luminance(bg) > 0.5 else (255, 255, 255))
    mx, my, r = x + w // 2, y + h // 2, max(1, min(w, h) // 4)
    if kind == NAN:
        draw.line((x + 2, y + 2, x + w - 3, y + h - 3), fill=ink, width=1)
        draw.line((x + 2, y + h - 3, x + w - 3, y + 2), fill=ink, width=1)
    elif kind == MISSING:
        draw.rectangle((mx - r // 2, my - r // 2, mx + r // 2, my + r // 2), fill=(170, 170, 170))
    else:
        draw.line((mx - r, my, mx + r, my), fill=ink, width=1)
        if kind == POS_INF:
            draw.line((mx, my - r, mx, my + r), fill=ink, width=1)


def _colorbar(draw, fig: Frame, x0: int, y: int, bar_w: int, font, small, bold, line_h: int) -> None:
    value_title = safe_text(fig.value_title)
    title_w, _ = text_size(draw, value_title, bold)
    draw.text((x0 + (bar_w - title_w) // 2, y), value_title, fill=FOREGROUND, font=bold)
    y += line_h
    levels = colorize(np.linspace(0.0, 1.0, bar_w), fig.cmap)
    for i, color in enumerate(levels):
        draw.line((x0 + i, y, x0 + i, y + 14), fill=tuple(int(v) for v in color))
    draw.rectangle((x0, y, x0 + bar_w - 1, y + 14), outline=DIMMED)
    y += 18
    for t in fig.norm.ticks(6):
        tx = x0 + int(round(fig.norm.position(t) * (bar_w - 1)))
        label = format_tick(t)
        tw, _ = text_size(draw, label, small)
        draw.line((tx, y - 4, tx, y - 1), fill=DIMMED)
        draw.text((tx - tw // 2, y), label, fill=DIMMED, font=small)
