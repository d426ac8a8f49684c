"""Import Megatron-LM's tokens-per-expert JSON Lines into an ``expert_token_counts`` file.

Each rank appends lines to ``<save_dir>/tokens_per_expert/rank<r>.jsonl``::

    {"iter": 100, "block": "decoder", "layer": 3, "tpe": [[128, 64], [96, 80]]}
    {"iter": 100, "block": "mtp", "mtp_idx": 0, "layer": 1, "tpe": [[50, 50]]}

``tpe`` is microbatches x the rank's local experts. Expert parallelism splits the experts
across ranks, so rank ``r`` is taken to hold experts ``ep_rank * L .. (ep_rank + 1) * L - 1``
with ``ep_rank = (r // tp_size) % ep_size`` (Megatron's default order, tensor parallelism
innermost) and ``L`` its local expert count; counts of ranks holding the same experts
(data-parallel replicas) and of all microbatches are summed. Layers are Megatron's global
layer numbers. These assumptions are printed and stored as file attributes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from heatscope.errors import HeatscopeError
from heatscope.samples.writing import add_scale, new_file, write_labelled

RANK_FILE = re.compile(r"rank(\d+)\.jsonl$")
MISSING = -1


@dataclass
class ImportReport:
    files: int = 0
    lines: int = 0
    skipped: list[str] = field(default_factory=list)  # "file:line: reason"
    steps: int = 0
    layers: int = 0
    experts: int = 0
    mtp_layers: int = 0
    assumptions: list[str] = field(default_factory=list)


def rank_files(directory: Path) -> list[tuple[int, Path]]:
    """``(rank, path)`` of every ``rank<r>.jsonl`` in ``directory/tokens_per_expert`` or ``directory``."""
    base = directory / "tokens_per_expert" if (directory / "tokens_per_expert").is_dir() else directory
    found = []
    for path in sorted(base.glob("rank*.jsonl")):
        match = RANK_FILE.search(path.name)
        if match:
            found.append((int(match.group(1)), path))
    if not found:
        raise HeatscopeError("no tokens_per_expert/rank*.jsonl files", str(directory))
    return sorted(found)


def _parse(line: str) -> tuple[int, str, int, np.ndarray]:
    record = json.loads(line)
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    step, layer, block = record.get("iter"), record.get("layer"), record.get("block", "decoder")
    if not isinstance(step, int) or not isinstance(layer, int):
        raise ValueError("'iter' and 'layer' must be integers")
    if block == "mtp":
        mtp = record.get("mtp_idx")
        if not isinstance(mtp, int):
            raise ValueError("an mtp block needs an integer 'mtp_idx'")
        block = f"mtp{mtp}"
    elif block != "decoder":
        raise ValueError(f"unknown block {block!r}")
    tpe = np.asarray(record.get("tpe"), dtype=np.float64)
    if tpe.ndim == 1:
        tpe = tpe[np.newaxis, :]
    if tpe.ndim != 2 or tpe.shape[1] == 0 or not np.isfinite(tpe).all() or (tpe < 0).any():
        raise ValueError("'tpe' must be a list of microbatches of non-negative counts")
    return step, block, layer, tpe.sum(axis=0)


def read_counts(directory: Path, ep_size: int = 1, tp_size: int = 1):
    """Summed counts ``{(step, block, layer): counts over all experts}`` and a report."""
    if ep_size < 1 or tp_size < 1:
        raise HeatscopeError("--ep-size and --tp-size must be at least 1")
    report = ImportReport()
    local_sizes: dict[int, int] = {}
    totals: dict[tuple[int, str, int], np.ndarray] = {}
    for rank, path in rank_files(directory):
        report.files += 1
        ep_rank = (rank // tp_size) % ep_size
        with open(path, encoding="utf-8", errors="replace") as fh:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                report.lines += 1
                try:
                    step, block, layer, local = _parse(line)
                except (ValueError, TypeError) as exc:
                    report.skipped.append(f"{path}:{number}: {str(exc).splitlines()[0][:120]}")
                    continue
                size = local_sizes.setdefault(rank, local.size)
                if local.size != size:
                    report.skipped.append(f"{path}:{number}: {local.size} local experts, earlier lines had {size}")
                    continue
                key = (step, block, layer)
                full = totals.setdefault(key, np.zeros(size * ep_size))
                if full.size != size * ep_size:
                    report.skipped.append(f"{path}:{number}: rank {rank} holds {size} experts, others differ")
                    continue
                full[ep_rank * size:(ep_rank + 1) * size] += local
    if not totals:
        raise HeatscopeError("no valid tokens-per-expert lines", str(directory))
    report.assumptions.append(
        f"expert-parallel size {ep_size}, tensor-parallel size {tp_size}: rank r holds experts "
        f"ep_rank*L..(ep_rank+1)*L-1 with ep_rank = (r // {tp_size}) % {ep_size}; replicas are summed"
    )
    return totals, report


def _cube(totals, steps, layers, block_of, n_experts) -> np.ndarray:
    cube = np.full((len(steps), len(layers), n_experts), MISSING, dtype=np.int64)
    step_index = {s: i for i, s in enumerate(steps)}
    layer_index = {key: i for i, key in enumerate(layers)}
    for (step, block, layer), counts in totals.items():
        key = (block, layer)
        if block_of(block) and key in layer_index:
            cube[step_index[step], layer_index[key]] = np.round(counts).astype(np.int64)
    return cube


def import_megatron(directory: Path, output: Path, ep_size: int = 1, tp_size: int = 1) -> ImportReport:
    """Write ``output`` with ``expert_token_counts`` (step x layer x expert) and, when MTP
    blocks were logged, ``mtp_expert_token_counts``; missing entries are stored as -1."""
    totals, report = read_counts(directory, ep_size, tp_size)
    n_experts = max(c.size for c in totals.values())
    steps = sorted({k[0] for k in totals})
    decoder = sorted({(k[1], k[2]) for k in totals if k[1] == "decoder"}, key=lambda x: x[1])
    mtp = sorted({(k[1], k[2]) for k in totals if k[1] != "decoder"})
    report.steps, report.layers, report.experts, report.mtp_layers = len(steps), len(decoder), n_experts, len(mtp)
    attrs = {"kind": "expert_token_counts", "long_name": "Tokens routed to expert", "units": "tokens",
             "_FillValue": np.int64(MISSING)}
    with new_file(output) as f:
        f.attrs["source"] = f"Megatron-LM tokens_per_expert JSON Lines from {directory}"
        f.attrs["assumptions"] = "; ".join(report.assumptions)
        f.attrs["default_dataset"] = "expert_token_counts"
        step_scale = add_scale(f, "step", steps)
        expert_scale = add_scale(f, "expert", list(range(n_experts)))
        if decoder:
            layer_scale = add_scale(f, "layer", [layer for _, layer in decoder])
            cube = _cube(totals, steps, decoder, lambda b: b == "decoder", n_experts)
            write_labelled(f, "expert_token_counts", cube, [step_scale, layer_scale, expert_scale], attrs,
                           chunks=(1, len(decoder), n_experts))
        if mtp:
            mtp_scale = add_scale(f, "mtp_layer", [f"{block} layer {layer}" for block, layer in mtp])
            cube = _cube(totals, steps, mtp, lambda b: b != "decoder", n_experts)
            write_labelled(f, "mtp_expert_token_counts", cube, [step_scale, mtp_scale, expert_scale], attrs,
                           chunks=(1, len(mtp), n_experts))
    return report
