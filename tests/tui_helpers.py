"""Helpers for Pilot tests: build the app with the CLI's factory, wait for workers, read the screen."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from textual.worker import WorkerCancelled

from heatscope.tui.app import create_app
from heatscope.tui.launch import launch_options, tui_parser
from heatscope.tui.terminal.first_frame import reproduces_textual

# The early first frame and the wider color filter are checked against textual 8's first
# paint and filter; on the lowest textual declared (3.0) heatscope leaves both to Textual.
ON_VERIFIED_TEXTUAL = pytest.mark.skipif(
    not reproduces_textual(), reason="drawn only on the textual whose first paint it was checked against (8)")

def command_line(picks: dict | None = None, reduce: tuple | None = None, **flags) -> list[str]:
    """Keyword arguments as the command line's words: ``picks={"layer": "9"}`` is
    ``--select layer=9``, ``range_mode="slice"`` is ``--range slice``, ``mono=True`` is ``--mono``."""
    words = [w for axis, label in (picks or {}).items() for w in ("--select", f"{axis}={label}")]
    if reduce is not None:
        words += ["--reduce", "=".join(reduce)]
    for name, value in flags.items():
        if value is None or value is False:
            continue
        flag = "--range" if name == "range_mode" else "--" + name.replace("_", "-")
        if value is True:
            words.append(flag)
        else:
            words += [flag, str(value)] if not isinstance(value, (list, tuple)) else \
                [w for item in value for w in (flag, str(item))]
    return words


def cli_options(*paths: Path, session=None, **flags):
    """The launch options the command line makes of these paths and flags (same parser;
    URLs resolved to remote paths the same way)."""
    from heatscope.sources.opening import resolve_inputs
    from heatscope.sources.remote import is_url

    resolved = [resolve_inputs([p])[0] if is_url(p) else Path(p) for p in paths]
    return launch_options(tui_parser().parse_args(command_line(**flags)), resolved, session)


def make_app(*paths: Path, session=None, **flags):
    """The app as the command line builds it: the same parser, options and factory."""
    return create_app(cli_options(*paths, session=session, **flags))


async def settle(pilot, rounds: int = 3) -> None:
    """Wait until every worker finished, its messages were handled, and the stats panel's
    short debounce timer (50 ms after a redraw) has fired."""
    for i in range(rounds):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:  # an exclusive worker replaced by a newer one
            pass
        await pilot.pause(0.06 if i == rounds - 1 else None)


async def answer(pilot, key: str, text: str) -> None:
    """Press ``key``, replace what its prompt's input holds with ``text``, press Enter, settle."""
    await pilot.press(key)
    await pilot.pause()
    pilot.app.screen.query_one("Input").value = ""
    await pilot.press(*text, "enter")
    await settle(pilot)


def screen_text(app) -> str:
    """The whole screen as plain text, as a user would read it."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True,
                      color_system=None, legacy_windows=False, force_terminal=True)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


def heatmap_text(app) -> str:
    """Just the heatmap panel's lines."""
    layout = app.heatmap.grid_layout
    return "\n".join("".join(seg.text for seg in line) for line in layout.lines)
