"""Helpers for Pilot tests: build the app with the CLI's factory, wait for workers, read the screen."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from textual.worker import WorkerCancelled

from heatscope.inspector.app import LaunchOptions, create_app


def make_app(*paths: Path, **options):
    """The app as the command line builds it (URLs resolved to remote paths the same way)."""
    from heatscope.data.opening import resolve_inputs
    from heatscope.data.remote import is_url

    resolved = [resolve_inputs([p])[0] if is_url(p) else Path(p) for p in paths]
    return create_app(LaunchOptions(paths=resolved, **options))


async def settle(pilot, rounds: int = 3) -> None:
    """Wait until every worker finished, its messages were handled, and the stats panel's
    short debounce timer (50 ms after a redraw) has fired."""
    for i in range(rounds):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:  # an exclusive worker replaced by a newer one
            pass
        await pilot.pause(0.06 if i == rounds - 1 else None)


def screen_text(app) -> str:
    """The whole screen as plain text, as a user would read it."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True,
                      color_system=None, legacy_windows=False, force_terminal=True)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


def heatmap_text(app) -> str:
    """Just the heatmap panel's lines."""
    layout = app.heatmap.layout
    return "\n".join("".join(seg.text for seg in line) for line in layout.lines)
