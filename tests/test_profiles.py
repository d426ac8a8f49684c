"""Profiles (v, export --profile) and the stats panel's sparkline, checked against the data."""

import csv
import io
import re
from contextlib import redirect_stderr, redirect_stdout

import h5py
import numpy as np
import pytest

from heatscope.cli import main
from heatscope.render.profile import profile_lines
from heatscope.views.normalize import Norm
from heatscope.views.profile import ProfileModel
from tests.tui_helpers import make_app, screen_text, settle


def _text(lines):
    return ["".join(s.text for s in line) for line in lines]


def _export(*argv):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(["export", *argv])
    assert status == 0, err.getvalue()
    return out.getvalue()


@pytest.mark.parametrize("n, width", [(32, 100), (64, 60), (500, 80), (3, 40), (17, 90)])
@pytest.mark.parametrize("bars", [False, True])
def test_profile_ticks_name_the_point_drawn_above_them(n, width, bars):
    """For every labelled index, a spike at that index is drawn right above its label."""
    labels = tuple(f"x{i}" for i in range(n))

    def draw(values):
        model = ProfileModel("t", (("s", values),), labels, "idx", bars=bars, norm=Norm(0, 1))
        return _text(profile_lines(model, width, 10))

    first = np.zeros(n)
    first[0] = 1.0
    ticks = draw(first)[-2]  # every spike has the same y range, so the same y-label width
    found = [(m.start(), int(m.group()[1:])) for m in re.finditer(r"x\d+(?!\d|…)", ticks)]  # not cut ones
    assert found
    for x, index in found:
        spike = np.zeros(n)
        spike[index] = 1.0
        top = draw(spike)[1]  # the first plot row holds only the spike's peak
        peaks = [i for i, c in enumerate(top) if c not in " │┤" and i > 4]
        assert x in peaks, (index, x, peaks)


def test_row_profile_draws_every_position_of_the_divergence_figure(samples_dir):
    text = _export(str(samples_dir / "js_divergence.h5"), "--profile", "row", "--select", "layer=9", "-o", "-")
    assert "every position across layers" in text and "Subj." in text and "Last." in text
    assert any("⠀" <= c <= "⣿" for c in text)  # braille curves


def test_profile_csv_holds_the_values(samples_dir):
    path = samples_dir / "expert_load.h5"
    out = _export(str(path), "--select", "layer=9", "--select", "dataset=DM Mathematics", "--profile", "row",
                  "-f", "csv", "-o", "-")
    rows = list(csv.DictReader(io.StringIO(out)))
    with h5py.File(path, "r") as f:
        expected = f["relative_expert_load"][1, 8, 2]
    assert [float(r["value"]) for r in rows] == pytest.approx(expected.astype(float), rel=1e-6)
    assert rows[24]["expert"] == "25" and float(rows[24]["value"]) == max(float(r["value"]) for r in rows)


def test_column_profile_of_the_metric_view_is_maxvio_across_steps(samples_dir, tmp_path):
    path = samples_dir / "training_balance.h5"
    out = _export(str(path), "--reduce", "expert=maxvio", "--profile", "col", "--select", "layer=9",
                  "-f", "csv", "-o", "-")
    rows = list(csv.DictReader(io.StringIO(out)))
    with h5py.File(path, "r") as f:
        counts = f["expert_token_counts"][:, 8].astype(float)
    assert [float(r["value"]) for r in rows] == pytest.approx(counts.max(1) / counts.mean(1) - 1, rel=1e-5)
    png = tmp_path / "p.png"
    _export(str(path), "--reduce", "expert=maxvio", "--profile", "col", "--select", "layer=9", "-o", str(png))
    from PIL import Image

    assert Image.open(png).size == (1100, 460)


async def test_v_cycles_row_and_column_profiles(samples_dir):
    app = make_app(samples_dir / "expert_load.h5")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        strip = app.query_one("#profile")
        assert strip.has_class("-hidden")
        await pilot.press("down", "down", "v")  # DM Mathematics
        await settle(pilot)
        assert not strip.has_class("-hidden")
        assert "dataset DM Mathematics across experts" in screen_text(app)
        await pilot.press("v")
        await settle(pilot)
        assert "expert 1 across datasets" in screen_text(app)
        await pilot.press("v")
        await settle(pilot)
        assert strip.has_class("-hidden")


async def test_sparkline_is_the_rows_maxvio_by_layer(samples_dir):
    path = samples_dir / "expert_load.h5"
    app = make_app(path)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down")  # Aux-Loss-Free, DM Mathematics
        await settle(pilot, 4)
        label, data = app.query_one("#stats").spark
        with h5py.File(path, "r", locking=False) as f:  # the app has it open without the lock too
            load = f["relative_expert_load"][1, :, 2, :].astype(float)  # layer x expert
        expected = load.max(1) / load.mean(1) - 1
        assert data == pytest.approx(expected, rel=1e-5)
        assert label.startswith("MaxVio by layer")
        assert "MaxVio by layer" in screen_text(app)
