"""Axis names and tick labels from dimension scales, xarray files, attributes, defaults."""

import h5py
import numpy as np
import pytest

from heatscope.catalog.axes import Axis, discover_axes
from heatscope.catalog.datasets import build_catalog
from heatscope.sources.opening import open_hdf5


def _write(path, build):
    with h5py.File(path, "w") as f:
        build(f)
    return open_hdf5(path)


def test_dimension_scales_give_names_and_labels(tmp_path):
    def build(f):
        d = f.create_dataset("load", data=np.zeros((2, 3)))
        v = f.create_dataset("variant", data=np.array(["A", "B"], dtype=h5py.string_dtype()))
        v.make_scale("variant")
        e = f.create_dataset("expert_ids", data=np.array([1.5, 2.0, 1e-7]))
        e.make_scale("expert")
        d.dims[0].attach_scale(v)
        d.dims[1].attach_scale(e)

    with _write(tmp_path / "a.h5", build) as f:
        axes = discover_axes(f["load"])
    assert [a.name for a in axes] == ["variant", "expert"]
    assert axes[0].labels == ("A", "B") and not axes[0].numeric
    assert axes[1].labels == ("1.5", "2", "1e-07") and axes[1].numeric


def test_dimension_label_wins_over_scale_name(tmp_path):
    def build(f):
        d = f.create_dataset("x", data=np.zeros((4,)))
        s = f.create_dataset("s", data=np.arange(4))
        s.make_scale("scale_name")
        d.dims[0].attach_scale(s)
        d.dims[0].label = "layer"

    with _write(tmp_path / "a.h5", build) as f:
        (axis,) = discover_axes(f["x"])
    assert axis.name == "layer" and axis.labels == ("0", "1", "2", "3")


def test_dims_attribute_then_defaults(tmp_path):
    def build(f):
        f.create_dataset("named", data=np.zeros((2, 3))).attrs["dims"] = ["layer", "expert"]
        f.create_dataset("comma", data=np.zeros((2, 3))).attrs["dims"] = "layer, expert"
        f.create_dataset("wrong_len", data=np.zeros((2, 3))).attrs["dims"] = ["only_one"]
        f.create_dataset("plain", data=np.zeros((2, 3, 4)))

    with _write(tmp_path / "a.h5", build) as f:
        assert [a.name for a in discover_axes(f["named"])] == ["layer", "expert"]
        assert [a.name for a in discover_axes(f["comma"])] == ["layer", "expert"]
        assert [a.name for a in discover_axes(f["wrong_len"])] == ["axis0", "axis1"]
        assert [a.name for a in discover_axes(f["plain"])] == ["axis0", "axis1", "axis2"]
        assert discover_axes(f["plain"])[2].labels is None


def test_labels_from_attribute(tmp_path):
    def build(f):
        d = f.create_dataset("m", data=np.zeros((2, 3)))
        d.attrs["dims"] = ["position", "layer"]
        d.attrs["position_labels"] = ["Subj.", "Last."]
        d.attrs["layer_labels"] = np.array([0, 1])  # wrong length: ignored

    with _write(tmp_path / "a.h5", build) as f:
        axes = discover_axes(f["m"])
    assert axes[0].labels == ("Subj.", "Last.")
    assert axes[1].labels is None


def test_xarray_h5netcdf_file(tmp_path):
    xr = pytest.importorskip("xarray")
    pytest.importorskip("h5netcdf")
    ds = xr.Dataset(
        {"load": (("layer", "expert"), np.ones((3, 4), "f4"), {"kind": "relative_expert_load"})},
        coords={"layer": [10, 20, 30]},
    )
    path = tmp_path / "x.nc"
    ds.to_netcdf(path, engine="h5netcdf")
    with open_hdf5(path) as f:
        catalog = build_catalog(f)
    load = catalog.find("load")
    assert [a.name for a in load.axes] == ["layer", "expert"]
    assert load.axes[0].labels == ("10", "20", "30")
    assert load.axes[1].labels is None  # phony scale: a name without labels
    assert load.kind == "relative_expert_load"
    assert np.isnan(load.value.missing[0])  # xarray's NaN _FillValue
    phony = catalog.find("expert")
    assert not phony.viewable and "netCDF dimension" in phony.reason


def test_axis_find_prefers_labels_then_index():
    axis = Axis("layer", 26, tuple(str(i) for i in range(1, 27)))
    assert axis.find("9") == 8  # the label "9", not index 9
    assert axis.find("#9") == 9  # explicit index
    assert axis.find("99") is None
    v = Axis("variant", 2, ("Aux-Loss-Based", "Aux-Loss-Free"), numeric=False)
    assert v.find("aux-loss-free") == 1
    assert v.find("1") == 1
    assert Axis("x", 5).find("-1") == 4
