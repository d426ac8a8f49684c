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
from operator import itemgetter

from rich.color import Color as RichColor
from rich.segment import Segment
from rich.style import Style
from textual.filter import ANSIToTruecolor

CACHE = 1 << 16
_STYLE = itemgetter(1)


class HeatmapTruecolor(ANSIToTruecolor):
    """``ANSIToTruecolor`` that passes truecolor styles through and remembers ``CACHE``
    other styles instead of 1,024.

    Which styles pass through is remembered by object (``id``, the style kept alive so the
    id is not reused): a frame's cells share their style objects with the frames before,
    so a line of cells is usually passed whole after one set comparison in C, not checked
    cell by cell through four Rich properties (a 160x48 step: 3 ms of filtering saved).
    """

    def __init__(self, terminal_theme, enabled: bool = True) -> None:
        super().__init__(terminal_theme, enabled=enabled)
        self._passing: dict[int, Style | None] = {id(None): None}

    @lru_cache(maxsize=CACHE)
    def truecolor_style(self, style: Style, background: RichColor) -> Style:
        return ANSIToTruecolor.truecolor_style.__wrapped__(self, style, background)

    def _passes(self, style: Style) -> bool:
        color, bgcolor = style.color, style.bgcolor
        if (color is None or color.triplet is not None) and (bgcolor is None or bgcolor.triplet is not None) \
                and not style.dim:
            if len(self._passing) >= CACHE:
                self._passing.clear()
                self._passing[id(None)] = None
            self._passing[id(style)] = style
            return True
        return False

    def apply(self, segments: list[Segment], background) -> list[Segment]:
        passing = self._passing
        styles = dict(zip(map(id, map(_STYLE, segments)), map(_STYLE, segments)))  # built in C
        new = [key for key in styles if key not in passing]  # (a dict view's difference walks all of passing)
        if not new or all([self._passes(styles[key]) for key in new]):
            return list(segments)
        convert, rich_background = self.truecolor_style, background.rich_color
        return [segment if id(segment.style) in passing else Segment(segment.text, convert(segment.style, rich_background))
                for segment in segments]


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
