"""Ranges of zero width at every magnitude: a constant at the uint64/int64 extremes, float16,
values equal once converted to float64, subnormals, a +-max span.

``v`` on a uint64 dataset of 2**64-1 everywhere raised ZeroDivisionError in the profile's
y ticks (lo == hi == 1.8446744073709552e+19: padding by 0.5 is lost at that magnitude); a
series at both float64 ends crashed the sparkline (max - min is inf); numpy refused the
global scan's histogram of a range that overflows or is narrow for its magnitude. Every
range drawn or divided by now has a width (``widen_range``, applied by ``Norm``).
"""

import io
import math
import warnings
from contextlib import redirect_stderr, redirect_stdout

import h5py
import numpy as np
import pytest

from heatscope.catalog.values import ValueInfo
from heatscope.cli import main
from heatscope.render.profile import profile_lines
from heatscope.stats.scan import scan_dataset
from heatscope.views.normalize import RANGE_MODES, Norm, widen_range
from heatscope.views.profile import ProfileModel
from tests.fuzz_corpus import DEGENERATE
from tests.tui_helpers import make_app, screen_text, settle

F8 = float(np.finfo("f8").max)
SINGLE = [float(2**64 - 1), float(-(2**63)), float(2**63 - 1), float(np.finfo("f2").max), 5e-324, 1e-320, 0.0,
          -7.0, 1e308, -F8, F8]
PAIRS = [(1e19, 1e19 + 2048), (5e-324, 1e-323), (-F8, F8), (F8 / 2, F8)] + [(v, v) for v in SINGLE]


@pytest.mark.parametrize("lo, hi", PAIRS)
@pytest.mark.parametrize("log", [False, True])
def test_every_norm_has_a_width_that_holds_its_values(lo, hi, log):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        norm = Norm(lo, hi, log=log)
        assert math.isfinite(norm.vmin) and math.isfinite(norm.vmax) and norm.vmin < norm.vmax
        if not log:
            assert norm.vmin <= lo and hi <= norm.vmax  # the values are inside
        ticks = norm.ticks(6)
        slack = 1e-12 * max(abs(norm.vmin), abs(norm.vmax))  # a decade tick a few ulps outside
        assert ticks and all(norm.vmin - slack <= t <= norm.vmax + slack for t in ticks)
        positions = [norm.position(t) for t in ticks] + list(norm(np.array([lo, hi])))
        assert all(0.0 <= p <= 1.0 for p in positions)  # never NaN


def test_widen_range_pads_a_single_value_by_half_its_magnitude():
    assert widen_range(2.0**64, 2.0**64) == (2.0**63, 2.0**64 + 2.0**63)
    assert widen_range(0.0, 0.0) == (-0.5, 0.5)
    assert widen_range(F8, F8) == (F8 / 2, F8)
    assert widen_range(5.0, 1.0) == (2.5, 7.5)  # reversed ends: around the first
    assert widen_range(math.nan, 1.0) == (0.0, 1.0)


@pytest.mark.parametrize("value", SINGLE)
@pytest.mark.parametrize("bars", [False, True])
def test_a_flat_profile_is_drawn_at_any_magnitude(value, bars):
    model = ProfileModel("t", (("s", np.full(5, value)),), tuple("abcde"), "x", bars=bars)
    lines = ["".join(s.text for s in line) for line in profile_lines(model, 60, 10)]
    ticks = [line.split("┤")[0].strip() for line in lines if "┤" in line]
    assert ticks  # round values on the y axis


def test_the_profile_of_uint64_max_is_labelled_with_its_magnitude():
    model = ProfileModel("t", (("s", np.full(4, float(2**64 - 1))),), tuple("abcd"), "x")
    text = "\n".join("".join(s.text for s in line) for line in profile_lines(model, 60, 10))
    assert "2e+19" in text and "1e+19" in text


@pytest.mark.parametrize("name", DEGENERATE)
def test_scans_of_degenerate_datasets_give_percentiles_inside_the_range(name, tmp_path):
    path = tmp_path / "d.h5"
    with h5py.File(path, "w") as f:
        f["d"] = DEGENERATE[name]
    with h5py.File(path, "r") as f:
        result = scan_dataset(f["d"], ValueInfo(), percentiles=(2.0, 50.0, 98.0))
    values = DEGENERATE[name].astype(np.float64)
    assert result.count == values.size
    assert result.min == values.min() and result.max == values.max()
    assert all(result.min <= p <= result.max for p in result.percentiles.values())


def _export(*argv):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(["export", *argv])
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def degenerate_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("degenerate") / "degenerate.h5"
    with h5py.File(path, "w") as f:
        for name, data in DEGENERATE.items():
            f[name] = data
    return path


@pytest.mark.parametrize("name", DEGENERATE)
def test_every_range_mode_and_profile_of_degenerate_datasets_exports(name, degenerate_file, tmp_path):
    views = [["--range", mode] for mode in RANGE_MODES if mode != "file"]
    views += [["--profile", "row"], ["--profile", "col"], ["--reduce", "axis2=mean", "--profile", "col"]]
    for view in views:
        status, out, err = _export(str(degenerate_file), "--dataset", name, *view, "-f", "txt", "-o", "-")
        assert status == 0, (view, err)
        assert "internal error" not in err
    status, _, err = _export(str(degenerate_file), "--dataset", name, "--range", "diverging",
                             "-o", str(tmp_path / "d.png"))
    assert status == 0, err


async def test_the_profile_of_a_uint64_constant_in_the_inspector(degenerate_file):
    """The issue's sequence: --dataset u64_all_max, then v."""
    app = make_app(degenerate_file, dataset="u64_all_max")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        screen = screen_text(app)
        await pilot.press("q")
    assert app._exception is None and app.return_code == 0
    assert "2e+19 ┤" in screen and "1.845e+19" in screen  # y ticks and the stats panel's value


async def test_a_sparkline_across_both_float64_ends(degenerate_file):
    app = make_app(degenerate_file, dataset="f64_steps_at_both_ends")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot, 4)
        label, data = app.query_one("#stats").spark
        screen = screen_text(app)
        await pilot.press("q")
    assert app._exception is None and app.return_code == 0
    assert data == [-F8, F8] and label.endswith("-1.8e+308..1.8e+308")
    assert "1.8e+308" in screen
