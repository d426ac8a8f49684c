"""Regression tests for the crashes and wrong pictures of the hardening issue, one each."""

import io
import os
import re
import shutil
import time
from contextlib import redirect_stderr, redirect_stdout

import h5py
import numpy as np
import pytest

from heatscope.cli import main
from heatscope.errors import HeatscopeError
from heatscope.sources.opening import open_hdf5
from tests.tui_helpers import heatmap_text, make_app, screen_text, settle


def _cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


def _notifications(app) -> str:
    return " ".join(f"{n.title} {n.message}" for n in app._notifications)


@pytest.mark.parametrize("sample, step, second", [
    ("expert_load.h5", "layer", "variant"),
    ("training_balance.h5", "step", None),
    ("layer_components.h5", None, None),
])
async def test_key_bar_names_the_real_step_axes(samples_dir, sample, step, second):
    app = make_app(samples_dir / sample)
    async with app.run_test(size=(200, 30)) as pilot:
        await settle(pilot)
        bar = screen_text(app).splitlines()[-1]
        assert ("]/[  " + step in bar) if step else "]/[" not in bar
        assert ("}/{  " + second in bar) if second else "}/{" not in bar


async def test_enter_on_a_run_row_shows_that_run(samples_dir):
    app = make_app(samples_dir / "expert_load.h5", samples_dir / "js_divergence.h5")
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        tree = app.query_one("#tree")
        tree.focus()
        other = next(n for n in tree.root.children if n.data[1] != app.state.file_index)
        for _ in range(50):  # as a user gets there: a node's line is known only once the tree is laid out
            if tree.cursor_node is other:
                break
            await pilot.press("down")
        assert tree.cursor_node is other
        await pilot.press("enter")  # used to crash: 'int' object has no attribute 'viewable'
        await settle(pilot)
        assert app.state.file_index == other.data[1]
        assert "js_divergence" in app.state.info.path


async def test_unknown_colormap_attribute_falls_back_everywhere(tmp_path):
    path = tmp_path / "cm.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("x", data=np.arange(12.0).reshape(3, 4)).attrs["colormap"] = "no_such_map"
    app = make_app(path)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert app.state.cmap == "viridis"  # the generic kind's map
        assert "unknown colormap 'no_such_map'" in _notifications(app)
    status, out, _ = _cli("info", str(path))
    assert status == 0 and "unknown colormap 'no_such_map'" in out and "cmap viridis" in out
    status, _, err = _cli("export", str(path), "-o", "-")
    assert status == 0 and "unknown colormap 'no_such_map'" in err


def _non_utf8_file(path):
    from h5py import h5p, h5t

    with h5py.File(path, "w") as f:
        f["good"] = np.arange(12.0).reshape(3, 4)
        lcpl = h5p.create(h5p.LINK_CREATE)
        lcpl.set_char_encoding(h5t.CSET_ASCII)
        f.id.links.create_hard(b"bad\xff\xfename", f.id, b"good", lcpl=lcpl)


async def test_names_that_are_not_utf8_are_shown_escaped_and_open(tmp_path):
    path = tmp_path / "names.h5"
    _non_utf8_file(path)
    status, out, err = _cli("info", str(path))
    assert status == 0 and "bad\\xff\\xfename" in out, err  # was exit 70
    status, out, err = _cli("export", str(path), "--dataset", "bad\\xff\\xfename", "-o", "-")
    assert status == 0 and "bad\\xff\\xfename" in out, err
    app = make_app(path, dataset="bad\\xff\\xfename")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert app.state.info.display_path == "/bad\\xff\\xfename"
        assert app.panels[0].values[2, 3] == 11.0


async def test_damaged_runs_are_skipped_by_info_and_n(tmp_path, samples_dir):
    runs = tmp_path / "runs"
    runs.mkdir()
    for name in ("a", "c"):
        shutil.copy(samples_dir / "js_divergence.h5", runs / f"{name}.h5")
    (runs / "b.h5").write_bytes((samples_dir / "js_divergence.h5").read_bytes()[:8])  # signature only
    damaged = bytearray((samples_dir / "js_divergence.h5").read_bytes())
    damaged[8:48] = bytes(b ^ 0x5A for b in damaged[8:48])  # a damaged superblock
    (runs / "b2.h5").write_bytes(bytes(damaged))
    status, out, err = _cli("info", str(runs))
    assert status == 2 and "a.h5" in out and "c.h5" in out  # info went on past the bad files
    assert "b.h5: " in err and "b2.h5: damaged HDF5 file" in err and "internal error" not in err
    from heatscope.sources.opening import resolve_inputs

    app = make_app(*resolve_inputs([str(runs)]))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert app.session.run_name(app.state.file_index) == "a"
        await pilot.press("n")
        await settle(pilot)
        assert app.session.run_name(app.state.file_index) == "c"  # used to stop at b
        assert "skipped b, b2" in _notifications(app)
        await pilot.press("n")
        await settle(pilot)
        assert app.session.run_name(app.state.file_index) == "a"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_never_opened(tmp_path):
    fifo = tmp_path / "run.h5"
    os.mkfifo(fifo)
    started = time.monotonic()
    status, _, err = _cli("info", str(fifo))  # used to hang forever
    assert status == 2 and "not a regular file (a FIFO)" in err
    status, _, err = _cli(str(fifo))  # the TUI's own checks, before any screen
    assert status == 2 and "not a regular file (a FIFO)" in err
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("libver", ["earliest", "latest"])
def test_a_truncated_file_is_damaged_not_zero_filled(tmp_path, libver):
    path = tmp_path / "killed.h5"
    with h5py.File(path, "w", libver=libver) as f:
        f.create_dataset("x", data=np.random.default_rng(0).random((200, 200)) + 1, chunks=(20, 20))
    os.truncate(path, int(path.stat().st_size * 0.6))  # a trainer killed mid-write
    with pytest.raises(HeatscopeError, match="damaged HDF5 file: truncated"):
        open_hdf5(path)
    status, _, err = _cli("info", str(path))
    assert status == 2 and "truncated" in err
    status, _, err = _cli("export", str(path), "-o", "-")
    assert status == 2 and "truncated" in err


def test_export_never_writes_over_an_input(tmp_path, samples_dir):
    path = tmp_path / "run.h5"
    shutil.copy(samples_dir / "js_divergence.h5", path)
    before = path.read_bytes()
    status, _, err = _cli("export", str(path), "-f", "png", "-o", str(path))
    assert status == 2 and "refusing to write over an input file" in err
    (tmp_path / "link.png").symlink_to(path)
    status, _, err = _cli("export", str(path), "-o", str(tmp_path / "link.png"))
    assert status == 2 and "refusing to write over an input file" in err
    assert path.read_bytes() == before


@pytest.mark.parametrize("argv, status, message", [
    (["--vmin", "1e999"], 2, "must be a finite number, got '1e999'"),
    (["--vmin", "-inf"], 2, "must be a finite number, got '-inf'"),
    (["--vmax", "nan"], 2, "must be a finite number, got 'nan'"),
    (["--vmin", "-1e3", "--vmax", "-5"], 0, ""),
    (["--vmin", "-0.5"], 0, ""),
])
def test_color_limits_are_finite_numbers(samples_dir, argv, status, message):
    got, _, err = _cli("export", str(samples_dir / "js_divergence.h5"), *argv, "-o", "-")
    assert got == status and message in err


async def test_log_range_on_values_at_the_float64_limit(tmp_path):
    path = tmp_path / "big.h5"
    with h5py.File(path, "w") as f:
        d = f.create_dataset("x", data=np.ones((3, 4)))
        d.attrs["add_offset"] = 1e308  # every value becomes 1e308 + 1
    app = make_app(path, range_mode="log")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)  # used to raise a math domain error
        assert app.frame.norm.log and 0 < app.frame.norm.vmin < app.frame.norm.vmax < float("inf")
        assert re.search(r"\de\+30[78] .*\de\+308", screen_text(app))  # the colorbar's ticks


async def test_infinities_are_marked_in_the_tui_and_exports(tmp_path):
    path = tmp_path / "inf.h5"
    values = np.arange(12.0).reshape(3, 4)
    values[0, 1], values[1, 1], values[2, 2], values[2, 3] = -np.inf, np.inf, np.nan, -999
    with h5py.File(path, "w") as f:
        f.create_dataset("x", data=values).attrs["_FillValue"] = -999.0
    app = make_app(path)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        layout = app.heatmap.grid_layout
        geo, w = layout.geometry, int(layout.geometry.col_chars)
        lines = heatmap_text(app).splitlines()[layout.map_y:layout.map_y + geo.height]
        cells = [[line[layout.map_x + c * w:layout.map_x + (c + 1) * w] for c in range(4)] for line in lines]
        labelled = {line[:layout.map_x].strip(): row for line, row in zip(lines, cells) if line[:layout.map_x].strip()}
        assert w > 2 and labelled["0"][:2] == ["[" + " " * (w - 2) + "]", "-" * w]  # the cursor, the -Inf cell
        assert labelled["1"][1] == "+" * w and labelled["2"][2:] == ["×" * w, "·" * w]
        assert geo.height > 3  # rows several lines tall: every line of a marked cell shows its marker
        marked = [(0, 1, "-"), (1, 1, "+"), (2, 2, "×"), (2, 3, "·")]
        assert [sum(row[c] == m * w for row in cells) for _, c, m in marked] == [geo.height // 3] * 4
    status, out, _ = _cli("export", str(path), "-o", "-")
    assert status == 0 and "--" in out.splitlines()[1] and "++" in out.splitlines()[2]
    status, out, _ = _cli("export", str(path), "-f", "csv", "-o", "-")
    rows = out.splitlines()
    assert rows[2].endswith(",-inf") and rows[6].endswith(",inf") and rows[11].endswith(",nan") and rows[12].endswith(",")
