"""PNG export drawn from the data at pixel resolution with Pillow (an optional extra).

Each panel: a title centered over the map, row labels, square cells, column ticks; one
shared legend at the bottom: the column-axis name and a colorbar with ticks and title.
"""

from __future__ import annotations

import io

import numpy as np

from heatscope.data.text import safe_text
from heatscope.errors import HeatscopeError
from heatscope.export.figure import Figure
from heatscope.render.colormaps import MISSING_RGB, colorize
from heatscope.render.ticks import NICE_STEPS, format_tick

BACKGROUND, FOREGROUND, DIMMED = (255, 255, 255), (20, 20, 20), (90, 90, 90)
MARGIN, GAP = 16, 14


def _pillow():
    try:
        from PIL import Image, ImageDraw, ImageFont
    except ImportError:
        raise HeatscopeError("PNG export needs Pillow: pip install 'heatscope[png]'") from None
    return Image, ImageDraw, ImageFont


def _font(ImageFont, size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1: a fixed bitmap font
        return ImageFont.load_default()


def _text_size(draw, text: str, font) -> tuple[int, int]:
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    return right - left, bottom - top


def to_png(fig: Figure) -> bytes:
    """The figure as PNG bytes."""
    Image, ImageDraw, ImageFont = _pillow()
    sel = fig.state.selection
    info = fig.info
    n_rows, n_cols = sel.n_rows, sel.n_cols
    cell = int(max(6, min(24, 1100 // max(1, n_cols), 600 // max(1, n_rows))))
    cell_w = cell  # a few categorical columns widen so every label fits under its cell
    font, small, bold = _font(ImageFont, 14), _font(ImageFont, 11), _font(ImageFont, 15)
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    row_axis = info.axes[sel.row_axis] if sel.row_axis is not None else None
    col_axis = info.axes[sel.col_axis]
    row_labels = [safe_text(row_axis.label(i)) for i in range(n_rows)] if row_axis else [safe_text(info.name)]
    label_w = max(_text_size(probe, t, font)[0] for t in row_labels) + 10
    widest_col = max(_text_size(probe, safe_text(col_axis.label(i)), small)[0] for i in range(n_cols))
    if n_cols <= 16:
        cell_w = max(cell, widest_col + 8)
    map_w, map_h = n_cols * cell_w, n_rows * cell
    line_h = _text_size(probe, "Ag", font)[1] + 6
    panel_h = line_h + map_h + line_h + GAP
    legend_h = line_h * 2 + 16 + line_h
    width = MARGIN * 2 + label_w + max(map_w, 320)
    height = MARGIN * 2 + panel_h * len(fig.panels) + legend_h
    image = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    x0 = MARGIN + label_w
    col_step = _tick_step(n_cols, cell_w, widest_col)
    y = MARGIN
    for panel in fig.panels:
        title = safe_text(panel.spec.title)
        tw, _ = _text_size(draw, title, bold)
        draw.text((x0 + (map_w - tw) // 2, y), title, fill=FOREGROUND, font=bold)
        y += line_h
        rgb = colorize(fig.norm(panel.values), fig.cmap)
        rgb[panel.missing] = MISSING_RGB
        block = np.repeat(np.repeat(rgb, cell, axis=0), cell_w, axis=1)
        image.paste(Image.fromarray(block.astype(np.uint8), "RGB"), (x0, y))
        for r, c in zip(*np.nonzero(~np.isfinite(panel.values) & ~panel.missing)):
            cx, cy = x0 + c * cell_w, y + r * cell
            if np.isnan(panel.values[r, c]):
                draw.line((cx + 2, cy + 2, cx + cell_w - 3, cy + cell - 3), fill=(230, 80, 80), width=1)
                draw.line((cx + 2, cy + cell - 3, cx + cell_w - 3, cy + 2), fill=(230, 80, 80), width=1)
        for r, label in enumerate(row_labels):
            tw, th = _text_size(draw, label, font)
            draw.text((x0 - 8 - tw, y + r * cell + (cell - th) // 2 - 2), label, fill=FOREGROUND, font=font)
        y += map_h + 3
        for c in range(0, n_cols, col_step):
            label = safe_text(col_axis.label(c))
            tw, _ = _text_size(draw, label, small)
            draw.text((x0 + c * cell_w + (cell_w - tw) // 2, y), label, fill=DIMMED, font=small)
        y += line_h + GAP - 3
    name = safe_text(col_axis.name)
    name_w, _ = _text_size(draw, name, font)
    draw.text((x0 + (map_w - name_w) // 2, y), name, fill=DIMMED, font=font)
    y += line_h
    bar_w = max(200, min(map_w, 480))
    _colorbar(draw, fig, x0 + max(0, (map_w - bar_w) // 2), y, bar_w, font, small, bold, line_h)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _tick_step(count: int, cell: int, widest: int) -> int:
    for step in NICE_STEPS:
        if step * cell >= widest + 6 or step >= count:
            return step
    return count


def _colorbar(draw, fig: Figure, x0: int, y: int, bar_w: int, font, small, bold, line_h: int) -> None:
    value_title = safe_text(fig.value_title)
    title_w, _ = _text_size(draw, value_title, bold)
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
        tw, _ = _text_size(draw, label, small)
        draw.line((tx, y - 4, tx, y - 1), fill=DIMMED)
        draw.text((tx - tw // 2, y), label, fill=DIMMED, font=small)
