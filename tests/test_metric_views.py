"""Metric views: a statistic over an axis, checked against hand computations from the raw counts."""

import csv
import io
from contextlib import redirect_stderr, redirect_stdout

import h5py
import numpy as np
import pytest

from heatscope.cli import main
from heatscope.read.reduce import ReducedArray, compute, reduced_info
from heatscope.read.reduced_slices import reduced_slice
from heatscope.read.session import Session
from heatscope.stats.scan import ScanCancelled
from heatscope.views.view_state import initial_state
from tests.tui_helpers import heatmap_text, make_app, screen_text, settle


def _csv(*argv):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(["export", *argv, "-f", "csv", "-o", "-"])
    assert status == 0, err.getvalue()
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def _counts(path):
    with h5py.File(path, "r") as f:
        return f["expert_token_counts"][()].astype(float)


def test_training_maxvio_per_step_and_layer_matches_the_counts(samples_dir):
    path = samples_dir / "training_balance.h5"
    counts = _counts(path)  # step x layer x expert
    expected = counts.max(axis=2) / counts.mean(axis=2) - 1  # MaxVio is scale-invariant: counts or load
    rows = _csv(str(path), "--reduce", "expert=maxvio")
    assert len(rows) == counts.shape[0] * counts.shape[1]
    with h5py.File(path, "r") as f:
        steps = [str(s) for s in f["step"][()]]
    for row in rows:
        s, layer = steps.index(row["step"]), int(row["layer"]) - 1
        assert float(row["value"]) == pytest.approx(expected[s, layer], rel=1e-6)
    per_step = expected.mean(axis=1)
    assert per_step[0] > 5.5 and per_step[-1] < 0.4  # the README's "falls from ~5.9 to ~0.3"


def test_expert_load_maxvio_per_variant(samples_dir):
    rows = _csv(str(samples_dir / "expert_load.h5"), "--reduce", "expert=maxvio", "--facet", "variant")
    by_variant = {}
    for row in rows:
        by_variant.setdefault(row["variant"], []).append((float(row["value"]), row["layer"], row["dataset"]))
    based, free = by_variant["Aux-Loss-Based"], by_variant["Aux-Loss-Free"]
    assert np.mean([v for v, *_ in based]) < np.mean([v for v, *_ in free])
    assert max(v for v, *_ in based) < min(sorted(v for v, *_ in free)[-5:])  # based uniformly low
    hottest = sorted(free, reverse=True)[:8]  # MaxVio saturates at 9 here: relative loads clip at 10
    assert {int(layer) for _, layer, _ in hottest} <= {7, 8, 9, 10, 11, 12, 18, 25, 26}  # the figures' layers
    assert ("9", "DM Mathematics") in [(layer, ds) for _, layer, ds in hottest]


@pytest.fixture
def small_counts(tmp_path):
    counts = np.random.default_rng(5).integers(0, 200, size=(7, 5, 16)).astype("i8")
    counts[2, 3] = 0  # a layer with no tokens: balance undefined
    counts[4, 1, 6] = 5000  # a hot expert
    path = tmp_path / "c.h5"
    with h5py.File(path, "w") as f:
        d = f.create_dataset("expert_token_counts", data=counts, chunks=(2, 5, 16))
        d.attrs["kind"] = "expert_token_counts"
        d.attrs["dims"] = ["step", "layer", "expert"]
    return path, counts.astype(float)


def _reduce(path, stat, axis="expert"):
    session = Session([path])
    session.open_all()
    info = reduced_info(session.files[0].catalog.find("expert_token_counts"), axis, stat)
    session.compute_reduction(0, info, budget=100)
    out = session.reduced(0, info)
    session.close()
    return out


def _by_hand(counts, stat):
    with np.errstate(all="ignore"):
        load = counts * counts.shape[-1] / counts.sum(axis=-1, keepdims=True)  # relative load first
        return {
            "maxvio": load.max(-1) / load.mean(-1) - 1, "cv": load.std(-1) / load.mean(-1),
            "max": load.max(-1), "min": load.min(-1), "mean": load.mean(-1), "std": load.std(-1),
            "sum": load.sum(-1), "p50": np.percentile(load, 50, axis=-1), "p90": np.percentile(load, 90, axis=-1),
            "p99": np.percentile(load, 99, axis=-1),
            "dead": (load / load.mean(-1, keepdims=True) < 0.1).sum(-1).astype(float),
            "entropy": -np.nansum(np.where(load > 0, load / load.sum(-1, keepdims=True), np.nan)
                                  * np.log(np.where(load > 0, load / load.sum(-1, keepdims=True), np.nan)), -1)
            / np.log(16),
            "gini": np.abs(load[..., :, None] - load[..., None, :]).sum((-1, -2)) / (2 * 16 ** 2 * load.mean(-1)),
        }[stat]


@pytest.mark.parametrize("stat", ["maxvio", "cv", "entropy", "gini", "dead", "max", "min", "mean", "std", "sum",
                                  "p50", "p90", "p99"])
def test_every_statistic_matches_a_hand_computation(small_counts, stat):
    path, counts = small_counts
    out = _reduce(path, stat)
    expected = _by_hand(counts, stat)
    zero = counts.sum(-1) == 0
    assert np.isnan(out.values[zero]).all() or stat == "dead"  # no tokens: undefined, not zero
    np.testing.assert_allclose(out.values[~zero], expected[~zero], rtol=1e-5)


def test_hot_gives_the_hottest_expert_and_its_load(small_counts):
    path, counts = small_counts
    out = _reduce(path, "hot")
    assert out.hot[4, 1] == 6
    load = counts[4, 1] * 16 / counts[4, 1].sum()
    assert out.values[4, 1] == pytest.approx(load.max(), rel=1e-6)


def test_reduction_fills_in_block_by_block_and_stops_when_asked(small_counts):
    path, _ = small_counts
    session = Session([path])
    session.open_all()
    base = session.files[0].catalog.find("expert_token_counts")
    info = reduced_info(base, "expert", "maxvio")
    out = ReducedArray(info.shape, "maxvio")
    seen, pending = [], []
    state = initial_state(0, info)

    def progress(fraction):
        seen.append(fraction)
        partial = reduced_slice(out, info, state.selection)
        pending.append(int(partial.missing.sum()))  # cells not computed yet show as missing

    calls = iter(range(100))
    with pytest.raises(ScanCancelled):
        compute(session.dataset(0, base), base, info.reduction, out, budget=80, progress=progress,
                cancelled=lambda: next(calls) >= 2)
    assert seen == [0.25, 0.5] and not out.complete
    assert state.selection.n_rows * state.selection.n_cols > pending[0] > pending[1] > 0
    session.close()


async def test_m_shows_the_step_by_layer_maxvio_map_and_returns(samples_dir):
    app = make_app(samples_dir / "training_balance.h5")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("enter")  # expert by MaxVio is preselected
        await settle(pilot, 4)
        info = app.state.info
        assert info.reduction.stat == "maxvio" and [a.name for a in info.axes] == ["step", "layer"]
        assert "MaxVio over 64 experts" in heatmap_text(app)
        screen = screen_text(app)  # the readout, wrapped in the stats panel
        assert "MaxVio over 64 experts: step 0," in screen and "layer 1 = 5.229" in screen
        assert not app.panels[0].missing.any()  # complete
        await pilot.press("m")  # back to the slice
        await settle(pilot)
        assert app.state.info.reduction is None and app.state.derived


async def test_metric_view_steps_facets_and_diffs_like_a_dataset(samples_dir):
    app = make_app(samples_dir / "expert_load.h5", reduce=("expert", "maxvio"))
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, 4)
        state = app.state
        assert [state.info.axes[a].name for a in state.selection.displayed] == ["layer", "dataset"]
        assert "Aux-Loss-Free" in heatmap_text(app)  # the stepped variant, as in the slice
        await pilot.press("[")
        await settle(pilot)
        assert "Aux-Loss-Based" in heatmap_text(app)
        await pilot.press("d", "enter")  # diff prefilled: variant=Aux-Loss-Based,Aux-Loss-Free
        await settle(pilot)
        assert app.state.diff is not None and "minus" in heatmap_text(app)
        assert np.nanmax(app.panels[0].values) > 1  # free is far less balanced than based


def test_export_axes_chooses_the_drawn_axes(samples_dir):
    path = samples_dir / "training_balance.h5"
    rows = _csv(str(path), "--select", "layer=2", "--axes", "step,expert", "--range", "slice")
    counts = _counts(path)[:, 1, :]  # layer 2 is index 1 (labels start at 1)
    load = counts * 64 / counts.sum(axis=1, keepdims=True)
    assert len(rows) == 41 * 64
    assert {r["layer"] for r in rows} == {"2"}
    first = rows[0]
    assert (first["step"], first["expert"]) == ("0", "0") or first["expert"] in ("0", "1")
    values = np.array([float(r["value"]) for r in rows]).reshape(41, 64)
    np.testing.assert_allclose(values, load, rtol=1e-6)
