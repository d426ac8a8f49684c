"""Command-palette entries: the same actions as the keys, plus opening any dataset.

Dataset and file names come from files, so the entries are a ``Provider`` of their own
whose prompts are ``Text`` and help lines ``Content`` (never parsed as markup) made with
``safe_text``; Textual's system commands would parse a title such as ``[bold red]x.h5`` as
markup, and escaping misses tags such as ``[$accent]``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from rich.style import Style
from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from heatscope.colors.colormaps import CYCLE
from heatscope.text import safe_text
from heatscope.views.normalize import available_modes

MATCH = Style(bold=True, underline=True)
Entry = tuple[str, str, Callable[[], object]]  # (title, help, callback), both texts display-safe


def heatscope_entries(app) -> Iterator[Entry]:
    """Every entry, titles and help already display-safe."""
    keys = app.inspector  # the inspector screen's key actions
    for i, f in enumerate(app.session.files):
        for d in f.catalog.viewable() if f.catalog else []:
            if not d.is_scale:
                yield (f"Open {safe_text(app.session.run_name(i))}:{d.display_path}", safe_text(d.shape_text()),
                       lambda i=i, d=d: app.open_dataset(i, d))
    yield "Go to…", "Jump to a label or index on an axis", keys.action_goto
    yield "Metric view…", "A statistic over one axis (MaxVio over experts...); again to return", keys.action_metric
    yield "Facet…", "One panel per label of an axis (layer=9,18 variant)", keys.action_facet
    if len(app.session.files) > 1:
        yield "Run table", "Every run with its steps and a summary of this view; sortable", keys.action_run_table
        yield "Runs as an axis", "The dataset of every run behind a run axis (then f run, d run=A,B)", \
            keys.action_stack_runs
    yield "Diff…", "B minus A along an axis (variant=Aux-Loss-Based,Aux-Loss-Free)", keys.action_diff
    for name in CYCLE:
        yield f"Colormap: {name}", "Color the map with " + name, lambda n=name: keys.set_cmap(n)
    if app.state is not None:
        for mode in available_modes(app.state.info.value):
            yield f"Range mode: {mode}", "Color range", lambda m=mode: keys.set_range(m)
    yield "Transpose", "Swap rows and columns", keys.action_transpose
    yield "Choose displayed axes", "Which two axes are drawn", keys.action_choose_axes
    yield "Choose step axis", "Which axis [ and ] step", keys.action_choose_step_axis
    yield "Screenshot", "Save an SVG of the screen", keys.action_screenshot
    yield "Toggle dataset tree", "Show or hide the tree", keys.action_toggle_tree
    yield "Help: keys", "Every key", keys.action_help


def _highlighted(title: str, offsets) -> Text:
    text = Text(title, no_wrap=True)
    for offset in offsets:
        if not title[offset].isspace():
            text.stylize(MATCH, offset, offset + 1)
    return text


class HeatscopeCommands(Provider):
    """heatscope's own palette entries, shown literally."""

    async def discover(self) -> Hits:
        for title, help_text, callback in heatscope_entries(self.app):
            yield DiscoveryHit(Text(title, no_wrap=True), callback, text=title, help=Content(help_text))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in heatscope_entries(self.app):
            score, offsets = matcher.fuzzy_search.match(matcher.query, title)
            if score > 0:
                yield Hit(score, _highlighted(title, offsets), callback, text=title, help=Content(help_text))
