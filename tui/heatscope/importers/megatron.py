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
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from heatscope.errors import HeatscopeError
from heatscope.importers.arrays_file import MISSING, ImportedArray, counts_attrs
from heatscope.importers.output import ImportReport, Progress

RANK_FILE = re.compile(r"rank(\d+)\.jsonl$")


def tpe_directory(directory: Path) -> Path | None:
    """Where the ``rank<r>.jsonl`` files are: ``directory/tokens_per_expert`` or ``directory``."""
    for base in (directory / "tokens_per_expert", directory):
        if base.is_dir() and any(RANK_FILE.fullmatch(p.name) for p in base.glob("rank*.jsonl")):
            return base
    return None


def rank_files(directory: Path) -> list[tuple[int, Path]]:
    """``(rank, path)`` of every ``rank<r>.jsonl`` in ``directory/tokens_per_expert`` or ``directory``."""
    base = tpe_directory(directory)
    if base is None:
        raise HeatscopeError("no tokens_per_expert/rank*.jsonl files", str(directory))
    found = [(int(RANK_FILE.fullmatch(p.name).group(1)), p) for p in base.glob("rank*.jsonl")
             if RANK_FILE.fullmatch(p.name)]
    return sorted(found)


def block_name(record: dict) -> str:
    """``"decoder"``, or ``"mtp<k>"`` for a multi-token-prediction record (Megatron's logs
    and router traces mark blocks alike); ValueError for anything else."""
    block = record.get("block", "decoder")
    if block == "mtp":
        mtp = record.get("mtp_idx")
        if type(mtp) is not int:
            raise ValueError("an mtp record needs an integer 'mtp_idx'")
        return f"mtp{mtp}"
    if block != "decoder":
        raise ValueError(f"unknown block {str(block)[:40]!r}")
    return block


def rank_lines(files: list[tuple[int, Path]], label: str, report: ImportReport) -> Iterator[tuple[int, Path, int, bytes]]:
    """Every non-blank line of the per-rank JSON Lines ``files`` as ``(rank, path, line
    number, raw bytes)``, read one line at a time behind a progress bar, counted in ``report``."""
    with Progress(label, sum(path.stat().st_size for _, path in files)) as progress:
        for rank, path in files:
            report.files += 1
            with open(path, "rb") as fh:
                for number, raw in enumerate(fh, start=1):
                    progress.advance(len(raw))
                    if raw.strip():
                        report.lines += 1
                        yield rank, path, number, raw


def _parse(line: str) -> tuple[int, str, int, np.ndarray]:
    record = json.loads(line)
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    step, layer = record.get("iter"), record.get("layer")
    if type(step) is not int or type(layer) is not int:
        raise ValueError("'iter' and 'layer' must be integers")
    block = block_name(record)
    try:
        tpe = np.asarray(record.get("tpe"), dtype=np.float64)
    except (ValueError, TypeError):
        raise ValueError("'tpe' must be a list of microbatches of counts") from None
    if tpe.ndim == 1:
        tpe = tpe[np.newaxis, :]
    if tpe.ndim != 2 or tpe.shape[1] == 0 or not np.isfinite(tpe).all() or (tpe < 0).any():
        raise ValueError("'tpe' must be a list of microbatches of non-negative counts")
    return step, block, layer, tpe.sum(axis=0)


def read_counts(directory: Path, report: ImportReport, ep_size: int = 1, tp_size: int = 1):
    """Summed counts ``{(step, block, layer): counts over all experts}``."""
    if ep_size < 1 or tp_size < 1:
        raise HeatscopeError("--ep-size and --tp-size must be at least 1")
    files = rank_files(directory)
    local_sizes: dict[int, int] = {}
    totals: dict[tuple[int, str, int], np.ndarray] = {}
    for rank, path, number, raw in rank_lines(files, "reading tokens_per_expert", report):
        try:
            step, block, layer, local = _parse(raw.decode("utf-8", "replace"))
        except (ValueError, TypeError) as exc:
            report.skip(f"{path}:{number}", str(exc))
            continue
        size = local_sizes.setdefault(rank, local.size)
        if local.size != size:
            report.skip(f"{path}:{number}", f"{local.size} local experts, earlier lines had {size}")
            continue
        full = totals.setdefault((step, block, layer), np.zeros(size * ep_size))
        if full.size != size * ep_size:
            report.skip(f"{path}:{number}", f"rank {rank} holds {size} experts, others differ")
            continue
        ep_rank = (rank // tp_size) % ep_size
        full[ep_rank * size:(ep_rank + 1) * size] += local
    if not totals:
        raise HeatscopeError("no valid tokens-per-expert lines", str(directory))
    report.assumptions.append(
        f"expert-parallel size {ep_size}, tensor-parallel size {tp_size}: rank r holds experts "
        f"ep_rank*L..(ep_rank+1)*L-1 with ep_rank = (r // {tp_size}) % {ep_size}; replicas are summed"
    )
    return totals


def tpe_arrays(totals, report: ImportReport) -> list[ImportedArray]:
    """``expert_token_counts`` (step x layer x expert) and, when MTP blocks were logged,
    ``mtp_expert_token_counts``; missing entries are -1."""
    n_experts = max(c.size for c in totals.values())
    steps = sorted({k[0] for k in totals})
    step_index = {s: i for i, s in enumerate(steps)}
    arrays = []
    for name, axis, is_block in (("expert_token_counts", "layer", lambda b: b == "decoder"),
                                 ("mtp_expert_token_counts", "mtp_layer", lambda b: b != "decoder")):
        layers = sorted({(k[1], k[2]) for k in totals if is_block(k[1])}, key=lambda x: (x[0], x[1]))
        if not layers:
            continue
        index = {key: i for i, key in enumerate(layers)}
        cube = np.full((len(steps), len(layers), n_experts), MISSING, dtype=np.int64)
        for (step, block, layer), counts in totals.items():
            if is_block(block):
                cube[step_index[step], index[(block, layer)], :counts.size] = np.round(counts).astype(np.int64)
        labels = [layer for _, layer in layers] if axis == "layer" else [f"{b} layer {n}" for b, n in layers]
        arrays.append(ImportedArray(name, cube, [("step", steps), (axis, labels), ("expert", range(n_experts))],
                                    counts_attrs()))
    return arrays
