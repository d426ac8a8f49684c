"""Text from files never reaches the terminal or an export raw, and is never read as markup.

Every name, attribute, label, file name and directory name of the runs here is hostile.
The app is driven through every screen while a recording driver keeps the exact text it
writes to the terminal; nothing may remain there but the sequences Textual itself writes.
Every export format is checked the same way, and SVG/HTML must parse.
"""

import html.parser
import io
import xml.etree.ElementTree as ET
from contextlib import redirect_stderr, redirect_stdout

import pytest
import textual.drivers.headless_driver as headless

from heatscope.cli import main
from tests.hostile_files import file_text_leaks, hostile_runs
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
    async with app.run_test(size=(160, 48)) as pilot:
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
