"""The training-loop writer (SWMR) and the Megatron tokens-per-expert importer."""

import json
import subprocess
import sys

import h5py
import numpy as np
import pytest

from heatscope.catalog.datasets import build_catalog
from heatscope.sources.opening import open_hdf5
from heatscope.writer.run_writer import RunWriter


def test_writer_appends_labelled_steps(tmp_path):
    path = tmp_path / "run.h5"
    rng = np.random.default_rng(0)
    written = []
    with RunWriter(path, expert_token_counts=("layer", "expert"),
                   divergence={"position": ["Subj.", "Attn.", "Last."], "layer": range(1, 5)}) as run:
        for step in range(0, 30, 10):
            counts = rng.integers(0, 100, (4, 8))
            written.append(counts)
            run.append(step, expert_token_counts=counts, divergence=np.full((3, 4), step / 100))
    with open_hdf5(path) as f:
        catalog = build_catalog(f)
        counts = catalog.find("expert_token_counts")
        assert counts.shape_text() == "step=3 x layer=4 x expert=8" and counts.kind == "expert_token_counts"
        assert counts.axes[0].labels == ("0", "10", "20")
        div = catalog.find("divergence")
        assert div.axes[1].labels == ("Subj.", "Attn.", "Last.") and div.axes[2].labels == ("1", "2", "3", "4")
        assert np.array_equal(f["expert_token_counts"][()], np.stack(written))


def test_writer_rejects_wrong_calls(tmp_path):
    with pytest.raises(ValueError, match="name at least one tensor"):
        RunWriter(tmp_path / "a.h5")
    with RunWriter(tmp_path / "b.h5", counts=("layer", "expert")) as run:
        with pytest.raises(ValueError, match="missing \\['counts'\\]"):
            run.append(0, other=np.zeros((2, 2)))
        with pytest.raises(ValueError, match="2 axes named but the array has shape"):
            run.append(0, counts=np.zeros(3))
        run.append(0, counts=np.zeros((2, 3)))
        with pytest.raises(ValueError, match="differs from the first step"):
            run.append(1, counts=np.zeros((2, 4)))


def test_swmr_reader_sees_steps_while_writer_keeps_writing(tmp_path):
    path = tmp_path / "live.h5"
    go = tmp_path / "go"
    script = f"""
import time, os, numpy as np
from heatscope.writer.run_writer import RunWriter
with RunWriter({str(path)!r}, expert_token_counts=("layer", "expert")) as run:
    run.append(0, expert_token_counts=np.ones((2, 4)))
    open({str(go)!r}, "w").close()
    for step in range(1, 40):
        time.sleep(0.05)
        run.append(step, expert_token_counts=np.full((2, 4), step))
"""
    proc = subprocess.Popen([sys.executable, "-c", script])
    try:
        import time

        for _ in range(400):
            if go.exists():
                break
            time.sleep(0.02)
        with open_hdf5(path) as f:
            assert f.swmr_mode
            dset = f["expert_token_counts"]
            first = dset.shape[0]
            time.sleep(0.5)
            dset.refresh()
            assert dset.shape[0] > first  # new steps appear without reopening
            assert dset[dset.shape[0] - 1].max() == dset.shape[0] - 1
        assert proc.wait(timeout=60) == 0  # the writer was never locked out
    finally:
        if proc.poll() is None:
            proc.kill()


def _rank_logs(directory, ranks=4, local=4):
    logs = directory / "tokens_per_expert"
    logs.mkdir(parents=True)
    for rank in range(ranks):
        lines = []
        for it in (100, 200):
            for layer in (1, 2):
                # two microbatches; value encodes rank so placement can be checked
                lines.append({"iter": it, "block": "decoder", "layer": layer,
                              "tpe": [[rank + 1] * local, [10 * (rank + 1)] * local]})
            if it == 100:  # as Megatron writes them: an iteration's decoder layers, then its MTP layers
                lines.append({"iter": 100, "block": "mtp", "mtp_idx": 0, "layer": 1, "tpe": [[1] * local]})
        text = "\n".join(json.dumps(x) for x in lines) + "\n"
        if rank == 1:
            text += '{"iter": 300, "layer": "three", "tpe": [[1, 2, 3, 4]]}\nnot json\n'
        (logs / f"rank{rank}.jsonl").write_text(text)


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "heatscope", *map(str, args)], capture_output=True, text=True,
                          timeout=60)


def test_megatron_import_places_experts_and_reports_bad_lines(tmp_path):
    _rank_logs(tmp_path)
    out = tmp_path / "run.h5"
    r = run_cli("import", "megatron", tmp_path, "-o", out, "--ep-size", "2", "--dp-size", "2", "--pp-size", "1")
    assert r.returncode == 0, r.stderr
    assert "found: Megatron-LM tokens_per_expert logs" in r.stdout
    assert "expert_token_counts: step=2 x layer=2 x expert=8" in r.stdout
    assert "mtp_expert_token_counts: step=2 x mtp_layer=1 x expert=8" in r.stdout and "2 skipped" in r.stdout
    assert "assumed: expert-tensor-parallel 1 x expert-parallel 2 x data-parallel 2 x pipeline-parallel 1" in r.stdout
    assert f"{tmp_path / 'tokens_per_expert' / 'rank1.jsonl'}:6: 'iter' and 'layer' must be" in r.stderr
    assert f"{tmp_path / 'tokens_per_expert' / 'rank1.jsonl'}:7: not a JSON record" in r.stderr
    # the garbage line's step is unknown: it follows iteration 200, so rank 1's iteration-200 cells are missing
    assert "note: 2 of 10 step x layer x expert-parallel block cells (8 of 40 counts) marked missing: 2 a " \
        "cut-off or invalid record" in r.stdout
    with h5py.File(out) as f:
        counts = f["expert_token_counts"][()]
        assert counts.shape == (2, 2, 8)
        # ep_rank 0 = ranks 0 and 2: (1 + 10) + (3 + 30) = 44; ep_rank 1 = ranks 1, 3: 22 + 44 = 66
        assert counts[0, 0, :4].tolist() == [44] * 4 and counts[0, 0, 4:].tolist() == [66] * 4
        assert counts[1, :, :4].tolist() == [[44] * 4] * 2 and (counts[1, :, 4:] == -1).all()
        assert f["layer"][()].tolist() == [1, 2] and f["step"][()].tolist() == [100, 200]
        mtp = f["mtp_expert_token_counts"][()]
        assert mtp[0, 0].tolist() == [2] * 8 and mtp[1, 0].tolist() == [-1] * 8  # missing step 200
        assert "expert-parallel 2" in f.attrs["assumptions"]
    info = run_cli("info", out)
    assert "expert_token_counts  step=2 x layer=2 x expert=8  int64  expert_token_counts  viewable" in info.stdout


def test_megatron_import_errors(tmp_path):
    r = run_cli("import", "megatron", tmp_path / "nope", "-o", tmp_path / "x.h5")
    assert r.returncode == 2 and "nope: no such file or directory" in r.stderr
    r = run_cli("import", "megatron", tmp_path, "-o", tmp_path / "x.h5")
    assert r.returncode == 2 and "no Megatron-LM logs" in r.stderr
    (tmp_path / "rank0.jsonl").write_text("garbage\n")
    r = run_cli("import", "megatron", tmp_path, "-o", tmp_path / "x.h5")
    assert r.returncode == 2 and "no valid tokens-per-expert lines" in r.stderr
    assert "rank0.jsonl:1:" in r.stderr or r.stderr.count("\n") == 1
