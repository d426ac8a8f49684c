"""Fuzz: 120+ hostile and odd files through info, export and the TUI.

For every file: ``info`` and ``export`` (txt, svg, csv, png) exit 0 or 2 with output free of
control characters from files, never a traceback or exit 70; SVG parses; the TUI steps
through every file as a run (``n``) with a few keys on each, writing nothing to the
terminal but its own sequences; and no input file changes by a byte or in mtime.
"""

import hashlib
import io
import xml.etree.ElementTree as ET
from contextlib import redirect_stderr, redirect_stdout

import pytest
import textual.drivers.headless_driver as headless

from heatscope.cli import main
from heatscope.sources.opening import resolve_inputs
from tests.fuzz_corpus import build_corpus
from tests.hostile_files import file_text_leaks
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
    async with app.run_test(size=(100, 30)) as pilot:
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
