"""Sample 2: average Jensen-Shannon divergence per (position, layer) (seed 003).

Rows Subj./Attn./Last. x 32 layers on a 0.1-0.6 Blues scale. The subject position is high
(~0.55) through layer 17 and drops to ~0.1 by layer 22; attention stays near 0.1 with a
slight rise at layers 14-17; the last position climbs from layer 8 and settles at 0.3-0.35
from layer 15. Per-prompt values (48 prompts) are stored too; the average is their mean.
"""

from __future__ import annotations

import numpy as np

from heatscope.samples.writing import add_scale, new_file, write_labelled

POSITIONS = ["Subj.", "Attn.", "Last."]
N_LAYERS, N_PROMPTS = 32, 48


def design() -> np.ndarray:
    """The intended average divergence, positions x layers."""
    layers = np.arange(N_LAYERS)
    subj = np.where(layers <= 17, 0.55 + 0.04 * np.sin(layers / 2.5), 0.1)
    subj[18:22] = [0.40, 0.30, 0.25, 0.20]
    subj[22:] = 0.10 + 0.02 * np.cos(layers[22:])
    attn = np.full(N_LAYERS, 0.10) + 0.008 * np.sin(layers)
    attn[14:18] = [0.15, 0.18, 0.19, 0.16]
    last = np.full(N_LAYERS, 0.10)
    last[8:15] = np.linspace(0.13, 0.28, 7)
    last[15:] = 0.31 + 0.04 * (layers[15:] - 15) / 16
    return np.stack([subj, attn, last])


def write(path, seed: int = 3) -> None:
    """Write the JS-divergence sample to ``path``."""
    rng = np.random.default_rng(seed)
    per_prompt = np.clip(design() + rng.normal(0.0, 0.04, (N_PROMPTS, 3, N_LAYERS)), 0.0, np.log(2))
    per_prompt = per_prompt.astype(np.float32)
    average = per_prompt.mean(axis=0, dtype=np.float64).astype(np.float32)
    with new_file(path) as f:
        f.attrs["default_dataset"] = "js_divergence"
        f.attrs["title"] = "Average JS divergence across layers (factual recall positions)"
        position = add_scale(f, "position", POSITIONS)
        layer = add_scale(f, "layer", list(range(N_LAYERS)))
        prompt = add_scale(f, "prompt", list(range(N_PROMPTS)))
        write_labelled(f, "js_divergence", average, [position, layer], {
            "kind": "divergence",
            "long_name": "Avg JS Divergence",
            "units": "nats",
            "valid_range": np.array([0.1, 0.6], dtype=np.float32),
        })
        write_labelled(f, "js_divergence_per_prompt", per_prompt, [prompt, position, layer], {
            "kind": "divergence",
            "long_name": "JS Divergence",
            "units": "nats",
            "valid_range": np.array([0.0, 0.7], dtype=np.float32),
        })
