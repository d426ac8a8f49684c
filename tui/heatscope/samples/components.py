"""Sample 3: a 28 layer x 7 component matrix on a diverging scale (seed 004).

Values ~0.11-0.17 centered at 0.14 (blue-white-orange). attn.q rises with depth, mlp.gate
rises from a low start, attn.k peaks at layers 15-21, attn.v is high at layers 0-3 and low
in 6-18, attn.o is high at 0-3 and 15-18, mlp.up/mlp.down stay near 0.14.
"""

from __future__ import annotations

import numpy as np

from heatscope.samples.writing import add_scale, new_file, write_labelled

COMPONENTS = ["attn.q", "attn.k", "attn.v", "attn.o", "mlp.up", "mlp.down", "mlp.gate"]
N_LAYERS = 28


def design() -> np.ndarray:
    """The intended values, layers x components."""
    L = np.arange(N_LAYERS)
    q = 0.115 + 0.025 * L / (N_LAYERS - 1)
    k = np.full(N_LAYERS, 0.13)
    k[3:7] = 0.12
    k[10:15] = np.linspace(0.135, 0.155, 5)
    k[15:22] = 0.164
    k[22:24] = 0.15
    k[24:] = 0.14
    v = np.full(N_LAYERS, 0.122)
    v[:4] = 0.163
    v[4:6] = 0.14
    v[19:24] = 0.135
    v[24:] = [0.152, 0.133, 0.151, 0.134]
    o = np.full(N_LAYERS, 0.142)
    o[:4] = 0.161
    o[4:6] = 0.146
    o[6:13] = 0.134
    o[13:15] = 0.148
    o[15:19] = 0.162
    up = np.where(L < 15, 0.139, 0.1445)
    down = np.full(N_LAYERS, 0.1425)
    gate = np.full(N_LAYERS, 0.14)
    gate[:7] = 0.119
    gate[7:22] = np.linspace(0.122, 0.14, 15)
    return np.stack([q, k, v, o, up, down, gate], axis=1)


def write(path, seed: int = 4) -> None:
    """Write the layer x component sample to ``path``."""
    rng = np.random.default_rng(seed)
    values = (design() + rng.normal(0.0, 0.0015, (N_LAYERS, len(COMPONENTS)))).astype(np.float32)
    with new_file(path) as f:
        f.attrs["default_dataset"] = "component_score"
        f.attrs["title"] = "Per-layer, per-component score"
        layer = add_scale(f, "layer", list(range(N_LAYERS)))
        component = add_scale(f, "component", COMPONENTS)
        write_labelled(f, "component_score", values, [layer, component], {
            "kind": "generic",
            "long_name": "Score",
            "valid_range": np.array([0.11, 0.17], dtype=np.float32),
            "center": np.float32(0.14),
        })
