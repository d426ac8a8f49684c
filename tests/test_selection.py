"""Selections read exactly the displayed slice; derived relative load from counts."""

import h5py
import numpy as np
import pytest

from heatscope.catalog.datasets import build_catalog
from heatscope.errors import HeatscopeError
from heatscope.read.selection import Selection, read_block, resolve_selection
from heatscope.read.slices import read_slice, relative_load, relative_load_view
from heatscope.sources.opening import open_hdf5


@pytest.fixture
def cube(tmp_path):
    data = np.arange(2 * 3 * 4 * 5, dtype=np.float64).reshape(2, 3, 4, 5)
    path = tmp_path / "c.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("c", data=data, chunks=(1, 1, 4, 5))
    with open_hdf5(path) as f:
        yield f["c"], data


def test_default_selection_and_slice(cube):
    dset, data = cube
    sel = Selection.default(dset.shape)
    assert (sel.row_axis, sel.col_axis, sel.stepped_axes) == (2, 3, (0, 1))
    sel = sel.at(0, 1).at(1, 2)
    assert np.array_equal(read_block(dset, sel), data[1, 2])


def test_transpose_and_other_axes(cube):
    dset, data = cube
    sel = Selection.default(dset.shape).at(0, 1).at(1, 2).transposed()
    assert np.array_equal(read_block(dset, sel), data[1, 2].T)
    sel = Selection.default(dset.shape).with_display(3, 0).at(1, 1).at(2, 3)
    assert sel.stepped_axes == (1, 2)
    assert np.array_equal(read_block(dset, sel), data[:, 1, 3, :].T)


def test_step_clamps(cube):
    dset, _ = cube
    sel = Selection.default(dset.shape)
    assert sel.step(0, -1).index[0] == 0
    assert sel.step(1, 10).index[1] == 2
    assert sel.resized((1, 3, 4, 5)).at(0, 5).index[0] == 0


def test_only_the_slice_is_read(cube, monkeypatch):
    dset, _ = cube
    seen = []
    original = type(dset).__getitem__

    def spy(self, key):
        seen.append(key)
        return original(self, key)

    monkeypatch.setattr(type(dset), "__getitem__", spy)
    read_block(dset, Selection.default(dset.shape).at(1, 2))
    assert seen == [(0, 2, slice(None), slice(None))]


def test_one_dimensional(tmp_path):
    with h5py.File(tmp_path / "o.h5", "w") as f:
        f["v"] = np.arange(5.0)
    with open_hdf5(tmp_path / "o.h5") as f:
        sel = Selection.default((5,))
        assert sel.row_axis is None and sel.n_rows == 1
        assert read_block(f["v"], sel).tolist() == [[0, 1, 2, 3, 4]]


def test_resolve_selection_by_label(load_file):
    with open_hdf5(load_file) as f:
        info = build_catalog(f).find("relative_expert_load")
        sel = resolve_selection(info.axes, {"variant": "Aux-Loss-Free", "layer": "9"})
        assert sel.index[:2] == (1, 8)
        with pytest.raises(HeatscopeError, match="no axis named 'depth'"):
            resolve_selection(info.axes, {"depth": "1"})
        with pytest.raises(HeatscopeError, match="has no label or index 'Aux'"):
            resolve_selection(info.axes, {"variant": "Aux"})


def test_relative_load_definition():
    counts = np.array([[30.0, 10.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    rel = relative_load(counts)
    assert rel[0].tolist() == [3.0, 1.0, 0.0, 0.0]
    assert np.isnan(rel[1]).all()


def test_derived_relative_load_matches_stored(load_file):
    with open_hdf5(load_file) as f:
        cat = build_catalog(f)
        counts = cat.find("expert_token_counts")
        view = relative_load_view(counts)
        assert view.kind == "relative_expert_load" and view.value.long_name == "Relative Expert Load"
        stored = f["relative_expert_load"]
        sel = Selection.default(counts.shape).at(0, 1).at(1, 8)
        derived = read_slice(f["expert_token_counts"], view, sel, derived=True)
        assert np.allclose(derived.values, stored[1, 8], atol=1e-5)
        # experts stepped, layers x datasets displayed: the expert axis is read in full
        sel2 = Selection.default(counts.shape).with_display(1, 2).at(0, 1).at(3, 24)
        d2 = read_slice(f["expert_token_counts"], view, sel2, derived=True)
        assert d2.values.shape == (26, 3)
        assert np.allclose(d2.values, stored[1, :, :, 24], atol=1e-5)
    assert relative_load_view(cat.find("relative_expert_load")) is None
