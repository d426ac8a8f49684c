"""Damaged Megatron-LM logs of multi-rank runs: a record cut by a killed job, a file cut at
4,000 bytes, an iteration logged twice, a rank's file absent. Their cells are missing (-1, the
file's _FillValue), never partial sums or zeros; every other cell is exact."""

import json
import subprocess
import sys

import h5py
import numpy as np

from tests.framework_files import megatron_run


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "heatscope", *map(str, args)], capture_output=True, text=True,
                          timeout=120)


def _records(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def _check(out, truth, missing_rows):
    """Rows (step index, layer) in ``missing_rows`` are all -1, every other row is the truth."""
    with h5py.File(out) as f:
        counts = f["expert_token_counts"][()]
        assert f["expert_token_counts"].attrs["_FillValue"] == -1
    assert counts.shape == truth.shape
    for i in range(truth.shape[0]):
        for layer in range(truth.shape[1]):
            if (i, layer) in missing_rows:
                assert (counts[i, layer] == -1).all(), (i, layer, counts[i, layer])
            else:
                assert np.array_equal(counts[i, layer], truth[i, layer]), (i, layer)
    return counts.size


def test_trace_cut_by_a_killed_job(tmp_path, megatron_core):
    truth = megatron_run(tmp_path, dp=2, iterations=(0, 1, 2), tokens=5)
    path = tmp_path / "traces" / "router_trace_rank1.jsonl"
    text = path.read_text()
    path.write_text(text[:-40])  # the last flush was cut mid-list: iteration 2, layer 1, microbatch 1
    out = tmp_path / "t.h5"
    r = run_cli("import", "megatron", tmp_path / "traces", "-o", out, "--dp-size", "2")
    assert r.returncode == 0, r.stderr
    last = len(text.splitlines())
    assert f"router_trace_rank1.jsonl:{last}: record cut off after" in r.stderr
    assert "(the end of the file: a killed job's last write?)" in r.stderr
    assert "note: 1 of 6 step x layer cells (8 of 48 counts) marked missing: 1 a cut-off or invalid record" in r.stdout
    _check(out, truth, {(2, 1)})


def test_trace_file_cut_at_4000_bytes(tmp_path, megatron_core):
    truth = megatron_run(tmp_path, dp=2, iterations=range(8), tokens=8)
    path = tmp_path / "traces" / "router_trace_rank0.jsonl"
    records = _records(path)
    data = path.read_bytes()
    assert len(data) > 6000
    path.write_bytes(data[:4000])
    whole, offset = 0, 0
    for line in data.splitlines(keepends=True):
        if offset + len(line) > 4000:
            break
        offset += len(line)
        whole += 1
    missing = {(r["step"], r["layer"]) for r in records[whole:]}  # the cut record and all after it
    out = tmp_path / "t.h5"
    r = run_cli("import", "megatron", tmp_path / "traces", "-o", out, "--pp-size", "1")
    assert r.returncode == 0, r.stderr
    assert f"router_trace_rank0.jsonl:{whole + 1}: record cut off after" in r.stderr
    assert f"note: {len(missing)} of 16 step x layer cells ({len(missing) * 8} of 128 counts) marked missing" \
        in r.stdout
    _check(out, truth, missing)


def test_tokens_per_expert_cut_line_is_missing_not_zero(tmp_path, megatron_core):
    truth = megatron_run(tmp_path, ep=2, iterations=(0, 1))
    path = tmp_path / "tokens_per_expert" / "rank1.jsonl"  # experts 4-7
    path.write_text(path.read_text()[:-9])
    out = tmp_path / "t.h5"
    r = run_cli("import", "megatron", tmp_path, "-o", out, "--ep-size", "2", "--format", "tokens-per-expert")
    assert r.returncode == 0, r.stderr
    assert "rank1.jsonl:4: record cut off after" in r.stderr
    assert "note: 1 of 8 step x layer x expert-parallel block cells (4 of 32 counts) marked missing: 1 a cut-off " \
        "or invalid record" in r.stdout
    with h5py.File(out) as f:
        counts = f["expert_token_counts"][()]
    assert (counts[1, 1, 4:] == -1).all() and np.array_equal(counts[1, 1, :4], truth[1, 1, :4])
    counts[1, 1, 4:] = truth[1, 1, 4:]
    assert np.array_equal(counts, truth)


def test_tokens_per_expert_iteration_logged_twice(tmp_path, megatron_core):
    """A job resumed from an earlier checkpoint appends the iterations it redoes again."""
    truth = megatron_run(tmp_path, dp=2, iterations=(0, 1))
    path = tmp_path / "tokens_per_expert" / "rank0.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines + lines[2:]))  # iteration 1 (iter 2) again
    out = tmp_path / "t.h5"
    r = run_cli("import", "megatron", tmp_path, "-o", out, "--dp-size", "2", "--format", "tokens-per-expert")
    assert r.returncode == 0, r.stderr
    assert "note: 2 of 4 step x layer cells (16 of 32 counts) marked missing: 2 a rank logged them twice" in r.stdout
    _check(out, truth, {(1, 0), (1, 1)})


def test_absent_rank_file_and_a_rank_ending_early(tmp_path, megatron_core):
    truth = megatron_run(tmp_path, dp=2, pp=2, iterations=(0, 1, 2))
    (tmp_path / "traces" / "router_trace_rank1.jsonl").unlink()  # stage 0 of the default order: ranks 0, 1
    path = tmp_path / "traces" / "router_trace_rank2.jsonl"  # stage 1: its last iteration was never written
    path.write_text("".join(line + "\n" for line in path.read_text().splitlines() if '"step": 2,' not in line))
    out = tmp_path / "t.h5"
    r = run_cli("import", "megatron", tmp_path / "traces", "-o", out, "--pp-size", "2", "--dp-size", "2")
    assert r.returncode == 0, r.stderr
    assert "note: no trace file of ranks [1]: the cells of their stages are missing" in r.stdout
    assert "note: 8 of 12 step x layer cells (64 of 96 counts) marked missing: 8 not every rank that routes them has " \
        "a record" in r.stdout
    _check(out, truth, {(i, layer) for i in range(3) for layer in (0, 1)} | {(2, 2), (2, 3)})
