"""Chunked global scans: exact range and mean, close percentiles, bounded blocks, cancel."""

import math

import h5py
import numpy as np
import pytest

from heatscope.catalog.values import read_value_info
from heatscope.sources.opening import open_hdf5
from heatscope.stats.scan import ScanCancelled, block_shape, iter_blocks, scan_dataset


@pytest.fixture
def big(tmp_path):
    rng = np.random.default_rng(0)
    data = rng.gamma(2.0, 1.0, (30, 61, 64)).astype(np.float32)
    data[3, 4, 5] = np.nan
    data[7, 0, 0] = -5.0
    path = tmp_path / "b.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("d", data=data, chunks=(1, 61, 64), compression="gzip")
    with open_hdf5(path) as f:
        yield f["d"], data


def test_scan_matches_numpy(big):
    dset, data = big
    progress = []
    res = scan_dataset(dset, read_value_info(dset), budget=5000, progress=progress.append)
    finite = data[np.isfinite(data)].astype(np.float64)
    assert res.count == finite.size and res.n_nonfinite == 1
    assert res.min == -5.0 and res.max == pytest.approx(float(finite.max()))
    assert res.mean == pytest.approx(float(finite.mean()))
    width = (res.max - res.min) / 16384
    for p in (2.0, 98.0):
        assert abs(res.percentiles[p] - np.percentile(finite, p)) <= 2 * width
    assert progress[-1] == pytest.approx(1.0) and len(progress) > 10


def test_blocks_are_bounded_and_cover_everything():
    shape, chunks = (30, 61, 64), (1, 61, 64)
    block = block_shape(shape, chunks, budget=5000)
    assert block == (1, 61, 64)  # one chunk even though it exceeds the budget
    block = block_shape(shape, chunks, budget=40000)
    assert math.prod(block) <= 40000 and block[0] % 1 == 0 and block[1:] == (61, 64)
    covered = np.zeros(shape, int)
    for key in iter_blocks(shape, block):
        covered[key] += 1
    assert (covered == 1).all()
    assert block_shape((1000,), None, 100) == (100,)


def test_scan_can_be_cancelled(big):
    dset, _ = big
    calls = []

    def cancelled():
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(ScanCancelled):
        scan_dataset(dset, read_value_info(dset), budget=4000, cancelled=cancelled)


def test_scan_all_nan(tmp_path):
    with h5py.File(tmp_path / "n.h5", "w") as f:
        f["d"] = np.full((4, 4), np.nan)
    with open_hdf5(tmp_path / "n.h5") as f:
        res = scan_dataset(f["d"], read_value_info(f["d"]))
    assert res.count == 0 and math.isnan(res.min) and res.n_nonfinite == 16
