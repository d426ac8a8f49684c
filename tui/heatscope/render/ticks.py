"""Placing tick labels along a line of characters without overlaps."""

from __future__ import annotations

from collections.abc import Sequence

from heatscope.text import format_number

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
    """A line of ``width`` characters with each text starting at its x (colorbar ticks).

    A label that would overlap an earlier one moves right, one at the right edge is pulled
    back inside; one that still does not fit is skipped.
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


def axis_tick_line(cells: Sequence[tuple[int, str]], spacing: float, width: int) -> str:
    """Tick labels of an axis: ``cells`` are (x, label) for each drawn cell, in order, where
    the label names the data index drawn at x. Labels start exactly at their cell's x, never
    moved (a moved label would name the wrong cell): every ``step``-th cell is labelled,
    with the smallest nice step that keeps them apart, and a label that does not fit is
    left out."""
    if not cells or width <= 0:
        return " " * max(0, width)
    widest = max(len(cells[i][1]) for i in range(0, len(cells), max(1, len(cells) // 64)))
    # a few categorical columns sized to their labels are all labelled; else keep a gap of 2
    step = 1 if len(cells) <= 16 and spacing >= widest + 1 else label_step(len(cells), spacing, min(widest, 12))
    line = [" "] * width
    free = 0
    chosen = cells[::step]
    for i, (x, text) in enumerate(chosen):
        end = chosen[i + 1][0] - 1 if i + 1 < len(chosen) else width  # up to the next label
        room = end - x
        if len(text) > room:  # cut with an ellipsis, never to a shorter label (12 -> 1 lies)
            if room < 2:
                continue
            text = text[: room - 1] + "…"
        if x < free:
            continue
        line[x : x + len(text)] = list(text)
        free = x + len(text) + 1
    return "".join(line)
