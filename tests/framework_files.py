"""Files written the way the frameworks write them (same containers, keys, dtypes, names).

Megatron-LM's RouterTracer: one ``router_trace_rank{R}.jsonl`` per rank, records built in
its key order and dumped with ``json.dumps(rec) + "\\n"`` after ``top_indices`` (an int32
tensor) became ``tensor.tolist()``. SGLang's recorder: ``torch.save`` of the dicts its
``_StatAccumulator`` / ``_DetailAccumulator`` dump (int32 tensors, ``time.time()`` in the
name). torchtitan: a state dict of per-layer ``tokens_per_expert`` / ``expert_bias``."""

from __future__ import annotations

import json

import numpy as np


def write_router_traces(directory, *, ranks=2, steps=3, layers=2, experts=8, tokens=16, topk=2, mtp=False,
                        seed=0) -> np.ndarray:
    """Traces of ``ranks`` data-parallel ranks; returns the expected counts step x layer x expert."""
    rng = np.random.default_rng(seed)
    directory.mkdir(parents=True, exist_ok=True)
    expected = np.zeros((steps, layers, experts), np.int64)
    for rank in range(ranks):
        lines = []
        for step in range(steps):
            for layer in range(layers):
                top = np.stack([rng.choice(experts, topk, replace=False) for _ in range(tokens)]).astype(np.int32)
                expected[step, layer] += np.bincount(top.ravel(), minlength=experts)
                record = {"step": step, "stage": "pre_dispatch", "block": "decoder", "layer": layer, "rank": rank,
                          "num_tokens": tokens, "topk": topk}
                record["top_indices"] = top.tolist()
                lines.append(json.dumps(record) + "\n")
            if mtp:
                record = {"step": step, "stage": "pre_dispatch", "block": "mtp", "layer": 0, "rank": rank,
                          "num_tokens": 2, "topk": 1, "mtp_idx": 0, "top_indices": [[0], [1]]}
                lines.append(json.dumps(record) + "\n")
        (directory / f"router_trace_rank{rank}.jsonl").write_text("".join(lines))
    return expected


def sglang_stat_dump(directory, logical_count: np.ndarray, stamp: float = 1764000000.25):
    """What rank 0 writes in ``stat`` mode."""
    import torch

    path = directory / f"expert_distribution_recorder_{stamp}.pt"
    torch.save({"rank": 0, "logical_count": torch.tensor(logical_count, dtype=torch.int32),
                "average_utilization_rate_over_window": None}, str(path))
    return path


def sglang_per_pass_dumps(directory, physical: np.ndarray, mapping: np.ndarray, stamp: float = 1764000000.5):
    """``physical[rank, pass, layer, slot]`` as one ``per_pass`` dump per rank."""
    import torch

    paths = []
    for rank in range(physical.shape[0]):
        records = [{"forward_pass_id": 100 + p, "rank": rank, "gatherer_key": "primary",
                    "global_physical_count": torch.tensor(physical[rank, p], dtype=torch.int32)}
                   for p in range(physical.shape[1])]
        path = directory / f"expert_distribution_recorder_{stamp + rank / 1000}_{rank}.pt"
        torch.save({"records": records, "last_physical_to_logical_map": torch.tensor(mapping)}, str(path))
        paths.append(path)
    return paths
