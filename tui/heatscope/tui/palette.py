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
    for i, f in enumerate(app.session.files):
        for d in f.catalog.viewable() if f.catalog else []:
            if not d.is_scale:
                yield (f"Open {safe_text(app.session.run_name(i))}:{d.display_path}", safe_text(d.shape_text()),
                       lambda i=i, d=d: app.open_dataset(i, d))
    yield "Go to…", "Jump to a label or index on an axis", app.action_goto
    yield "Metric view…", "A statistic over one axis (MaxVio over experts...); again to return", app.action_metric
    yield "Facet…", "One panel per label of an axis (layer=9,18 variant)", app.action_facet
    if len(app.session.files) > 1:
        yield "Run table", "Every run with its steps and a summary of this view; sortable", app.action_run_table
        yield "Runs as an axis", "The dataset of every run behind a run axis (then f run, d run=A,B)", \
            app.action_stack_runs
    yield "Diff…", "B minus A along an axis (variant=Aux-Loss-Based,Aux-Loss-Free)", app.action_diff
    for name in CYCLE:
        yield f"Colormap: {name}", "Color the map with " + name, lambda n=name: app.set_cmap(n)
    if app.state is not None:
        for mode in available_modes(app.state.info.value):
            yield f"Range mode: {mode}", "Color range", lambda m=mode: app.set_range(m)
    yield "Transpose", "Swap rows and columns", app.action_transpose
    yield "Choose displayed axes", "Which two axes are drawn", app.action_choose_axes
    yield "Choose step axis", "Which axis [ and ] step", app.action_choose_step_axis
    yield "Screenshot", "Save an SVG of the screen", app.action_screenshot
    yield "Toggle dataset tree", "Show or hide the tree", app.action_toggle_tree
    yield "Help: keys", "Every key", app.action_help


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
