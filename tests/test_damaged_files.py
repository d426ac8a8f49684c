"""Damaged and hostile files: one clear line or a listing, never a traceback or a crash."""

import random

import h5py
import numpy as np
import pytest

from heatscope.cli import main
from tests.conftest import REPO


@pytest.mark.parametrize("seed", range(12))
def test_bit_flipped_files_never_raise(tmp_path, capsys, seed):
    data = bytearray((REPO / "sample_runs" / "expert_load.h5").read_bytes())
    rng = random.Random(seed)
    for _ in range(rng.choice([1, 5, 50])):
        data[rng.randrange(100, len(data))] = rng.randrange(256)
    path = tmp_path / "damaged.h5"
    path.write_bytes(data)
    for args in (["info", str(path)], ["export", str(path), "-o", "-", "-f", "txt"],
                 ["export", str(path), "--facet", "variant", "-o", str(tmp_path / "x.csv")]):
        code = main(args)
        err = capsys.readouterr().err
        assert code in (0, 2), (args, err)
        assert "Traceback" not in err and "internal error" not in err
        if code == 2:
            assert err.startswith("heatscope: error: ") and err.count("\n") == 1


def test_attribute_of_an_unreadable_type_is_ignored(tmp_path, capsys):
    path = tmp_path / "odd.h5"
    with h5py.File(path, "w") as f:
        d = f.create_dataset("m", data=np.ones((2, 3)))
        d.attrs.create("long_name", data=np.zeros(2, dtype=[("a", "i4"), ("b", "f8")]))
        d.attrs["dims"] = np.array([1, 2])  # not strings: ignored
    assert main(["info", str(path)]) == 0
    assert "m  axis0=2 x axis1=3  float64  generic  viewable" in capsys.readouterr().out
