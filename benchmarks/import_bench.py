"""Import speed and memory of ``heatscope import megatron`` on a ~1 GB router trace.

Writes a synthetic trace the way Megatron-LM's RouterTracer does (8 ranks, 16 MoE layers,
4,096 tokens x top-8 of 128 experts per record) into a temporary directory, runs the
import as a user would (a subprocess), and prints wall time, throughput and the import's
peak RSS; then checks a few counts against the generator.

    python benchmarks/import_bench.py [--gb 1.0]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np

RANKS, LAYERS, TOKENS, TOPK, EXPERTS = 8, 16, 4096, 8, 128


def write_trace(directory: Path, target_bytes: float) -> tuple[int, dict]:
    rng = np.random.default_rng(0)
    blocks = []
    for _ in range(16):  # a few distinct routing blocks, skewed like a real router
        probs = rng.dirichlet(np.full(EXPERTS, 0.3))
        top = np.stack([rng.choice(EXPERTS, TOPK, replace=False, p=probs) for _ in range(TOKENS)]).astype(np.int32)
        blocks.append((json.dumps(top.tolist()), np.bincount(top.ravel(), minlength=EXPERTS)))
    line_bytes = len(blocks[0][0]) + 150
    steps = max(1, int(target_bytes / (line_bytes * RANKS * LAYERS)))
    expected = {}
    for rank in range(RANKS):
        with open(directory / f"router_trace_rank{rank}.jsonl", "w") as fh:
            for step in range(steps):
                for layer in range(LAYERS):
                    text, counts = blocks[(rank * 7 + step * 3 + layer) % len(blocks)]
                    head = json.dumps({"step": step, "stage": "pre_dispatch", "block": "decoder", "layer": layer,
                                       "rank": rank, "num_tokens": TOKENS, "topk": TOPK})
                    fh.write(head[:-1] + ', "top_indices": ' + text + "}\n")
                    key = (step, layer)
                    expected[key] = expected.get(key, 0) + counts
    return steps, expected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gb", type=float, default=1.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        trace = Path(tmp) / "trace"
        trace.mkdir()
        t0 = time.perf_counter()
        steps, expected = write_trace(trace, args.gb * 1e9)
        size = sum(p.stat().st_size for p in trace.iterdir())
        print(f"trace: {size / 1e9:.2f} GB, {RANKS} ranks x {steps} steps x {LAYERS} layers, "
              f"{TOKENS} tokens x top-{TOPK} of {EXPERTS} experts (written in {time.perf_counter() - t0:.1f} s)")
        out = Path(tmp) / "run.h5"
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "heatscope", "import", "megatron", str(trace), "-o", str(out),
                               "--dp-size", str(RANKS)],
                              capture_output=True, text=True)
        wall = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if proc.returncode:
            sys.exit(proc.stderr)
        print(f"import: {wall:.1f} s ({size / 1e6 / wall:.0f} MB/s), peak RSS {peak:.1f} MB")
        with h5py.File(out) as f:
            counts = f["expert_token_counts"]
            for step, layer in [(0, 0), (steps // 2, 7), (steps - 1, LAYERS - 1)]:
                assert np.array_equal(counts[step, layer], expected[(step, layer)]), (step, layer)
        print("counts checked against the generator")


if __name__ == "__main__":
    main()
