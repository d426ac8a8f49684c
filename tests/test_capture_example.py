"""examples/capture_moe runs from a clean checkout: it builds two model directories, captures
the three domains into one file with two variants, and prints the commands that show it."""

import subprocess
import sys

import h5py

from tests.capture_models import require
from tests.conftest import REPO

require("transformers")


def test_capture_example_writes_two_variants_of_three_domains(tmp_path):
    r = subprocess.run([sys.executable, str(REPO / "examples" / "capture_moe" / "run.py"), "--out", str(tmp_path),
                        "--tokens", "300"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    out = tmp_path / "eval.h5"
    assert f"show it:    heatscope {out}" in r.stdout
    assert f"the figure: heatscope export {out} --facet layer=0:3 --facet variant -o eval.png" in r.stdout
    with h5py.File(out, "r") as f:
        counts = f["expert_token_counts"]
        assert counts.shape == (2, 4, 3, 16)
        assert [v.decode() for v in f["variant"][()]] == ["seed0", "seed1"]
        assert [v.decode() for v in f["dataset"][()]] == ["Python docs (English)", "stdlib code", "arithmetic"]
        assert counts.attrs["tokens"].tolist() == [[300] * 3] * 2
        assert (counts[()].sum(axis=3) == 300 * 2).all()
        assert f["routing_sample"].shape == (2, 3, 256, 4, 2)
