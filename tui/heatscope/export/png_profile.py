"""A profile (``--profile row|col``) as a PNG: the TUI strip's chart drawn with Pillow."""

from __future__ import annotations

import io

import numpy as np

from heatscope.colors.colormaps import colorize
from heatscope.export.png_canvas import BACKGROUND, DIMMED, FOREGROUND, font_of, pillow, text_size, tick_step
from heatscope.render.profile import SERIES_COLORS
from heatscope.render.ticks import format_tick
from heatscope.text import safe_text
from heatscope.views.profile import ProfileModel, value_scale

SIZE = (1100, 460)
MARGIN = (70, 40, 30, 70)  # left, top, right, bottom


def to_png_profile(model: ProfileModel) -> bytes:
    """The chart: curves (or bars in the map's colors), y ticks, x labels, the cursor marked."""
    Image, ImageDraw, ImageFont = pillow()
    image = Image.new("RGB", SIZE, BACKGROUND)
    draw = ImageDraw.Draw(image)
    font, small, bold = font_of(ImageFont, 14), font_of(ImageFont, 11), font_of(ImageFont, 15)
    left, top, right, bottom = MARGIN
    x0, y0, x1, y1 = left, top, SIZE[0] - right, SIZE[1] - bottom
    scale = value_scale(model)
    n = len(model.x_labels)
    step_x = (x1 - x0) / max(1, n - (0 if model.bars else 1))

    def px(i: float) -> float:
        return x0 + i * step_x + (step_x / 2 if model.bars else 0)

    def py(v: float) -> float:
        return y1 - scale.position(v) * (y1 - y0)

    draw.text((x0, 10), safe_text(model.title), fill=FOREGROUND, font=bold)
    draw.rectangle((x0, y0, x1, y1), outline=DIMMED)
    for t in [] if model.all_nan else scale.ticks(6):
        y = py(t)
        draw.line((x0 - 4, y, x0, y), fill=DIMMED)
        label = format_tick(t)
        tw, th = text_size(draw, label, small)
        draw.text((x0 - 8 - tw, y - th // 2 - 2), label, fill=DIMMED, font=small)
    if model.all_nan:
        tw, th = text_size(draw, "NaN", font)
        draw.text(((x0 + x1 - tw) / 2, (y0 + y1 - th) / 2), "NaN", fill=DIMMED, font=font)
    if model.cursor is not None and 0 <= model.cursor < n:
        cx = px(model.cursor)
        for y in range(int(y0), int(y1), 6):
            draw.line((cx, y, cx, min(y1, y + 3)), fill=(200, 160, 0))
    if model.bars:
        values = np.asarray(model.series[0][1], np.float64)
        rgb = colorize((model.norm or scale)(values), model.cmap)
        for i, v in enumerate(values):
            if np.isfinite(v):
                draw.rectangle((px(i) - step_x * 0.4, min(py(v), py(0)), px(i) + step_x * 0.4, max(py(v), py(0))),
                               fill=tuple(int(c) for c in rgb[i]))
    else:
        for k, (name, values) in enumerate(model.series):
            points = [(px(i), py(v)) for i, v in enumerate(np.asarray(values, np.float64)) if np.isfinite(v)]
            color = SERIES_COLORS[k % len(SERIES_COLORS)]
            if len(points) > 1:
                draw.line(points, fill=color, width=3 if k == model.highlight else 2)
            tx = x0 + 10 + k * 160
            draw.line((tx, SIZE[1] - 22, tx + 24, SIZE[1] - 22), fill=color, width=3)
            draw.text((tx + 30, SIZE[1] - 30), safe_text(name), fill=FOREGROUND, font=font)
    widest = max(text_size(draw, safe_text(x), small)[0] for x in model.x_labels[:: max(1, n // 64)])
    for i in range(0, n, tick_step(n, max(1, int(step_x)), widest)):
        label = safe_text(model.x_labels[i])
        tw, _ = text_size(draw, label, small)
        draw.text((px(i) - tw / 2, y1 + 6), label, fill=DIMMED, font=small)
    name = safe_text(model.x_name)
    nw, _ = text_size(draw, name, font)
    draw.text(((x0 + x1 - nw) / 2, y1 + 24), name, fill=DIMMED, font=font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
