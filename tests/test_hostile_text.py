"""Text from files never reaches the terminal or an export raw, and is never read as markup.

Every name, attribute, label, file name and directory name of the runs here is hostile.
The app is driven through every screen while a recording driver keeps the exact text it
writes to the terminal; nothing may remain there but the sequences Textual itself writes.
Every export format is checked the same way, and SVG/HTML must parse. Names that are valid
markup (a link, a style, a variable) must show as typed in notifications, startup notes,
prompt echoes and the palette, where parsing them raised or ate them.
"""

import html.parser
import io
import xml.etree.ElementTree as ET
from contextlib import redirect_stderr, redirect_stdout

import pytest
import textual.drivers.headless_driver as headless

from heatscope.cli import main
from tests.hostile_files import (
    MARKUP_AXIS,
    MARKUP_GROUP,
    MARKUP_KIND,
    MARKUP_TYPED,
    file_text_leaks,
    hostile_runs,
    write_markup_run,
)
from tests.tui_helpers import make_app, screen_text, settle


class RecordingDriver(headless.HeadlessDriver):
    """The headless driver, except that it keeps what the app writes to the terminal."""

    written: list[str] = []

    @property
    def is_headless(self) -> bool:
        return False  # so the app renders its frames to the driver

    def write(self, data: str) -> None:
        RecordingDriver.written.append(data)


@pytest.fixture
def runs(tmp_path):
    return hostile_runs(tmp_path)


def _run_cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


async def test_every_screen_writes_only_safe_text(runs, tmp_path, monkeypatch):
    monkeypatch.setattr(headless, "HeadlessDriver", RecordingDriver)
    RecordingDriver.written = []
    shots = tmp_path / "shots"
    shots.mkdir()
    app = make_app(*runs, screenshot_dir=shots)
    screens = 0
    async with app.run_test(size=(160, 48), notifications=True) as pilot:  # toasts quote files too
        await settle(pilot)
        assert app.state is not None and app.state.derived  # the hostile counts opened as relative load

        async def visit(*keys, close=("escape",)):
            nonlocal screens
            await pilot.press(*keys)
            await settle(pilot)
            screens += 1
            text = screen_text(app)
            if close:
                await pilot.press(*close)
                await settle(pilot)
            return text

        await visit("g")  # go-to prompt and its hint
        await visit("a")  # axes chooser
        await visit("x")  # step-axis chooser
        assert "Which axis do [ and ] step?" in await visit("x")  # heatscope's own text is not markup
        await visit("question_mark")  # help
        palette = await visit("ctrl+p", *"Open", close=())  # palette search over hostile dataset names
        assert "Open" in palette
        await visit(*"[/]", close=("escape",))  # markup-looking query
        await visit("f", "enter", close=())  # facet with the prefilled hostile labels
        await visit("f", *["backspace"] * 80, "enter", close=())  # clear facets
        await visit("d", "enter", close=())  # diff with the prefilled hostile labels
        await visit("d", close=())  # diff off
        for key in ("]", "}", "c", "C", "r", "t", "t", "u", "u", "right", "down", "o", "o", "n", "p", "F", "F", "b"):
            await visit(key, close=())
        await visit("tab", "enter", close=())  # Enter on the tree's rows
        await visit("s", close=())  # screenshot
        screen = screen_text(app)
    assert screens >= 30
    written = "".join(RecordingDriver.written)
    assert len(written) > 10_000  # frames really were recorded
    assert file_text_leaks(written) == []
    assert "[bold red]" in written or "[link=" in written  # markup from files shown literally
    svgs = list(shots.glob("*.svg"))
    assert svgs
    for svg in svgs:
        text = svg.read_text(encoding="utf-8")
        ET.fromstring(text)  # valid XML whatever the names
        assert file_text_leaks(text) == []
    assert "\\x1b" in screen or "\\u202e" in screen or "\\x07" in screen  # escapes shown visibly


@pytest.fixture
def markup_run(tmp_path):
    path = tmp_path / "markup.h5"
    write_markup_run(path)
    return path


async def _drive(path, keys, size=(80, 24), **flags) -> str:
    """The screen after ``keys`` (toasts shown, as in a terminal); the app must not have
    failed, and quits cleanly after."""
    app = make_app(path, **flags)
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        for _ in range(100):  # the first view is shown
            if app.state is not None:
                break
            await pilot.pause(0.05)
        for key in keys:
            await pilot.press(key)
            await settle(pilot, 1)
        screen = screen_text(app)
        while len(app.screen_stack) > 1:
            await pilot.press("escape")
        await pilot.press("q")
    assert app._exception is None and app.return_code == 0
    return screen


async def test_a_diff_error_quoting_a_markup_axis_name_is_shown_literally(markup_run):
    # d prefills "[link=https://e.invalid]expert=0,1": "no axis named '[link' (axes: ...)"
    # quoted the link, and the toast raised MarkupError ("found '://e.invalid]expert)'")
    screen = await _drive(markup_run, ["d", "enter"])
    assert "no axis named '[link'" in screen and f"{MARKUP_AXIS}," in screen


async def test_a_startup_note_quoting_markup_names_is_shown_literally(markup_run):
    screen = await _drive(markup_run, [], size=(120, 30), dataset="x")
    assert "[on red]/x:" in screen and f"'{MARKUP_KIND}'" in screen  # was "/$accent /x: ... 'relative_..."
    assert f"/{MARKUP_GROUP}" in " ".join(screen.split())


async def test_text_typed_at_go_to_is_echoed_literally(markup_run):
    screen = await _drive(markup_run, ["g", *MARKUP_TYPED, "enter"], size=(120, 30))
    assert f"'{MARKUP_TYPED}'" in screen  # was echoed as 'zz'


async def test_palette_help_lines_show_markup_names_literally(markup_run):
    screen = await _drive(markup_run, ["ctrl+p", *"Open"], size=(120, 30))
    assert "[$accent]x=8" in screen  # textual's escape() left it a tag: the help read "x=8"


@pytest.mark.parametrize("fmt", ["svg", "html", "txt", "ansi", "csv"])
def test_exports_of_hostile_runs_are_safe(runs, fmt):
    status, out, err = _run_cli("export", str(runs[0]), "-f", fmt, "-o", "-")
    assert status == 0, err
    assert file_text_leaks(out) == [] and file_text_leaks(err) == []
    if fmt == "svg":
        ET.fromstring(out)
    if fmt == "html":
        parser = html.parser.HTMLParser()
        parser.feed(out)
        parser.close()
    if fmt in ("txt", "csv", "svg", "html"):
        assert "\x1b" not in out


def test_png_and_diff_exports_of_hostile_runs(runs, tmp_path):
    status, _, err = _run_cli("export", str(runs[0]), str(runs[1]), "-o", str(tmp_path / "d.png"))
    assert status == 0, err
    assert file_text_leaks(err) == []
    status, out, err = _run_cli("export", str(runs[0]), "--facet", "variant", "-o", "-")
    assert status == 2 and "no axis named 'variant'" in err  # the axis is called [bold red]xvariant6
    assert file_text_leaks(out + err) == []


def test_info_of_hostile_runs_is_safe(runs):
    status, out, err = _run_cli("info", str(runs[0].parent))
    assert status == 0, err
    assert file_text_leaks(out + err) == []
    assert "[bold red]" in out  # markup shown literally
    assert "\\x1b[31mRED\\x1b[0m" in out  # the SGR sequence shown escaped, visibly
