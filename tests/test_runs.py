"""Run directories: lazy opening, switching runs keeps the view, sorting."""

import os
import shutil

import h5py
import numpy as np

from heatscope.read.session import Session
from tests.tui_helpers import heatmap_text, make_app, screen_text, settle


def _runs(tmp_path, samples_dir, count=12):
    runs = tmp_path / "runs"
    runs.mkdir()
    for i in range(count):
        target = runs / f"run_{i:02d}.h5"
        shutil.copy(samples_dir / "expert_load.h5", target)
        with h5py.File(target, "a") as f:
            f["relative_expert_load"][1, 8, 2, 24] = float(i)  # tells the runs apart
        os.utime(target, (1_700_000_000 + (count - i) * 60,) * 2)  # run_00 is the newest
    return runs


def test_session_opens_lazily(tmp_path, samples_dir):
    runs = _runs(tmp_path, samples_dir)
    session = Session(sorted(runs.glob("*.h5")))
    files = session.open_all(eager=3)
    assert [f.catalog is not None for f in files] == [True] * 3 + [False] * 9
    assert session.ensure_open(10).catalog.find("relative_expert_load") is not None
    session.close()


async def test_switching_runs_keeps_dataset_selection_and_cursor(tmp_path, samples_dir):
    runs = _runs(tmp_path, samples_dir)
    app = make_app(*sorted(runs.glob("*.h5")))
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        assert app.state.file_index == 0
        await pilot.press("]", "down", "down", *(["right"] * 24), "[")  # layer 9, DM Mathematics, expert 25
        await settle(pilot)
        sel, cursor = app.state.selection, app.state.cursor
        for expected in range(1, 11):  # beyond the eagerly opened files too
            await pilot.press("n")
            await settle(pilot)
            assert app.state.file_index == expected
            assert app.state.selection.index == sel.index and app.state.cursor == cursor
            assert "Aux-Loss-Free Layer 9" in heatmap_text(app)
            assert f"value   {expected}" in screen_text(app)
        await pilot.press("p")
        await settle(pilot)
        assert app.state.file_index == 9
        await pilot.press("o")  # newest first: run_00 leads
        await settle(pilot)
        assert app.run_order()[0] == 0 and app.run_order()[-1] == 11
        tree = app.query_one("#tree")
        assert [node.data[1] for node in tree.root.children] == app.run_order()
        assert str(tree.root.children[0].label).startswith("run_00  ")  # the run name, not the file name


async def test_run_without_the_dataset_falls_back(tmp_path, samples_dir):
    runs = tmp_path / "runs"
    runs.mkdir()
    shutil.copy(samples_dir / "expert_load.h5", runs / "a.h5")
    with h5py.File(runs / "b.h5", "w") as f:
        f["other"] = np.ones((3, 4))
    app = make_app(runs / "a.h5", runs / "b.h5")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert app.state.file_index == 1 and app.state.info.path == "/other"
