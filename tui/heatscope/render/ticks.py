"""Placing tick labels along a line of characters without overlaps."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from heatscope.data.text import format_number

NICE_STEPS = (1, 2, 4, 5, 8, 10, 16, 20, 25, 32, 50, 64, 100, 128, 200, 250, 256, 500, 1000)


def format_tick(value: float) -> str:
    """Compact colorbar tick text: ``0``, ``2.5``, ``0.14``, ``1e+04``."""
    if value == 0:
        return "0"
    text = f"{value:.3g}"
    return format_number(float(text)) if "e" not in text else text


def label_step(count: int, spacing: float, widest: int, gap: int = 2) -> int:
    """Smallest nice step so labels ``spacing`` characters apart per index don't collide."""
    for step in NICE_STEPS:
        if step * spacing >= widest + gap or step >= count:
            return step
    return max(1, count)


def place_labels(width: int, items: Sequence[tuple[int, str]]) -> str:
    """A line of ``width`` characters with each text starting at its x (centered when room).

    Later labels that would overlap an earlier one are skipped.
    """
    line = [" "] * width
    cursor = 0
    for x, text in items:
        text = text[:width]
        start = max(x, cursor)
        if start + len(text) > width:  # pull a label at the right edge back inside
            start = max(cursor, width - len(text))
        if start + len(text) > width:
            continue
        line[start : start + len(text)] = list(text)
        cursor = start + len(text) + 1
    return "".join(line)


def axis_tick_line(
    count: int, position: Callable[[int], int], spacing: float, labels: Sequence[str], width: int
) -> str:
    """Tick labels for an axis of ``count`` entries; ``position(i)`` gives entry i's column."""
    if count == 0 or width <= 0:
        return " " * max(0, width)
    widest = max(len(labels[i]) for i in range(0, count, max(1, count // 64 or 1)))
    step = label_step(count, spacing, min(widest, 12))
    items = []
    for i in range(0, count, step):
        text = labels[i]
        room = max(1, int(step * spacing) - 1)
        if len(text) > room and step == 1:
            text = text[: max(1, room - 1)] + "…" if room > 1 else text[:1]
        items.append((position(i), text))
    return place_labels(width, items)
