"""What the PNG exports share: Pillow (an optional extra), fonts, text sizes, colors, tick spacing
and the placing of row labels."""

from __future__ import annotations

from heatscope.errors import HeatscopeError
from heatscope.render.ticks import NICE_STEPS

BACKGROUND, FOREGROUND, DIMMED = (255, 255, 255), (20, 20, 20), (90, 90, 90)


def pillow():
    try:
        from PIL import Image, ImageDraw, ImageFont
    except ImportError:
        raise HeatscopeError("PNG export needs Pillow: pip install 'heatscope[png]'") from None
    return Image, ImageDraw, ImageFont


def font_of(ImageFont, size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1: a fixed bitmap font
        return ImageFont.load_default()


def text_size(draw, text: str, font) -> tuple[int, int]:
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    return right - left, bottom - top


def tick_step(count: int, cell: int, widest: int, gap: int = 6) -> int:
    """Label every ``step``-th cell: the smallest step whose cells hold a label and ``gap``."""
    for step in NICE_STEPS:
        if step * cell >= widest + gap or step >= count:
            return step
    return count


def row_ticks(draw, labels: list[str], cell: int, font) -> list[tuple[int, int, int]]:
    """(row, x, y) of each row label drawn, the text's origin relative to the map's top left
    (left of it): every ``step``-th row, the smallest step whose rows hold the tallest label
    and 2 px (its own height, not a text line's spacing), each centered on its row."""
    sampled = range(0, len(labels), max(1, len(labels) // 64))
    step = tick_step(len(labels), cell, max(text_size(draw, labels[r], font)[1] for r in sampled), 2)
    ticks = []
    for r in range(0, len(labels), step):
        tw, th = text_size(draw, labels[r], font)
        ticks.append((r, -8 - tw, r * cell + (cell - th) // 2 - 2))
    return ticks
