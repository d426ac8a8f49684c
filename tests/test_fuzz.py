"""Fuzz: 130+ hostile and odd files through info, export and the TUI.

For every file: ``info`` and ``export`` (txt, svg, csv, png) exit 0 or 2 with output free of
control characters from files, never a traceback or exit 70; SVG parses; the TUI steps
through every file as a run (``n``) with a few keys on each, writing nothing to the
terminal but its own sequences; every file is driven through every screen with the whole
key sequence (``KEYS``) at 80x24 (some also at 160x48), notifications shown, and the app
exits cleanly with ``q``; and no input file changes by a byte or in mtime.
"""

import hashlib
import io
import os
import xml.etree.ElementTree as ET
from contextlib import redirect_stderr, redirect_stdout

import pytest
import textual.drivers.headless_driver as headless
from textual import events
from textual.keys import key_to_character

from heatscope.cli import main
from heatscope.sources.opening import resolve_inputs
from tests.fuzz_corpus import MAKERS, build_corpus
from tests.hostile_files import MARKUP_TYPED, file_text_leaks
from tests.test_hostile_text import RecordingDriver
from tests.tui_helpers import make_app, settle


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    directory = tmp_path_factory.mktemp("corpus")
    paths = build_corpus(directory)
    return directory, paths


def _fingerprint(paths):
    return {p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in paths}


def _cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


def test_corpus_is_large_enough(corpus):
    _, paths = corpus
    assert len(paths) >= 100


def test_info_and_export_never_crash_or_leak(corpus, tmp_path):
    directory, paths = corpus
    before = _fingerprint(paths)
    failures = []
    for path in [*paths, directory / "fifo.h5"]:
        status, out, err = _cli("info", str(path))
        if status not in (0, 2) or "internal error" in err or file_text_leaks(out + err):
            failures.append(("info", path.name, status, err[-300:], file_text_leaks(out + err)))
        for fmt in ("txt", "svg", "csv", "png"):
            target = tmp_path / f"{path.stem}.{fmt}"
            status, out, err = _cli("export", str(path), "-f", fmt, "-o", str(target))
            if status not in (0, 2) or "internal error" in err or file_text_leaks(out + err):
                failures.append((fmt, path.name, status, err[-300:], file_text_leaks(out + err)))
            elif status == 0 and fmt in ("txt", "svg", "csv"):
                text = target.read_text(encoding="utf-8")
                if file_text_leaks(text):
                    failures.append((fmt, path.name, "leak", file_text_leaks(text)))
                if fmt == "svg":
                    ET.fromstring(text)
    status, out, err = _cli("info", str(directory))  # the whole directory: bad files do not stop it
    assert status == 2 and "hostile_7.h5" in out and "damage_first_8_bytes.h5" in err
    assert failures == []
    assert _fingerprint(paths) == before


async def test_tui_steps_through_every_file(corpus, monkeypatch):
    directory, paths = corpus
    before = _fingerprint(paths)
    monkeypatch.setattr(headless, "HeadlessDriver", RecordingDriver)
    RecordingDriver.written = []
    files = resolve_inputs([str(directory)])  # the FIFO is not listed
    assert len(files) >= len(paths)  # plus the target of an external link, found by its signature
    app = make_app(*files)
    seen = set()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        for i in range(len(files) + 2):
            await pilot.press("n", ("]", "r", "right", "down", "t", "u")[i % 6])
            await settle(pilot, 1)
            if app.state is not None:
                seen.add(app.state.file_index)
    assert app._exception is None
    opened = sum(f.catalog is not None and bool(f.catalog.viewable()) for f in app.session.files)
    assert len(seen) >= opened - 1  # every run with something to show was shown
    assert len(seen) > 60
    assert file_text_leaks("".join(RecordingDriver.written)) == []
    assert _fingerprint(paths) == before


# What a new user tries on every screen, in steps; each step's keys are sent at once and
# handled in order (a step ends with a key that opens or closes a screen, so the keys next
# reach the screen that is then on top): the tree, the cursor, stepping both axes, the step-axis chooser, a diff
# and the axes chooser (prefilled answers), go to with markup typed, a transpose, a metric
# view and its profiles, zoom levels, facets, colors and every range mode, counts, follow,
# runs, the run table, a screenshot, the palette, help; then q.
STEPS = [
    ["b", "tab", "down", "enter", "tab", "right", "down", "left", "up", "pagedown", "end", "home", "pageup",
     "]", "[", "}", "{", "x"], ["enter"], ["d"], ["enter"], ["a"], ["enter"], ["g"], [*MARKUP_TYPED, "enter"],
    ["t", "m"], ["enter"], ["v", "v", "v", "m", "v", "z", "+", "+", "-", "z", "f"], ["enter"],
    ["c", "C", "r", "r", "r", "r", "r", "r", "u", "u", "F", "F", "n", "p", "o", "o", "R"], ["escape"],
    ["s", "ctrl+p"], [*"Open"], ["escape"], ["?"], ["escape"],
]
NAMES = {"[": "left_square_bracket", "]": "right_square_bracket", "{": "left_curly_bracket",
         "}": "right_curly_bracket", "+": "plus", "-": "minus", "?": "question_mark", " ": "space"}
WIDE = ["hostile_0", "markup_names", "values_all_nan_3d", "vds_partly_missing", "range_u64_all_max",
        "range_f64_steps_at_both_ends", "range_subnormal_pair", "shape_overview_dense", "links_many_datasets",
        "dtype_uint64_max"]


def _sampled(names: list[str]) -> list[str]:
    """Every file when HEATSCOPE_FUZZ_ALL=1 (about 6 CPU-minutes); else every sixth file of
    each kind of damage or oddity (the name's first word), and every file named in WIDE, so
    the suite stays fast: the step-through test above still opens every file."""
    if os.environ.get("HEATSCOPE_FUZZ_ALL") == "1":
        return names
    seen: dict[str, int] = {}
    out = []
    for name in names:
        kind = name.split("_")[0]
        if seen.get(kind, 0) % 6 == 0 or name in WIDE:
            out.append(name)
        seen[kind] = seen.get(kind, 0) + 1
    return out


RUNS = [pytest.param(name, (80, 24), id=f"{name}-80x24") for name in _sampled([n for n, _ in MAKERS])] + [
    pytest.param(name, (160, 48), id=f"{name}-160x48") for name in WIDE]


def _key(key: str) -> events.Key:
    """The event a terminal sends for ``key`` (a character, or a key name as Pilot takes)."""
    name = NAMES.get(key, key)
    return events.Key(name, key if len(key) == 1 else key_to_character(name))


async def _step(pilot, keys) -> None:
    """Send ``keys`` to the app at once, then wait until it has handled them and a screen
    they opened has mounted (messages drained twice; no idle-time waits: 70 keys stay fast)."""
    for key in keys:
        pilot.app.post_message(_key(key))
    await pilot.pause(0)
    await pilot.pause(0)


def _own_files(directory, name):
    """The file ``name`` made, and the files it made beside it (sources, link targets)."""
    return sorted(p for p in directory.iterdir() if p.name.startswith(name) and p.is_file())


@pytest.mark.parametrize("name, size", RUNS)
async def test_every_key_on_every_file(corpus, name, size, tmp_path):
    directory, _ = corpus
    files = _own_files(directory, name)
    before = _fingerprint(files)
    app = make_app(directory / f"{name}.h5", screenshot_dir=tmp_path)
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot, 1)
        refused = app.return_code is not None  # nothing in it can be shown: one line, exit 2
        for keys in [] if refused else STEPS:
            await _step(pilot, keys)
        if not refused:
            await settle(pilot, 1)
            while len(app.screen_stack) > 1:  # a question left open (a key had nothing to ask about)
                await pilot.press("escape")
            await pilot.press("q")
    assert app._exception is None, app._exception
    assert app.return_code == (2 if refused else 0)
    assert _fingerprint(files) == before


@pytest.mark.parametrize("opener", ["g", "a", "m", "R"])
async def test_a_question_answered_twice_at_once_closes_once(corpus, opener):
    """Enter twice before the screen closed (a fast or repeating key) answered a question
    the app had already closed: ScreenStackError, exit status 1."""
    directory, _ = corpus
    app = make_app(directory / "hostile_0.h5", directory / "hostile_1.h5")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, 1)
        await _step(pilot, [opener])
        assert len(app.screen_stack) == 2
        await _step(pilot, ["enter", "enter", "enter"])
        await settle(pilot, 1)
        while len(app.screen_stack) > 1:
            await pilot.press("escape")
        await pilot.press("q")
    assert app._exception is None and app.return_code == 0
