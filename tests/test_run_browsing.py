"""Browsing runs: run names, the collapsed run tree, the run table, runs as an axis."""

import csv
import io
import shutil
from contextlib import redirect_stderr, redirect_stdout

import h5py
import numpy as np
import pytest

from heatscope.catalog.run_names import run_names
from heatscope.cli import main
from heatscope.read import session as session_module
from heatscope.read.session import Session
from heatscope.sources.opening import resolve_inputs
from tests.tui_helpers import heatmap_text, make_app, screen_text, settle


@pytest.mark.parametrize("paths, names", [
    (["runs/run000/metrics.h5", "runs/run001/metrics.h5"], ["run000", "run001"]),
    (["s/lr3e-4/seed1/m.h5", "s/lr3e-4/seed2/m.h5", "s/lr1e-3/seed1/m.h5"],
     ["lr3e-4/seed1", "lr3e-4/seed2", "lr1e-3/seed1"]),
    (["a/expert_load.h5", "a/js_divergence.h5"], ["expert_load", "js_divergence"]),
    (["only/run.h5"], ["run"]),
    (["x/a.h5", "x/a.hdf5"], ["a.h5", "a.hdf5"]),  # stripping the suffix would make them alike
    (["d/\x1b]0;x\x07/m.h5", "d/ok/m.h5"], ["\\x1b]0;x\\x07", "ok"]),  # display-safe
])
def test_run_names_tell_runs_apart(tmp_path, paths, names):
    assert run_names([tmp_path / p for p in paths]) == names


@pytest.fixture
def runs(tmp_path, samples_dir):
    """Four runs/runNNN/metrics.h5, DM Mathematics expert 25 at layer 9 set to the run's number."""
    root = tmp_path / "runs"
    for i in range(4):
        (root / f"run{i:03d}").mkdir(parents=True)
        target = root / f"run{i:03d}" / "metrics.h5"
        shutil.copy(samples_dir / "expert_load.h5", target)
        with h5py.File(target, "a") as f:
            f["relative_expert_load"][1, 8, 2, 24] = float(i)
    return root


def _app(root, **options):
    return make_app(*resolve_inputs([str(root)]), **options)


async def test_run_identity_in_title_stats_tree_and_screenshot(runs, tmp_path):
    shots = tmp_path / "shots"
    shots.mkdir()
    app = _app(runs, screenshot_dir=shots)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        assert heatmap_text(app).splitlines()[0].split("run000 · ")[1].startswith("Aux-Loss-Free Layer 9")
        await pilot.press("n")
        await settle(pilot)
        assert "run001 · Aux-Loss-Free Layer 9" in heatmap_text(app)
        await pilot.pause(0.4)  # the tree follows once a burst of keys is over
        screen = screen_text(app)
        assert "run     run001" in screen  # the stats panel
        tree = app.query_one("#tree")
        labels = [str(node.label) for node in tree.root.children]
        assert [label.split()[0] for label in labels] == ["run000", "run001", "run002", "run003"]
        expanded = [node for node in tree.root.children if node.is_expanded]
        assert [str(n.label).split()[0] for n in expanded] == ["run001"]  # only the current run
        leaves = [str(child.label).split()[0] for child in expanded[0].children]
        assert leaves == ["relative_expert_load", "expert_token_counts"]  # no scale datasets
        await pilot.press("s")
        await settle(pilot)
    assert [p.name for p in shots.iterdir()][0].startswith("heatscope_run001_")


async def test_run_table_sorts_and_opens(runs):
    app = _app(runs)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down")  # DM Mathematics: the row whose MaxVio the runs change
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot, 4)
        table = app.screen.query_one("DataTable")
        assert table.row_count == 4
        column = [str(c.value) for c in table.columns][5]
        assert column == "MaxVio (mean over datasets)"
        values = [float(str(table.get_cell(str(i), column))) for i in range(4)]
        assert values == sorted(values, reverse=True)  # more load on expert 25 balances DM maths a bit
        await pilot.press(*"s" * 5)  # sort by the MaxVio column
        await settle(pilot)
        first = table.coordinate_to_cell_key((0, 0)).row_key.value
        assert first == "3"
        await pilot.press("enter")  # opens the top row's run at the same view
        await settle(pilot)
        assert app.state.file_index == 3 and "Aux-Loss-Free Layer 9" in heatmap_text(app)


async def test_facet_and_diff_by_run(runs):
    app = _app(runs)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("f", "ctrl+u", *"run=run000,run003", "enter")
        await settle(pilot, 4)
        assert app.state.info.stack is not None
        titles = [p.spec.title for p in app.panels]
        assert titles == ["run000 Aux-Loss-Free Layer 9", "run003 Aux-Loss-Free Layer 9"]
        assert [p.values[2, 24] for p in app.panels] == [0.0, 3.0]
        await pilot.press("f", "ctrl+u", "enter")  # clear the facets
        await settle(pilot)
        await pilot.press("d", "ctrl+u", *"run=run000,run003", "enter")
        await settle(pilot)
        assert app.state.diff is not None and app.panels[0].values[2, 24] == 3.0
        assert "run003 minus run000" in heatmap_text(app)
        await pilot.press("d")  # diff off; n steps the run axis now
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert app.state.selection.index[0] == 1 and "run001" in heatmap_text(app)


def _export(*argv):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(["export", *argv])
    return status, out.getvalue(), err.getvalue()


def test_export_of_a_run_directory_facets_by_run(runs, tmp_path):
    status, out, err = _export(str(runs), "--dataset", "relative_expert_load", "--select", "layer=9",
                               "--select", "variant=Aux-Loss-Free", "--facet", "run", "-f", "csv", "-o", "-")
    assert status == 0, err
    cells = {(r["run"], r["dataset"], r["expert"]): float(r["value"]) for r in csv.DictReader(io.StringIO(out))}
    assert [cells[(f"run{i:03d}", "DM Mathematics", "25")] for i in range(4)] == [0.0, 1.0, 2.0, 3.0]
    status, _, err = _export(str(runs), "--dataset", "relative_expert_load", "--facet", "run", "-o",
                             str(tmp_path / "runs.png"))
    assert status == 0, err and (tmp_path / "runs.png").stat().st_size > 10_000


def test_runs_that_differ_are_left_out_and_growing_runs_show_missing_steps(tmp_path, samples_dir):
    root = tmp_path / "runs"
    for name in ("a", "b", "short", "wide"):
        (root / name).mkdir(parents=True)
    for name in ("a", "b"):
        shutil.copy(samples_dir / "training_balance.h5", root / name / "m.h5")
    with h5py.File(samples_dir / "training_balance.h5", "r") as src, h5py.File(root / "short" / "m.h5", "w") as f:
        steps = src["step"][:30]  # a run still training: 30 of the 41 steps so far
        f.create_dataset("step", data=steps, maxshape=(None,)).make_scale("step")
        for name in ("layer", "expert"):
            f.create_dataset(name, data=src[name][()]).make_scale(name)
        d = f.create_dataset("expert_token_counts", data=src["expert_token_counts"][:30],
                             maxshape=(None, 26, 64), chunks=(1, 26, 64))
        for i, name in enumerate(("step", "layer", "expert")):
            d.dims[i].attach_scale(f[name])
        d.attrs.update(kind="expert_token_counts")
    with h5py.File(root / "wide" / "m.h5", "w") as f:
        d = f.create_dataset("expert_token_counts", data=np.ones((41, 26, 32)))  # 32 experts, not 64
        d.attrs.update(kind="expert_token_counts", dims=["step", "layer", "expert"], layer_labels=np.arange(1, 27))
    session = Session(resolve_inputs([str(root)]))
    session.open_all()
    info, left_out = session.stack("/expert_token_counts", session.name_order())
    assert [session.run_name(i) for i in info.stack.members] == ["a", "b", "short"]
    assert [(session.run_name(i), why) for i, why in left_out] == [("wide", "expert has 32, not 64")]
    from heatscope.views.view_state import initial_state

    state = initial_state(0, info, {"run": "short", "step": "#35"})
    data = session.read(0, state.info, state.selection, state.derived)
    assert data.missing.all()  # a step the run has not written yet: missing, not zero
    state = initial_state(0, info, {"run": "short", "step": "#29"})
    assert not session.read(0, state.info, state.selection, state.derived).missing.any()
    session.close()


def test_working_set_closes_files_beyond_it(tmp_path, samples_dir, monkeypatch):
    monkeypatch.setattr(session_module, "MAX_OPEN", 5)
    paths = []
    for i in range(20):
        paths.append(tmp_path / f"r{i:02d}.h5")
        shutil.copy(samples_dir / "js_divergence.h5", paths[-1])
    session = Session(paths)
    session.open_all(eager=0)
    session.pinned = {0}
    for i in range(20):
        session.ensure_open(i)
    open_now = [i for i, f in enumerate(session.files) if f.handle is not None]
    assert len(open_now) <= 5 and 0 in open_now  # the pinned file stays open
    assert all(f.catalog is not None for f in session.files)  # catalogs are kept
    info = session.files[3].catalog.find("js_divergence")
    from heatscope.views.view_state import initial_state

    state = initial_state(3, info)
    assert session.read(3, info, state.selection).values.shape == (3, 32)  # reopened on demand
    session.close()
