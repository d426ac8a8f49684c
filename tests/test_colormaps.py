"""Colormaps: prebuilt tables match the cmap catalog; reversing, cycling, NaN color."""

import numpy as np
import pytest

from heatscope.colors.colormaps import NAN_RGB, colorize, lut, lut_from_cmap, next_in_cycle, reversed_name
from heatscope.colors.lut_data import PREBUILT, load_prebuilt
from heatscope.errors import HeatscopeError


@pytest.mark.parametrize("name", PREBUILT)
def test_prebuilt_tables_equal_cmap(name):
    assert np.array_equal(load_prebuilt(name), lut_from_cmap(name))


def test_known_endpoints_and_reversal():
    ylorrd = lut("YlOrRd")
    assert tuple(ylorrd[0]) == (255, 255, 204)  # light yellow
    assert tuple(ylorrd[-1]) == (128, 0, 38)  # dark red
    assert tuple(lut("YlOrRd_r")[0]) == (128, 0, 38)
    blues = lut("Blues")
    assert blues[0].sum() > blues[-1].sum()  # light to dark
    vik = lut("vik")
    assert vik[0][2] > vik[0][0] and vik[-1][0] > vik[-1][2]  # blue -> white -> red/orange
    assert min(vik[128]) > 200  # near white in the middle


def test_unknown_colormap_is_a_clear_error():
    with pytest.raises(HeatscopeError, match="unknown colormap 'nope'"):
        lut("nope")
    assert lut("inferno").shape == (256, 3)  # not prebuilt: from cmap


def test_colorize_nan_and_clipping():
    rgb = colorize(np.array([0.0, 1.0, np.nan]), "YlOrRd")
    assert tuple(rgb[0]) == (255, 255, 204) and tuple(rgb[1]) == (128, 0, 38)
    assert tuple(rgb[2]) == NAN_RGB


def test_cycle_and_reverse_names():
    assert reversed_name("Blues") == "Blues_r" and reversed_name("Blues_r") == "Blues"
    assert next_in_cycle("YlOrRd", "YlOrRd") == "Blues"
    assert next_in_cycle("Blues_r", "YlOrRd") == "vik_r"
    assert next_in_cycle("RdBu_r", "YlOrRd") == "YlOrRd_r"
    assert next_in_cycle("vik", "vik") != "vik"
