"""Textual's ANSI-to-truecolor line filter, made cheap for heatmaps.

Textual converts every segment's style of every frame through ``truecolor_style``, an
``lru_cache`` of 1,024 styles. A heatmap in half blocks has a style per pair of cell
colors, about 2,700 distinct ones for a 61 x 256 slice at 160x48: the cache thrashed on
every frame and the filter alone cost ~7 ms of each key. A style whose colors are already
truecolor (every heatmap cell) comes out of that conversion unchanged, so it is passed
through without the cache; the rest are converted as before, with a larger cache. Should
Textual's internals differ, its own filter stays.
"""

from __future__ import annotations

import inspect
from functools import lru_cache

from rich.color import Color as RichColor
from rich.segment import Segment
from rich.style import Style
from textual.filter import ANSIToTruecolor

CACHE = 1 << 16


class HeatmapTruecolor(ANSIToTruecolor):
    """``ANSIToTruecolor`` that passes truecolor styles through and remembers ``CACHE``
    other styles instead of 1,024."""

    @lru_cache(maxsize=CACHE)
    def truecolor_style(self, style: Style, background: RichColor) -> Style:
        return ANSIToTruecolor.truecolor_style.__wrapped__(self, style, background)

    def apply(self, segments: list[Segment], background) -> list[Segment]:
        convert = self.truecolor_style
        rich_background = background.rich_color
        out = []
        for segment in segments:
            style = segment.style
            if style is not None:
                color, bgcolor = style.color, style.bgcolor
                if not ((color is None or color.triplet is not None) and (bgcolor is None or bgcolor.triplet is not None)
                        and not style.dim):
                    segment = Segment(segment.text, convert(style, rich_background))
            out.append(segment)
        return out


def matches_textual() -> bool:
    """Whether Textual's filter is the one this replaces: a cached ``truecolor_style(style,
    background)`` (textual 0.86 converted without the background and keeps its own filter)."""
    convert = getattr(ANSIToTruecolor, "truecolor_style", None)
    if not hasattr(convert, "__wrapped__"):
        return False
    return list(inspect.signature(convert.__wrapped__).parameters) == ["self", "style", "background"]


def widen_filter_cache(app) -> None:
    """Swap the app's ANSI-to-truecolor filter for the one with the larger cache."""
    filters = getattr(app, "_filters", None)
    if not isinstance(filters, list) or not matches_textual():
        return
    for i, existing in enumerate(filters):
        theme = getattr(existing, "_terminal_theme", None)
        if type(existing) is ANSIToTruecolor and theme is not None:
            filters[i] = HeatmapTruecolor(theme, enabled=existing.enabled)
