"""examples/tiny_moe runs from a clean checkout (a few steps) and logs what it claims: every
step of both runs through RunWriter, every routed token counted, and the evaluation cube."""

import subprocess
import sys

import h5py
import numpy as np

from tests.conftest import REPO

TOKENS_PER_STEP = 24 * 128 * 2  # batch x context x top-k


def test_tiny_moe_example_writes_runs_heatscope_opens(tmp_path, torch):
    r = subprocess.run([sys.executable, str(REPO / "examples" / "tiny_moe" / "train.py"), "--out", str(tmp_path),
                        "--steps", "3", "--eval-batches", "1"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "I(domain;expert) bits" in r.stdout
    for variant in ("aux_loss", "aux_free"):
        with h5py.File(tmp_path / f"tiny_moe_{variant}.h5", "r") as f:
            counts = f["expert_token_counts"]
            assert counts.shape == (3, 4, 16) and f["step"][()].tolist() == [0, 1, 2]
            assert (counts[()].sum(axis=2) == TOKENS_PER_STEP).all()
    with h5py.File(tmp_path / "tiny_moe_eval.h5", "r") as f:
        cube = f["expert_token_counts"][()]
        assert cube.shape == (2, 4, 3, 16) and (cube.sum(axis=3) == TOKENS_PER_STEP).all()
        assert [d.label for d in f["expert_token_counts"].dims] == ["variant", "layer", "dataset", "expert"]
    info = subprocess.run([sys.executable, "-m", "heatscope", "info", str(tmp_path)], capture_output=True,
                          text=True, timeout=60)
    assert info.returncode == 0
    assert "expert_token_counts  variant=2 x layer=4 x dataset=3 x expert=16  int64  expert_token_counts" in info.stdout
    assert np.isfinite(cube).all()
