"""The first heatmap drawn before Textual starts (heatscope.tui.terminal.first_frame) is the app's first
heatmap: same box, style, theme and lines; and in a real terminal it hands over cleanly."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from rich.color import ColorSystem

from heatscope.render.screen_layout import heatmap_box
from heatscope.sources.opening import resolve_inputs
from heatscope.tui.launch import _preflight
from heatscope.tui.terminal.first_frame import ANSI_DARK, BASE, color_system, first_layout, frame_text
from tests.tui_helpers import ON_VERIFIED_TEXTUAL, cli_options, make_app

SAMPLES = Path(__file__).resolve().parent.parent / "sample_runs"
SIZES = [(160, 48), (80, 24), (130, 40)]


@pytest.mark.parametrize("size", SIZES)
async def test_box_style_and_theme_are_the_apps(size):
    from textual._ansi_theme import MONOKAI

    app = make_app(SAMPLES / "expert_load.h5")
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        region = app.heatmap.content_region
        assert (region.x, region.y, region.width, region.height) == heatmap_box(*size)
        assert app.heatmap.rich_style == BASE
        assert app.console.is_terminal
    assert [ANSI_DARK.ansi_colors[i] for i in range(16)] == [MONOKAI.ansi_colors[i] for i in range(16)]
    assert (ANSI_DARK.foreground_color, ANSI_DARK.background_color) == (MONOKAI.foreground_color,
                                                                        MONOKAI.background_color)


CASES = [
    ([SAMPLES / "expert_load.h5"], {}, {}),
    ([SAMPLES / "training_balance.h5"], {}, {"range_mode": "slice"}),  # a note under the map
    ([SAMPLES], {}, {"range_mode": "slice"}),  # runs: the run's name in the title
    ([SAMPLES / "expert_load.h5"], {"layer": "20", "variant": "Aux-Loss-Based"},
     {"cmap": "viridis", "range_mode": "slice", "vmin": None, "vmax": None}),
    ([SAMPLES / "expert_load.h5"], {}, {"range_mode": "slice", "vmin": 0.5, "vmax": 3.0}),
]


@pytest.mark.parametrize("size", [(160, 48), (80, 24)])
@pytest.mark.parametrize("paths,picks,view", CASES)
async def test_first_layout_is_the_apps_first_heatmap(paths, picks, view, size):
    options = cli_options(*resolve_inputs([str(p) for p in paths]), picks=picks, **view)
    session = _preflight(options)
    box = heatmap_box(*size)
    drawn = first_layout(session, options.spec, size)
    assert drawn is not None
    app = make_app(*paths, picks=picks, session=session, **view)
    async with app.run_test(size=size):
        shown = app.heatmap.grid_layout
        assert shown.lines == drawn.lines
    text = frame_text(drawn, box, ColorSystem.TRUECOLOR)
    title = "".join(seg.text for seg in drawn.lines[0]).strip()
    assert title and title.split()[0] in text


def test_color_system_is_riches_detection():
    assert color_system({"COLORTERM": "truecolor", "TERM": "xterm"}) == ColorSystem.TRUECOLOR
    assert color_system({"TERM": "xterm-256color"}) == ColorSystem.EIGHT_BIT
    assert color_system({"TERM": "tmux-256color", "COLORTERM": ""}) == ColorSystem.EIGHT_BIT
    assert color_system({"TERM": "xterm"}) is None  # 16 colors: Textual's own mapping, not drawn
    assert color_system({"TERM": "dumb"}) is None
    assert color_system({"TERM": "xterm-256color", "TEXTUAL_COLOR_SYSTEM": "standard"}) is None
    assert color_system({"TERM": "xterm-256color", "TEXTUAL_THEME": "nord"}) is None  # another background
    assert color_system({"TERM": "xterm-256color", "TEXTUAL_THEME": "textual-dark"}) == ColorSystem.EIGHT_BIT


def _read(fd: int, until: bytes, timeout: float = 20.0) -> bytes:
    out = b""
    deadline = time.monotonic() + timeout
    while until not in out and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    return out


def _spawn(path: Path = SAMPLES / "expert_load.h5", **env_extra) -> tuple[subprocess.Popen, int, int, list]:
    """heatscope on the sample in a new 160x48 pty: (process, master fd, terminal fd, the
    terminal's modes before it started)."""
    main, sub = pty.openpty()
    os.set_blocking(main, False)
    fcntl.ioctl(sub, termios.TIOCSWINSZ, struct.pack("HHHH", 48, 160, 0, 0))
    modes = termios.tcgetattr(sub)
    env = {**os.environ, "TERM": "xterm-256color", **env_extra}
    env.pop("NO_COLOR", None)
    env.pop("TEXTUAL_DRIVER", None)
    proc = subprocess.Popen([sys.executable, "-m", "heatscope", str(path)],
                            stdin=sub, stdout=sub, stderr=sub, env=env, start_new_session=True)
    return proc, main, sub, modes


@ON_VERIFIED_TEXTUAL
def test_in_a_terminal_the_heatmap_comes_first_and_keys_wait_for_the_app():
    """A real pty: the heatmap is drawn before Textual starts, a key typed then is not echoed
    but reaches the app, and the terminal's modes are as they were after quitting."""
    proc, main, sub, before = _spawn(COLORTERM="truecolor")
    try:
        first, _, later = _read(main, b"\x1b[?2026l").partition(b"\x1b[?2026l")
        assert b"Aux-Loss-Free Layer 9" in first
        assert b"\x1b[?1004h" not in first  # Textual has not started: this frame is heatscope's own
        assert b"\x1b[38;2;" in first  # truecolor cells
        os.write(main, b"]")  # typed while Textual starts
        rest = later + _read(main, b"Layer 10")
        assert b"Layer 10" in rest, "the key typed before the app ran was lost"
        assert b"]" not in rest.split(b"\x1b[?1004h")[0]  # not echoed before the app took over
        os.write(main, b"q")
        deadline = time.monotonic() + 20
        while proc.poll() is None and time.monotonic() < deadline:
            _read(main, b"\x1b[?1049l", timeout=0.2)  # keep the pty drained: a full one blocks the app
        assert proc.wait(timeout=1) == 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    after = termios.tcgetattr(sub)
    assert after[3] & (termios.ECHO | termios.ICANON) == before[3] & (termios.ECHO | termios.ICANON)
    os.close(main)
    os.close(sub)


def test_heatscope_no_first_frame_leaves_the_screen_to_textual():
    proc, main, sub, _ = _spawn(HEATSCOPE_NO_FIRST_FRAME="1")
    try:
        out = _read(main, b"Aux-Loss-Free Layer 9")
        assert b"Aux-Loss-Free Layer 9" in out
        assert b"\x1b[?1004h" in out.split(b"Aux-Loss-Free Layer 9")[0]  # Textual started first
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        os.close(main)
        os.close(sub)


@pytest.mark.parametrize("path", ["training_balance.h5", "expert_load.h5"])
async def test_the_apps_first_frame_is_laid_out_for_its_size(path, monkeypatch):
    """The heatmap was once laid out on mount, before the widget had its size (the stats
    panel asks for the cell size), and the first frame drew that tiny map."""
    from heatscope.tui.heatmap import HeatmapView

    first: dict[int, str] = {}
    draw = HeatmapView.render_line

    def recording(self, y):
        strip = draw(self, y)
        first.setdefault(y, strip.text)
        return strip

    monkeypatch.setattr(HeatmapView, "render_line", recording)
    session = _preflight(cli_options(*resolve_inputs([str(SAMPLES / path)]), range_mode="slice"))  # as the CLI does
    app = make_app(SAMPLES / path, range_mode="slice", session=session)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        settled = [draw(app.heatmap, y).text for y in range(app.heatmap.content_region.height)]
    assert first and all(first[y] == settled[y] for y in first)


@ON_VERIFIED_TEXTUAL
def test_the_early_heatmap_shows_hostile_file_text_literally(tmp_path):
    from tests.hostile_files import file_text_leaks, hostile_runs

    runs = hostile_runs(tmp_path)
    proc, main, sub, _ = _spawn(runs[0])
    try:
        first, marker, _ = _read(main, b"\x1b[?2026l").partition(b"\x1b[?2026l")
        assert marker and b"\x1b[?1004h" not in first  # the early frame, whole
        text = first.decode("utf-8", "replace")
        assert file_text_leaks(text) == []
        assert "PWNED" in text or "RED" in text or "evil" in text  # the hostile names are shown, escaped
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        os.close(main)
        os.close(sub)
