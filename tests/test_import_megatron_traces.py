"""``heatscope import megatron`` on router traces written the way Megatron-LM's RouterTracer
writes them: counts per step x layer x expert summed over ranks, pipeline stages put back in
order, damaged lines reported as file:line, the format recognized and named."""

import json
import subprocess
import sys
import tracemalloc

import h5py
import numpy as np
import pytest

from heatscope.importers.megatron_trace import read_traces, trace_arrays
from heatscope.importers.output import ImportReport
from tests.framework_files import write_router_traces


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "heatscope", *map(str, args)], capture_output=True, text=True,
                          timeout=120)


def test_trace_counts_are_summed_over_ranks(tmp_path):
    expected = write_router_traces(tmp_path / "trace", ranks=3, steps=4, layers=3, experts=8, mtp=True)
    out = tmp_path / "run.h5"
    r = run_cli("import", "megatron", tmp_path / "trace", "-o", out)
    assert r.returncode == 2 and "3 ranks' router traces (ranks 0-2: layers 0-2): data-parallel replicas, " \
        "expert-parallel shards or pipeline stages? Nothing beside the logs says; pass --pp-size P" in r.stderr
    r = run_cli("import", "megatron", tmp_path / "trace", "-o", out, "--dp-size", "3")
    assert r.returncode == 0, r.stderr
    assert "found: Megatron-LM router traces" in r.stdout
    assert "expert_token_counts: step=4 x layer=3 x expert=8" in r.stdout
    assert "mtp_expert_token_counts: step=4 x mtp_layer=1 x expert=8" in r.stdout
    assert "assumed: every rank of a pipeline stage routes different tokens" in r.stdout
    assert "assumed: layer numbers are Megatron's decoder.layers.N (0-based; one pipeline stage)" in r.stdout
    assert "assumed: step is the training iteration (advance_step(iteration))" in r.stdout
    with h5py.File(out) as f:
        assert np.array_equal(f["expert_token_counts"][()], expected)
        assert f["expert_token_counts"].attrs["kind"] == "expert_token_counts"
        mtp = f["mtp_expert_token_counts"][()]
        assert mtp[:, 0, :2].tolist() == [[3, 3]] * 4 and mtp[:, 0, 2:].max() == 0
        assert [s.decode() if isinstance(s, bytes) else s for s in f["mtp_layer"][()]] == ["mtp0 layer 0"]
        assert "router traces" in f.attrs["found"]
    info = run_cli("info", out)
    assert "expert_token_counts  step=4 x layer=3 x expert=8  int64  expert_token_counts  viewable" in info.stdout


def test_pipeline_stages_get_global_layers(tmp_path):
    trace = tmp_path / "trace"
    # 4 ranks, pp 2: ranks 0-1 are stage 0 (local layers 0, 1 = global 0, 1), ranks 2-3 stage 1 (global 2, 3)
    for rank in range(4):
        stage = rank // 2
        lines = []
        for layer in range(2):
            expert = 2 * stage + layer  # each global layer routes everything to its own expert
            lines.append(json.dumps({"step": 0, "stage": "pre_dispatch", "block": "decoder", "layer": layer,
                                     "rank": rank, "num_tokens": 2, "topk": 1, "top_indices": [[expert], [expert]]}))
        (trace / f"router_trace_rank{rank}.jsonl").parent.mkdir(exist_ok=True)
        (trace / f"router_trace_rank{rank}.jsonl").write_text("\n".join(lines) + "\n")
    out = tmp_path / "pp.h5"
    r = run_cli("import", "megatron", trace, "-o", out, "--pp-size", "2", "--num-experts", "6", "--step-offset", "500")
    assert r.returncode == 0, r.stderr
    assert "assumed: pipeline-parallel 2 x 2 ranks of expert-tensor-parallel/expert-parallel/data-parallel (not " \
        "needed to read these logs) = 4 ranks in Megatron's order tp-cp-ep-dp-pp (from flags)" in r.stdout
    with h5py.File(out) as f:
        counts = f["expert_token_counts"][()]
        assert counts.shape == (1, 4, 6) and f["layer"][()].tolist() == [0, 1, 2, 3]
        assert f["step"][()].tolist() == [500]
        for layer in range(4):  # two ranks x two tokens on the layer's own expert
            assert counts[0, layer].tolist() == [4 if e == layer else 0 for e in range(6)]
    r = run_cli("import", "megatron", trace, "-o", tmp_path / "x.h5", "--pp-size", "3")
    assert r.returncode == 2 and "--pp-size 3 does not divide the 4 ranks" in r.stderr, r.stderr


def test_damaged_lines_are_reported_and_skipped(tmp_path):
    trace = tmp_path / "trace"
    expected = write_router_traces(trace, ranks=1, steps=2, layers=1, experts=4, tokens=3, topk=1)
    path = trace / "router_trace_rank0.jsonl"
    good = path.read_text()
    bad = [
        '{"step": 9, "stage": "pre_dispatch", "block": "decoder", "layer": 0, "rank": 0, "num_tokens": 2, '
        '"topk": 1, "top_indices": [[1], [2], [3]]}',  # 3 rows for num_tokens 2
        '{"step": 9, "stage": "pre_dispatch", "block": "decoder", "layer": 0, "rank": 0, "num_tokens": 1, '
        '"topk": 1, "top_indices": [[-4]]}',
        '{"step": 9, "stage": "pre_dispatch", "block": "encoder", "layer": 0, "rank": 0, "num_tokens": 1, '
        '"topk": 1, "top_indices": [[1]]}',
        '{"step": 9, "stage": "pre_dispatch", "block": "decoder", "layer": 0, "rank": 0, "num_tokens": 1, '
        '"topk": 1, "top_indices": [[99999999999]]}',  # far above any expert: damage, not 10^11 experts
        '{"step": 9, "stage": "pre_dispatch", "block": "decoder", "layer": 0, "rank": 0, "num_tokens": 2, "topk": 1, "top',
    ]
    path.write_text(good + "\n".join(bad) + "\n")
    out = tmp_path / "run.h5"
    r = run_cli("import", "megatron", trace, "-o", out)
    assert r.returncode == 0, r.stderr
    for number, reason in enumerate(["expected num_tokens=2 x topk=1", "negative expert index", "unknown block",
                                     "pass --num-experts", "record cut off after 112 characters"], start=3):
        assert f"{path}:{number}: " in r.stderr and reason in r.stderr, (number, r.stderr)
    assert "5 skipped" in r.stdout
    assert "note: 1 of 3 step x layer cells (4 of 12 counts) marked missing: 1 a cut-off or invalid record" in r.stdout
    with h5py.File(out) as f:  # step 9's layer 0 is missing (-1), never the valid records' partial sum
        assert f["step"][()].tolist() == [0, 1, 9]
        assert np.array_equal(f["expert_token_counts"][:2], expected) and (f["expert_token_counts"][2] == -1).all()


def test_format_detection(tmp_path):
    write_router_traces(tmp_path / "both", ranks=1, steps=1, layers=1)
    (tmp_path / "both" / "tokens_per_expert").mkdir()
    (tmp_path / "both" / "tokens_per_expert" / "rank0.jsonl").write_text(
        '{"iter": 1, "block": "decoder", "layer": 1, "tpe": [[1, 2]]}\n')
    r = run_cli("import", "megatron", tmp_path / "both", "-o", tmp_path / "x.h5")
    assert r.returncode == 2 and "holds both router traces and tokens_per_expert logs" in r.stderr
    r = run_cli("import", "megatron", tmp_path / "both", "-o", tmp_path / "x.h5", "--format", "tokens-per-expert")
    assert r.returncode == 0 and "found: Megatron-LM tokens_per_expert logs" in r.stdout


def test_output_is_never_half_written(tmp_path, monkeypatch):
    trace = tmp_path / "trace"
    write_router_traces(trace, ranks=1, steps=1, layers=1)
    out = tmp_path / "run.h5"
    out.write_bytes(b"precious")
    r = run_cli("import", "megatron", trace, "-o", out)
    assert r.returncode == 2 and "the output exists; pass --force" in r.stderr and out.read_bytes() == b"precious"
    r = run_cli("import", "megatron", trace, "-o", out, "--force")
    assert r.returncode == 2 and "the output exists and is not an HDF5 file: not replaced" in r.stderr
    r = run_cli("import", "megatron", trace, "-o", trace / "router_trace_rank0.jsonl", "--force")
    assert r.returncode == 2 and "not an HDF5 file: not replaced" in r.stderr  # an input is never overwritten
    out.unlink()
    assert run_cli("import", "megatron", trace, "-o", out).returncode == 0
    precious = out.read_bytes()

    from heatscope.importers import arrays_file, command

    def failing(path, *args):
        path.write_bytes(b"half")  # the write had started
        raise OSError("No space left on device")

    monkeypatch.setattr(arrays_file, "write_arrays", failing)
    with pytest.raises(OSError, match="No space left"):
        command.run_import(["megatron", str(trace), "-o", str(out), "--force"])
    assert out.read_bytes() == precious
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.h5", "trace"]  # no staging file left
    monkeypatch.undo()
    assert command.run_import(["megatron", str(trace), "-o", str(out), "--force"]) == 0
    with h5py.File(out) as f:
        assert f["expert_token_counts"].shape == (1, 1, 8)


def test_streaming_memory_is_bounded(tmp_path):
    """A 40 MB trace is read with a few MB of Python memory: tokens never become objects."""
    trace = tmp_path / "trace"
    trace.mkdir()
    rng = np.random.default_rng(1)
    top = rng.integers(0, 64, (4096, 8)).tolist()
    with open(trace / "router_trace_rank0.jsonl", "w") as fh:
        for step in range(40):
            for layer in range(6):
                fh.write(json.dumps({"step": step, "stage": "pre_dispatch", "block": "decoder", "layer": layer,
                                     "rank": 0, "num_tokens": 4096, "topk": 8, "top_indices": top}) + "\n")
    size = (trace / "router_trace_rank0.jsonl").stat().st_size
    assert size > 30e6
    tracemalloc.start()
    report = ImportReport()
    values, layout = read_traces(trace, report)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 6e6, peak  # about two lines of text, not the 40 MB trace or 1.3M Python ints
    cube = trace_arrays(values, layout, report, None)[0].data
    expected = np.bincount(np.asarray(top).ravel(), minlength=64)
    assert cube.shape == (40, 6, 64) and np.array_equal(cube[17, 3], expected)
