"""Sample 1: DeepSeek-V3-style relative expert load (seeds 000, 001, 002).

variant {Aux-Loss-Based, Aux-Loss-Free} x 26 MoE layers x dataset {Wikipedia (en), Github,
DM Mathematics} x 64 experts, stored as raw token counts (100k tokens per domain, top-6
routing) and as the relative load derived from them (count * 64 / total).

Hot spots follow the seeds. Seed 002 (layers 9 and 18) and seed 000 (layers 25, 26) are
taken as written. Seed 001's table repeats experts 15/21/24 for every layer and variant
(a transcription artefact, see seeds/README.md); it is read as: aux-loss-free layers 7-12
run hot on expert 15 (Wikipedia), 21 (Github) and 24 (DM Mathematics), weaker on layer 10's
DM Mathematics, strongest on layer 12's; aux-loss-based shows only slight activity there.
On layer 9 those experts are moderate so seed 002's expert 25 stays the darkest cell.
"""

from __future__ import annotations

import numpy as np

from heatscope.samples.writing import add_scale, new_file, write_labelled

VARIANTS = ["Aux-Loss-Based", "Aux-Loss-Free"]
DATASETS = ["Wikipedia (en)", "Github", "DM Mathematics"]
N_LAYERS, N_EXPERTS, TOP_K, TOKENS = 26, 64, 6, 100_000
WIKI, GITHUB, DM = range(3)

# {(variant, layer): {dataset: {expert (1-based): relative load}}}
HOT: dict[tuple[int, int], dict[int, dict[int, float]]] = {
    (0, 9): {WIKI: {6: 2.2, 25: 2.0}, GITHUB: {27: 2.0, 44: 2.4, 48: 2.1}, DM: {25: 2.5, 51: 2.0}},
    (0, 18): {GITHUB: {10: 1.6}, DM: {16: 1.6}},
    (1, 9): {
        WIKI: {6: 4.5, 51: 4.0, 15: 3.0},
        GITHUB: {44: 8.0, 48: 7.5, 12: 4.0, 27: 4.0, 58: 3.8, 21: 3.0},
        DM: {25: 10.0, 3: 6.5, 27: 6.0, 45: 6.5, 46: 6.0, 24: 3.0},
    },
    (1, 18): {
        WIKI: {1: 4.5, 41: 4.0},
        GITHUB: {30: 8.0, 42: 4.5},
        DM: {13: 6.5, 16: 6.5, 41: 6.0, 62: 6.5},
    },
    (1, 25): {WIKI: {11: 10.0}, GITHUB: {11: 10.0}, DM: {11: 10.0}},
    (1, 26): {WIKI: {15: 10.0, 41: 10.0}, GITHUB: {15: 10.0, 41: 10.0}, DM: {61: 10.0}},
}
SEED_001 = {7: (10.0, 10.0, 8.5), 8: (9.0, 9.0, 9.0), 10: (9.0, 9.0, 6.0), 11: (9.0, 9.0, 9.0), 12: (8.5, 8.5, 10.0)}
for _layer, (_w, _g, _d) in SEED_001.items():
    HOT[(1, _layer)] = {WIKI: {15: _w}, GITHUB: {21: _g}, DM: {24: _d}}
    HOT[(0, _layer)] = {WIKI: {15: 2.5}, GITHUB: {21: 2.5}, DM: {24: 2.5}}


def _row(rng: np.random.Generator, variant: int, hot: dict[int, float], specialize: bool) -> np.ndarray:
    """One expert distribution with mean 1: hot experts at their targets, the rest scaled."""
    sigma = 0.12 if variant == 0 else 0.45
    row = np.exp(rng.normal(0.0, sigma, N_EXPERTS))
    fixed = dict(hot)
    if specialize:  # an unseeded aux-loss-free layer still picks a few experts
        for e in rng.choice(N_EXPERTS, 3, replace=False):
            fixed.setdefault(int(e) + 1, float(rng.uniform(3.0, 5.5)))
    mask = np.zeros(N_EXPERTS, bool)
    for expert, value in fixed.items():
        row[expert - 1] = value
        mask[expert - 1] = True
    rest = N_EXPERTS - row[mask].sum()
    row[~mask] *= rest / row[~mask].sum()
    return row


def token_counts(seed: int = 20241227) -> np.ndarray:
    """Token counts per (variant, layer, dataset, expert) realising the designed loads."""
    rng = np.random.default_rng(seed)
    counts = np.zeros((len(VARIANTS), N_LAYERS, len(DATASETS), N_EXPERTS), dtype=np.int64)
    per_expert = TOKENS * TOP_K / N_EXPERTS
    for v in range(len(VARIANTS)):
        for layer in range(1, N_LAYERS + 1):
            hot = HOT.get((v, layer), {})
            for d in range(len(DATASETS)):
                rel = _row(rng, v, hot.get(d, {}), specialize=(v == 1 and not hot))
                counts[v, layer - 1, d] = np.round(rel * per_expert)
    return counts


def write(path) -> None:
    """Write the expert-load sample to ``path``."""
    counts = token_counts()
    relative = (counts * N_EXPERTS / counts.sum(axis=-1, keepdims=True)).astype(np.float32)
    with new_file(path) as f:
        f.attrs["default_dataset"] = "relative_expert_load"
        f.attrs["title"] = "Relative expert load, aux-loss-based vs aux-loss-free (DeepSeek-V3 Fig. 9/10 style)"
        scales = [
            add_scale(f, "variant", VARIANTS),
            add_scale(f, "layer", list(range(1, N_LAYERS + 1))),
            add_scale(f, "dataset", DATASETS),
            add_scale(f, "expert", list(range(1, N_EXPERTS + 1))),
        ]
        write_labelled(f, "relative_expert_load", relative, scales, {
            "kind": "relative_expert_load",
            "long_name": "Relative Expert Load",
            "valid_range": np.array([0.0, 10.0], dtype=np.float32),
            "default_select": "variant=Aux-Loss-Free,layer=9",
        })
        write_labelled(f, "expert_token_counts", counts, scales, {
            "kind": "expert_token_counts",
            "long_name": "Tokens routed to expert",
            "units": "tokens",
            "top_k": TOP_K,
            "tokens_per_dataset": TOKENS,
        })
