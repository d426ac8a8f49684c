"""Command-palette entries: the same actions as the keys, plus opening any dataset."""

from __future__ import annotations

from collections.abc import Iterator

from textual.app import SystemCommand

from heatscope.render.colormaps import CYCLE
from heatscope.render.normalize import available_modes


def heatscope_commands(app) -> Iterator[SystemCommand]:
    for i, f in enumerate(app.session.files):
        for d in f.catalog.viewable() if f.catalog else []:
            yield SystemCommand(f"Open {f.path.name}:{d.path}", d.shape_text(),
                                lambda i=i, d=d: app.open_dataset(i, d))
    yield SystemCommand("Go to…", "Jump to a label or index on an axis", app.action_goto)
    yield SystemCommand("Facet…", "One panel per label of an axis (layer=9,18 variant)", app.action_facet)
    yield SystemCommand("Diff…", "B minus A along an axis (variant=Aux-Loss-Based,Aux-Loss-Free)", app.action_diff)
    for name in CYCLE:
        yield SystemCommand(f"Colormap: {name}", "Color the map with " + name, lambda n=name: app.set_cmap(n))
    if app.state is not None:
        for mode in available_modes(app.state.info.value):
            yield SystemCommand(f"Range mode: {mode}", "Color range", lambda m=mode: app.set_range(m))
    yield SystemCommand("Transpose", "Swap rows and columns", app.action_transpose)
    yield SystemCommand("Choose displayed axes", "Which two axes are drawn", app.action_choose_axes)
    yield SystemCommand("Screenshot", "Save an SVG of the screen", app.action_screenshot)
    yield SystemCommand("Toggle dataset tree", "Show or hide the tree", app.action_toggle_tree)
    yield SystemCommand("Help: keys", "Every key", app.action_help)
