"""Deterministic sample runs that reproduce the reference figures (see sample_runs/)."""

from __future__ import annotations

from pathlib import Path

from heatscope.samples import components, divergence, expert_load, training

SAMPLES = {
    "expert_load.h5": expert_load.write,
    "js_divergence.h5": divergence.write,
    "layer_components.h5": components.write,
    "training_balance.h5": training.write,
}


def write_samples(directory: str | Path) -> list[Path]:
    """Write every sample file into ``directory`` and return their paths."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, writer in SAMPLES.items():
        path = out / name
        writer(path)
        paths.append(path)
    return paths
