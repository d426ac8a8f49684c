"""Color ranges on hostile values: every mode gives a finite, increasing, usable range.

Covers values at the float64 limit (CF add_offset=1e308 used to give a math domain error
in log mode), all-NaN, all-Inf, negative-only, subnormal, constant slices, and limits given
on the command line.
"""

import itertools
import math
import warnings

import numpy as np
import pytest

from heatscope.catalog.values import ValueInfo
from heatscope.colors.colormaps import colorize
from heatscope.stats.scan import ScanResult
from heatscope.views.normalize import RANGE_MODES, compute_norm

BIG = np.finfo(np.float64).max
ARRAYS = {
    "at the limit": np.full((2, 3), 1e308),
    "overflowed": np.array([[1e308, np.inf], [BIG, -BIG]]),
    "all nan": np.full((2, 2), np.nan),
    "all inf": np.array([[np.inf, -np.inf]]),
    "negative": -np.arange(1.0, 7.0).reshape(2, 3),
    "zeros": np.zeros((3, 3)),
    "subnormal": np.array([[5e-324, 1e-320]]),
    "constant": np.full((1, 4), 3.5),
    "mixed": np.array([[np.nan, -1.0, 0.0, 2.0, np.inf]]),
    "huge span": np.array([[-1e308, 1e308]]),
}
VALUES = [ValueInfo(), ValueInfo(valid_min=1e308, valid_max=BIG), ValueInfo(center=1e308), ValueInfo(center=-3.0)]
LIMITS = [(None, None), (-1e308, None), (None, 1e-310), (-5.0, -1.0)]


@pytest.mark.parametrize("name", ARRAYS)
def test_every_mode_gives_a_finite_increasing_range(name):
    values = ARRAYS[name]
    scans = [None, ScanResult(4, 0, -BIG, BIG, 0.0, {}), ScanResult(0, 4, math.nan, math.nan, math.nan, {})]
    for mode, value, (vmin, vmax), scan in itertools.product(RANGE_MODES, VALUES, LIMITS, scans):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a warning would print over the TUI
            norm = compute_norm(mode, values, value, scan, vmin, vmax)
            assert math.isfinite(norm.vmin) and math.isfinite(norm.vmax) and norm.vmin < norm.vmax, (mode, norm)
            if norm.log:
                assert norm.vmin > 0
            ticks = norm.ticks()
            assert ticks and all(math.isfinite(t) for t in ticks)
            mapped = norm(values)
            finite = mapped[~np.isnan(mapped)]
            assert ((finite >= 0) & (finite <= 1)).all()
            assert colorize(mapped, "viridis").shape == values.shape + (3,)
