"""A summary of NaN is NaN: an all-NaN dataset had a sparkline ``mean by axis0: 0..0`` over
flat bars, a cursor ``value -``, and exports said the global range was still pending."""

import io
from contextlib import redirect_stderr, redirect_stdout

import h5py
import numpy as np
import pytest

from heatscope.cli import main
from tests.tui_helpers import make_app, screen_text, settle


@pytest.fixture
def nan_file(tmp_path):
    path = tmp_path / "nan.h5"
    with h5py.File(path, "w") as f:
        f["all_nan"] = np.full((3, 4, 5), np.nan)
        some = np.arange(60.0).reshape(3, 4, 5)
        some[1] = np.nan  # one step all NaN
        f["some_nan"] = some
    return path


def _export(*argv):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(["export", *argv])
    assert status == 0, err.getvalue()
    return out.getvalue() + err.getvalue()


async def test_the_stats_panel_of_an_all_nan_dataset_says_nan(nan_file):
    app = make_app(nan_file, dataset="all_nan")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, 4)
        label, data = app.query_one("#stats").spark
        screen = screen_text(app)
    assert label == "mean by axis0: NaN" and data == [None, None, None]
    lines = screen.splitlines()
    spark_row = next(i for i, line in enumerate(lines) if "mean by axis0: NaN" in line)
    assert "▁" not in lines[spark_row + 1]  # no flat bars under it
    assert "value NaN" in screen and "min  NaN max NaN" in screen and "NaN 20" in screen
    assert "no finite values in the dataset" in screen


async def test_a_sparkline_with_a_nan_step_names_the_range_of_the_others(nan_file):
    app = make_app(nan_file, dataset="some_nan")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, 4)
        label, data = app.query_one("#stats").spark
    assert data == [2.0, None, 42.0]  # row 0's mean at each step; the NaN step stays NaN
    assert label == "mean by axis0: 2..42"


def test_exports_of_an_all_nan_dataset_say_so(nan_file):
    text = _export(str(nan_file), "--dataset", "all_nan", "-f", "txt", "-o", "-")
    assert "no finite values in the dataset" in text and "pending" not in text
    profile = _export(str(nan_file), "--dataset", "all_nan", "--profile", "row", "-f", "txt", "-o", "-")
    ticks = [line.split("┤")[0].strip() for line in profile.splitlines() if "┤" in line]
    assert ticks == ["NaN"]  # no 0..1 axis for values that are not there
