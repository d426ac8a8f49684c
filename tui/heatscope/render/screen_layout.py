"""Where the inspector's parts sit on a screen: the run tree (shown on wide screens), the
heatmap with a column of padding each side, the stats panel (wider on wide screens) and a
line of key hints. Headless, so the app and the command line's early heatmap
(``first_frame``) lay a screen out alike."""

from __future__ import annotations

TREE_WIDTH = 34  # the run tree, its border included
TREE_FROM = 120  # narrower screens give the heatmap the tree's room (``b`` shows it)


def shows_tree(screen_width: int) -> bool:
    return screen_width >= TREE_FROM


def stats_width(screen_width: int) -> int:
    """The stats panel's width, border included: more room on wide screens, so long labels
    are not cut."""
    return 38 if screen_width >= 140 else 30


def heatmap_box(width: int, height: int) -> tuple[int, int, int, int]:
    """x, y, width, height of the heatmap's content on a ``width`` x ``height`` screen."""
    tree = TREE_WIDTH if shows_tree(width) else 0
    return tree + 1, 0, width - tree - stats_width(width) - 2, height - 1
