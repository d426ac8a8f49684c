"""Multi-rank Megatron-LM runs (ranks laid out by megatron-core's own RankGenerator, logs
written as its RouterTracer and ActivationLogger write them): imported exactly with the
layout, refused with one line without it, for tokens_per_expert and traces alike."""

import subprocess
import sys

import h5py
import numpy as np
import pytest

from tests.framework_files import megatron_run

LAYOUTS = {  # name: run sizes, flags that settle the layout
    "ep2": (dict(ep=2), ["--ep-size", "2"]),
    "pp2": (dict(pp=2, stage_layers=[2, 2]), ["--pp-size", "2"]),
    "ep2xpp2-uneven": (dict(ep=2, pp=2, stage_layers=[3, 1]), ["--ep-size", "2", "--pp-size", "2"]),
    "dp2xep2": (dict(ep=2, dp=2), ["--ep-size", "2", "--dp-size", "2"]),
    "etp2xep2": (dict(tp=2, ep=2), ["--tp-size", "2", "--ep-size", "2", "--pp-size", "1"]),
    "ep2xpp2xdp2-pp-dp-order": (dict(ep=2, pp=2, dp=2, order="tp-cp-ep-pp-dp"),
                                ["--ep-size", "2", "--pp-size", "2", "--dp-size", "2",
                                 "--rank-order", "tp-cp-ep-pp-dp"]),
    "dp4": (dict(dp=4), ["--dp-size", "4"]),
}


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "heatscope", *map(str, args)], capture_output=True, text=True,
                          timeout=120)


def _import(run, out, *flags, fmt):
    source = run / "traces" if fmt == "trace" else run
    return run_cli("import", "megatron", source, "-o", out, "--format", fmt, "--force", *flags)


@pytest.mark.parametrize("name", LAYOUTS)
def test_layout_imports_exactly_with_its_flags(tmp_path, megatron_core, name):
    sizes, flags = LAYOUTS[name]
    truth = megatron_run(tmp_path, **sizes, experts=8, iterations=(4, 5, 6))
    for fmt in ("tokens-per-expert", "trace"):
        r = _import(tmp_path, tmp_path / f"{fmt}.h5", *flags, fmt=fmt)
        assert r.returncode == 0, (fmt, r.stderr)
        assert "note:" not in r.stdout and "skipped" not in r.stderr, r.stdout
        with h5py.File(tmp_path / f"{fmt}.h5") as f:
            counts = f["expert_token_counts"][()]
            # traces say step = the iteration, tokens_per_expert iter = iteration + 1
            steps = [4, 5, 6] if fmt == "trace" else [5, 6, 7]
            assert f["step"][()].tolist() == steps
            assert f["layer"][()].tolist() == list(range(truth.shape[1]))
            assert np.array_equal(counts, truth), (fmt, name)


def test_expert_parallel_logs_without_flags_are_refused(tmp_path, megatron_core):
    """A 2-rank EP=2 run of 8 experts imported as 4 experts holding truth[e] + truth[e + 4]."""
    megatron_run(tmp_path, ep=2, experts=8)
    r = _import(tmp_path, tmp_path / "x.h5", fmt="tokens-per-expert")
    assert r.returncode == 2 and not (tmp_path / "x.h5").exists()
    assert r.stderr.splitlines() == [
        "heatscope: error: 2 ranks' tokens_per_expert logs (ranks 0-1: layers 0-1, 4 local experts): data-parallel "
        "replicas, expert-parallel shards or pipeline stages? Nothing beside the logs says; pass --ep-size E and "
        "--pp-size P (and --dp-size or --tp-size when E x P < 2; --dp-size 2 alone for plain data-parallel "
        "replicas)"]


def test_pipeline_stages_without_flags_are_refused(tmp_path, megatron_core):
    """PP=2 of 4 layers imported as 2 layers holding truth[l] + truth[l + 2], in both formats."""
    megatron_run(tmp_path, pp=2, stage_layers=[3, 1])
    r = _import(tmp_path, tmp_path / "x.h5", fmt="tokens-per-expert")
    assert r.returncode == 2 and "(rank 0: layers 0-2, 8 local experts; rank 1: layers 0, 8 local experts)" \
        in r.stderr
    r = _import(tmp_path, tmp_path / "x.h5", fmt="trace")
    assert r.returncode == 2 and "2 ranks' router traces (rank 0: layers 0-2; rank 1: layers 0): " in r.stderr
    assert "pass --pp-size P (--pp-size 1 without pipeline parallelism)" in r.stderr
    r = _import(tmp_path, tmp_path / "x.h5", "--pp-size", "2", "--ep-size", "2", fmt="tokens-per-expert")
    assert r.returncode == 2 and "--ep-size 2 x --pp-size 2 = 4 does not divide the 2 ranks" in r.stderr


def test_open_factor_is_refused(tmp_path, megatron_core):
    """DP x EP: --ep-size alone leaves replicas and expert-tensor-parallel peers apart."""
    megatron_run(tmp_path, ep=2, dp=2)
    r = _import(tmp_path, tmp_path / "x.h5", "--ep-size", "2", "--pp-size", "1", fmt="tokens-per-expert")
    assert r.returncode == 2
    assert "--ep-size 2 x --pp-size 1 leaves a factor 2 of the 4 ranks open; pass --tp-size or --dp-size" in r.stderr
    # traces only need the pipeline size: the other factors do not change what is summed
    r = _import(tmp_path, tmp_path / "x.h5", "--pp-size", "1", fmt="trace")
    assert r.returncode == 0, r.stderr


def test_layout_from_megatron_checkpoint_directories(tmp_path, megatron_core):
    """--ckpt-format torch names every rank's directory mp_rank_TT_PPP_EEE beside tokens_per_expert/."""
    truth = megatron_run(tmp_path, ep=2, pp=2, stage_layers=[1, 2])
    for pp in range(2):
        for ep in range(2):
            (tmp_path / "iter_0000003" / f"mp_rank_00_{pp:03d}_{ep:03d}").mkdir(parents=True)
    (tmp_path / "latest_checkpointed_iteration.txt").write_text("3")
    out = tmp_path / "run.h5"
    r = run_cli("import", "megatron", tmp_path, "-o", out, "--format", "tokens-per-expert")
    assert r.returncode == 0, r.stderr
    assert f"(from checkpoint directories {tmp_path / 'iter_0000003'}/mp_rank_*)" in r.stdout
    assert "expert-tensor-parallel size = the checkpoint's tensor-parallel size 1" in r.stdout
    with h5py.File(out) as f:
        assert np.array_equal(f["expert_token_counts"][()], truth)
    r = run_cli("import", "megatron", tmp_path / "traces", "-o", out, "--force")  # the trace dir inside --save
    assert r.returncode == 0, r.stderr
    with h5py.File(out) as f:
        assert np.array_equal(f["expert_token_counts"][()], truth)


def test_mtp_layers_on_the_last_stage(tmp_path, megatron_core):
    truth, mtp = megatron_run(tmp_path, ep=2, pp=2, mtp=True)
    for fmt in ("tokens-per-expert", "trace"):
        r = _import(tmp_path, tmp_path / "m.h5", "--ep-size", "2", "--pp-size", "2", fmt=fmt)
        assert r.returncode == 0, r.stderr
        with h5py.File(tmp_path / "m.h5") as f:
            assert np.array_equal(f["expert_token_counts"][()], truth)
            assert np.array_equal(f["mtp_expert_token_counts"][()], mtp)
