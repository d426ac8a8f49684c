"""A one-line key bar: the main bindings as plain text.

Textual's Footer builds a widget per key and recomposes on every focus change, which cost
about 40 ms of the first paint here; one Static line is enough for a keyboard-first tool.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

# Most used first: at 80 columns the line is cut on the right.
HINTS = [("]/[", "layer"), ("g", "go to"), ("c", "cmap"), ("r", "range"), ("s", "shot"), ("?", "help"),
         ("q", "quit"), ("f", "facet"), ("d", "diff"), ("}/{", "variant"), ("t", "transpose"), ("b", "tree"),
         ("^p", "palette")]


class KeyHints(Static):
    DEFAULT_CSS = """
    KeyHints { dock: bottom; height: 1; background: $panel; color: $foreground; }
    """

    def __init__(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        for key, what in HINTS:
            text.append(f" {key} ", style="bold reverse")
            text.append(f" {what} ")
        super().__init__(text)
