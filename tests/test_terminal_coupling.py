"""What heatscope reproduces of Textual, checked against Textual itself: the early first
frame, byte for byte as a terminal shows it, against the app's own first paint recorded from
Textual's driver; and the color filter only replaces Textual's when it is the one it knows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyte
import pytest
from rich.color import ColorSystem
from textual.drivers.headless_driver import HeadlessDriver

from heatscope.render.screen_layout import heatmap_box
from heatscope.sources.opening import resolve_inputs
from heatscope.tui.launch import _preflight
from heatscope.tui.terminal import color_filter
from heatscope.tui.terminal.first_frame import first_layout, frame_text
from tests.tui_helpers import ON_VERIFIED_TEXTUAL, cli_options, make_app, settle

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "sample_runs"


def _screen(text: str, size: tuple[int, int]) -> pyte.Screen:
    screen = pyte.Screen(*size)
    pyte.Stream(screen).feed(text)
    return screen


def _cells(screen: pyte.Screen, box: tuple[int, int, int, int]) -> list[list[tuple]]:
    x0, y0, width, height = box
    return [[(screen.buffer[y][x].data, screen.buffer[y][x].fg, screen.buffer[y][x].bg)
             for x in range(x0, x0 + width)] for y in range(y0, y0 + height)]


CASES = [("expert_load.h5", {}, (160, 48)), ("expert_load.h5", {}, (80, 24)),
         ("training_balance.h5", {"range_mode": "slice"}, (160, 48)),  # a note under the map
         ("training_balance.h5", {"range_mode": "slice"}, (80, 24)),
         ("expert_load.h5", {"facet": ["layer=9,18", "variant"]}, (160, 48))]  # four panels


async def _compare(name: str, flags: dict, size: tuple[int, int]) -> tuple[list, int]:
    """(cells of the heatmap box where the early frame and Textual's first paint differ,
    colored cells compared), for one app in this process."""
    os.environ.update(COLORTERM="truecolor", TERM="xterm-256color")
    os.environ.pop("NO_COLOR", None)
    recorded: list[str] = []
    # a recording driver: Textual's headless driver, but its output kept instead of dropped
    HeadlessDriver.is_headless = property(lambda self: False)
    HeadlessDriver.write = lambda self, data: recorded.append(data)
    path = SAMPLES / name
    options = cli_options(*resolve_inputs([str(path)]), **flags)
    session = _preflight(options)
    layout = first_layout(session, options.spec, size)
    assert layout is not None
    box = heatmap_box(*size)
    early = _screen(frame_text(layout, box, ColorSystem.TRUECOLOR), size)
    app = make_app(path, session=session, **flags)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
    assert recorded, "Textual wrote nothing"
    expected, got = _cells(early, box), _cells(_screen("".join(recorded), size), box)
    differing = [(x, y, ca, cb) for y, (a, b) in enumerate(zip(expected, got))
                 for x, (ca, cb) in enumerate(zip(a, b)) if ca != cb]
    return differing, sum(1 for row in expected for cell in row if cell[2] not in ("default", "121212"))


@ON_VERIFIED_TEXTUAL
@pytest.mark.parametrize("name,flags,size", CASES)
def test_the_early_frame_is_textuals_own_first_paint(name, flags, size):
    # One app per interpreter, as heatscope runs: Rich caches a style's escape codes on the
    # Style object whatever the color system, and heatscope shares cell styles across frames,
    # so an earlier app in the same process under another color system would leak its codes.
    code = ("import asyncio, json, sys\n"
            "from tests.test_terminal_coupling import _compare\n"
            f"differing, heat = asyncio.run(_compare({name!r}, {flags!r}, {size!r}))\n"
            "print(json.dumps([len(differing), differing[:3], heat]))\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    count, first, heat = json.loads(result.stdout.strip().splitlines()[-1])
    assert count == 0, f"{count} cells differ, first (x, y, early, textual): {first}"
    assert heat > 50  # the comparison covered a colored map, not a blank box


@ON_VERIFIED_TEXTUAL
def test_the_wider_filter_replaces_only_the_filter_it_knows(monkeypatch):
    from textual.filter import ANSIToTruecolor

    assert color_filter.matches_textual()  # the declared textual range has the cached filter

    class Older(ANSIToTruecolor):
        def truecolor_style(self, style):  # textual 0.86's signature
            return style

    monkeypatch.setattr(color_filter, "ANSIToTruecolor", Older)
    assert not color_filter.matches_textual()


@ON_VERIFIED_TEXTUAL
def test_the_early_frame_is_drawn_only_for_the_textual_it_was_checked_against(monkeypatch):
    import importlib.metadata

    from heatscope.tui.terminal import first_frame

    assert first_frame.reproduces_textual()  # the textual installed with the test extras
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "3.0.0")  # other theme colors
    assert not first_frame.reproduces_textual()


def test_a_toast_mounted_after_its_notice_expired_gets_a_positive_timer(monkeypatch):
    """Textual's Timer with a negative interval loops forever: a late toast must not make one."""
    import time

    from textual.notifications import Notification
    from textual.widgets._toast import Toast

    from heatscope.tui.terminal.toasts import MIN_TIMEOUT, guard_toast_timeouts

    guard_toast_timeouts()
    late = Toast(Notification("x", timeout=1.0, raised_at=time.time() - 5))
    assert late._timeout < 0  # what Textual computes for it
    delays = []
    monkeypatch.setattr(late, "set_timer", lambda delay, callback: delays.append(delay))
    Toast._on_mount(late, None)
    assert delays == [MIN_TIMEOUT]
