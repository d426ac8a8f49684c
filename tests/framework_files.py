"""Files written the way the frameworks write them (same containers, keys, dtypes, names).

Megatron-LM's RouterTracer: one ``router_trace_rank{R}.jsonl`` per rank, records built in
its key order and dumped with ``json.dumps(rec) + "\\n"`` after ``top_indices`` (an int32
tensor) became ``tensor.tolist()``. SGLang's recorder: ``torch.save`` of the dicts its
``_StatAccumulator`` / ``_DetailAccumulator`` dump (int32 tensors, ``time.time()`` in the
name). torchtitan: a state dict of per-layer ``tokens_per_expert`` / ``expert_bias``.

``megatron_run`` writes a whole multi-rank Megatron-LM run: ranks laid out by Megatron's own
``RankGenerator`` (megatron-core), tokens routed by its ``TopKRouter`` (one per layer), router
traces as its RouterTracer writes them (one record per microbatch, stage-local layer numbers,
``step`` = the iteration) and tokens_per_expert logs as its ActivationLogger writes them
(``iter`` = iteration + 1, the rank's local experts counted over its expert-tensor/expert-
parallel group, one list per microbatch). SGLang's own recorder cannot be imported here: the
dumps follow its source (``_StatAccumulator.dump``, ``_DetailAccumulator.dump``)."""

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


def megatron_groups(tp=1, ep=1, dp=1, pp=1, order="tp-cp-ep-dp-pp"):
    """Megatron's expert process groups for these sizes: ``{rank: (tp_rank, ep_rank, dp_rank,
    pp_rank)}`` and the tp-ep group of every rank, as megatron-core's RankGenerator makes them."""
    from megatron.core.parallel_state import RankGenerator

    generator = RankGenerator(tp=tp, ep=ep, dp=dp, pp=pp, cp=1, order=order)
    coords = {rank: [0, 0, 0, 0] for rank in range(tp * ep * dp * pp)}
    for axis, name in enumerate(("tp", "ep", "dp", "pp")):
        for group in generator.get_ranks(name):
            for index, rank in enumerate(group):
                coords[rank][axis] = index
    tp_ep = {rank: group for group in generator.get_ranks("tp-ep") for rank in group}
    return {rank: tuple(c) for rank, c in coords.items()}, tp_ep


class MegatronRouters:
    """One megatron-core ``TopKRouter`` per layer; ``route`` gives the top-k expert indices
    of random tokens as the RouterTracer takes them from the router's routing map. (Its
    gating moves the weights to CUDA, so the logits are computed here and ``routing`` runs.)"""

    def __init__(self, layers, experts, topk, seed, hidden=16):
        import torch
        from megatron.core.process_groups_config import ProcessGroupCollection
        from megatron.core.transformer.moe.router import TopKRouter
        from megatron.core.transformer.transformer_config import TransformerConfig

        torch.manual_seed(seed)
        config = TransformerConfig(num_layers=max(layers, 1), hidden_size=hidden, num_attention_heads=2,
                                   num_moe_experts=experts, moe_router_topk=topk, use_cpu_initialization=True,
                                   add_bias_linear=False, moe_router_load_balancing_type="none",
                                   moe_aux_loss_coeff=0.0, moe_ffn_hidden_size=4 * hidden, cuda_graph_scope=[])
        groups = ProcessGroupCollection.use_mpu_process_groups()
        self.routers = [TopKRouter(config=config, pg_collection=groups) for _ in range(layers)]
        self.hidden, self.torch = hidden, torch

    def route(self, layer, tokens):
        torch = self.torch
        router = self.routers[layer]
        with torch.no_grad():
            logits = torch.randn(tokens, self.hidden) @ router.weight.t()
            _, routing_map = router.routing(logits)
        _, expert_idx = routing_map.nonzero(as_tuple=True)
        return expert_idx.view(tokens, router.topk).to(torch.int32).numpy()


def _record(step, block, layer, rank, top, mtp_idx=None):
    record = {"step": step, "stage": "pre_dispatch", "block": block, "layer": layer, "rank": rank,
              "num_tokens": int(top.shape[0]), "topk": int(top.shape[1])}
    if mtp_idx is not None:
        record["mtp_idx"] = mtp_idx
    record["top_indices"] = top.astype(np.int32).tolist()
    return json.dumps(record) + "\n"


def megatron_run(directory, *, tp=1, ep=1, dp=1, pp=1, order="tp-cp-ep-dp-pp", stage_layers=None, experts=8,
                 topk=2, iterations=(0, 1, 2), tokens=6, microbatches=2, mtp=False, seed=0):
    """A run's router traces (``directory/traces``) and tokens_per_expert logs
    (``directory/tokens_per_expert``); returns the truth: iteration x global layer x expert
    (and x mtp layer, when ``mtp``). ``stage_layers`` are the layers of each stage."""
    stage_layers = list(stage_layers or [2] * pp)
    assert len(stage_layers) == pp and experts % ep == 0
    coords, tp_ep = megatron_groups(tp, ep, dp, pp, order)
    routers = MegatronRouters(sum(stage_layers) + 1, experts, topk, seed)  # the last one is the MTP layer's
    local = experts // ep
    offsets = np.cumsum([0, *stage_layers])
    truth = np.zeros((len(iterations), sum(stage_layers), experts), np.int64)
    mtp_truth = np.zeros((len(iterations), 1, experts), np.int64)
    traces, logs = directory / "traces", directory / "tokens_per_expert"
    traces.mkdir(parents=True, exist_ok=True)
    logs.mkdir(parents=True, exist_ok=True)
    for rank in coords:
        (traces / f"router_trace_rank{rank}.jsonl").write_text("")  # the tracer opens its file with "w"
    for i, iteration in enumerate(iterations):
        # every rank routes its own tokens in every microbatch, for every layer of its stage
        routed = {}
        for rank, (_, _, _, stage) in coords.items():
            blocks = [("decoder", layer, None) for layer in range(stage_layers[stage])]
            if mtp and stage == pp - 1:
                blocks.append(("mtp", 0, 0))
            for mb in range(microbatches):
                for block, layer, mtp_idx in blocks:
                    top = routers.route(offsets[stage] + layer if block == "decoder" else -1, tokens)
                    routed[(rank, mb, block, layer)] = (top, mtp_idx)
                    found = np.bincount(top.ravel(), minlength=experts)
                    if block == "decoder":
                        truth[i, offsets[stage] + layer] += found
                    else:
                        mtp_truth[i, 0] += found
        for rank, (_, ep_rank, _, _) in coords.items():
            lines, tpe = [], {}
            for (r, mb, block, layer), (top, mtp_idx) in routed.items():
                if r == rank:
                    lines.append(_record(iteration, block, layer, rank, top, mtp_idx))
                # the experts of this rank see the tokens of its whole tp-ep group
                if r in tp_ep[rank]:
                    counts = np.bincount(top.ravel(), minlength=experts)[ep_rank * local:(ep_rank + 1) * local]
                    per_mb = tpe.setdefault((block, layer, mtp_idx), [np.zeros(local, np.int64)] * microbatches)
                    per_mb[mb] = per_mb[mb] + counts
            with open(traces / f"router_trace_rank{rank}.jsonl", "a") as fh:
                fh.writelines(lines)
            out = []
            for (block, layer, mtp_idx), per_mb in sorted(tpe.items(), key=lambda kv: (kv[0][0] != "decoder",
                                                                                      kv[0][1])):
                record = {"iter": iteration + 1, "block": block, "layer": layer}
                if block == "mtp":
                    record["mtp_idx"] = mtp_idx
                record["tpe"] = [[int(v) for v in mb] for mb in per_mb]
                out.append(json.dumps(record) + "\n")
            with open(logs / f"rank{rank}.jsonl", "a") as fh:
                fh.writelines(out)
    return (truth, mtp_truth) if mtp else truth
