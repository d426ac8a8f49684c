"""Sample 4: expert token counts over training where aux-loss-free balancing converges.

A small simulation of the aux-loss-free strategy (Wang et al. 2024): each layer's router
starts skewed towards some experts; a per-expert bias added to the routing scores (top-K
selection only) is nudged each step by u * sign(mean(c) - c_i), so MaxVio falls over steps.
Each logged step is one simulated update with a larger u than the paper's 0.001, so the
convergence fits in 41 logged steps (labelled every 50 training steps).
"""

from __future__ import annotations

import numpy as np

from heatscope.samples.writing import add_scale, new_file, write_labelled

N_STEPS, N_LAYERS, N_EXPERTS, TOP_K, TOKENS = 41, 26, 64, 6, 1024
STEP_EVERY, UPDATE_RATE = 50, 0.06


def simulate(seed: int = 4042, update_rate: float = UPDATE_RATE) -> np.ndarray:
    """Token counts, steps x layers x experts, balancing with bias update rate ``update_rate``."""
    rng = np.random.default_rng(seed)
    skew = rng.normal(0.0, 0.9, (N_LAYERS, N_EXPERTS))
    bias = np.zeros((N_LAYERS, N_EXPERTS))
    counts = np.zeros((N_STEPS, N_LAYERS, N_EXPERTS), dtype=np.int32)
    for step in range(N_STEPS):
        for layer in range(N_LAYERS):
            scores = skew[layer] + rng.normal(0.0, 1.0, (TOKENS, N_EXPERTS))
            chosen = np.argpartition(-(scores + bias[layer]), TOP_K, axis=1)[:, :TOP_K]
            c = np.bincount(chosen.ravel(), minlength=N_EXPERTS)
            counts[step, layer] = c
            bias[layer] += update_rate * np.sign(c.mean() - c)
    return counts


def write(path, update_rate: float = UPDATE_RATE) -> None:
    """Write the training-progress sample to ``path`` (other update rates make a sweep of runs)."""
    counts = simulate(update_rate=update_rate)
    with new_file(path) as f:
        f.attrs["default_dataset"] = "expert_token_counts"
        f.attrs["title"] = "Aux-loss-free balancing during training (simulated)"
        step = add_scale(f, "step", list(range(0, N_STEPS * STEP_EVERY, STEP_EVERY)))
        layer = add_scale(f, "layer", list(range(1, N_LAYERS + 1)))
        expert = add_scale(f, "expert", list(range(1, N_EXPERTS + 1)))
        write_labelled(f, "expert_token_counts", counts, [step, layer, expert], {
            "kind": "expert_token_counts",
            "long_name": "Tokens routed to expert",
            "units": "tokens",
            "top_k": TOP_K,
        }, chunks=(1, N_LAYERS, N_EXPERTS))
