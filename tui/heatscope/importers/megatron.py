"""Import Megatron-LM's tokens-per-expert JSON Lines into an ``expert_token_counts`` file.

Each rank appends lines to ``<save_dir>/tokens_per_expert/rank<r>.jsonl``
(megatron/training/activation_logging.py, ``save_tpe(iteration + 1)``)::

    {"iter": 100, "block": "decoder", "layer": 3, "tpe": [[128, 64], [96, 80]]}
    {"iter": 100, "block": "mtp", "mtp_idx": 0, "layer": 1, "tpe": [[50, 50]]}

``iter`` is the training iteration + 1 (the router traces of the same forward pass say
``step`` = the iteration: one less). ``tpe`` is microbatches x the rank's *local* experts (the
experts' ``linear_fc1`` input: tokens dispatched to them from the whole expert-parallel
group), and ``layer`` the index in the rank's own pipeline stage (``decoder.layers.N``). With
the layout (megatron_layout.py), rank r's experts are ``ep_rank * L .. (ep_rank + 1) * L - 1``,
its layers follow the layers of the earlier stages, counts of data-parallel ranks (different
tokens) and of all microbatches are summed, and expert-tensor-parallel ranks other than 0
(the same tokens again) are not read. These assumptions are printed and stored.
"""

from __future__ import annotations

import json
import re
from functools import partial
from pathlib import Path

import numpy as np

from heatscope.errors import HeatscopeError
from heatscope.importers.arrays_file import MISSING, ImportedArray, counts_attrs
from heatscope.importers.megatron_cells import RankCells, describe_ranks
from heatscope.importers.megatron_layout import ORDERS, SIZES, checkpoint_sizes, resolve_layout
from heatscope.importers.megatron_spans import read_rank_files
from heatscope.importers.output import ImportReport

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


def _parse(line: str) -> tuple[int, str, int, np.ndarray]:
    record = json.loads(line)
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    step, layer = record.get("iter"), record.get("layer")
    if type(step) is not int or type(layer) is not int or step < 0 or layer < 0:
        raise ValueError("'iter' and 'layer' must be non-negative integers")
    block = block_name(record)
    try:
        tpe = np.asarray(record.get("tpe"), dtype=np.float64)
    except (ValueError, TypeError):
        raise ValueError("'tpe' must be a list of microbatches of counts") from None
    if tpe.ndim == 1:
        tpe = tpe[np.newaxis, :]
    if tpe.ndim != 2 or tpe.shape[1] == 0 or not np.isfinite(tpe).all() or (tpe < 0).any() \
            or (tpe != np.round(tpe)).any():
        raise ValueError("'tpe' must be a list of microbatches of non-negative integer counts")
    return step, block, layer, tpe.sum(axis=0).astype(np.int64)


def saved_layout(directory: Path):
    """tp/ep/pp sizes from Megatron's checkpoint directories in ``directory`` or its parent
    (Megatron's ``--save`` directory holds both the checkpoints and tokens_per_expert/), or None."""
    for base in (directory, directory.parent):
        found = checkpoint_sizes(base)
        if found is not None:
            return found
    return None


def width_parse(width: int):
    """The parser of a line, refusing a record whose number of local experts is not ``width``
    (the first valid record's)."""
    def checked(text: str):
        step, block, layer, counts = _parse(text)
        if counts.size != width:
            raise ValueError(f"{counts.size} local experts, other records have {width}")
        return step, block, layer, counts
    return checked, {}


def _first_width(files: list[tuple[int, Path]], place) -> int | None:
    """The number of local experts of the first valid record of the files read."""
    for rank, path in files:
        if place(rank) is None:
            continue
        with open(path, "rb") as fh:
            for raw in fh:
                try:
                    return _parse(raw.decode("utf-8", "replace"))[3].size
                except (ValueError, TypeError):
                    continue
    return None


def read_counts(directory: Path, report: ImportReport, sizes: dict[str, int | None], order: str = ORDERS[0],
                step_offset: int = 0, engine=None):
    """Cells ``{(step, block, stage, local layer, ep_rank): counts or None}`` and the number
    of local experts, after the layout is settled (or refused); on ``engine``'s cluster when
    it has one."""
    files = rank_files(directory)

    def seen():
        return describe_ranks(files, "tokens_per_expert logs", _parse, local_experts=True)

    layout, assumed = resolve_layout([r for r, _ in files], sizes, set(SIZES), order, seen,
                                     saved_layout(tpe_directory(directory) or directory))
    expected: dict[tuple[int, int], set[int]] = {}
    for rank in range(layout.world):
        tp, ep, _, pp = layout.coords(rank)
        if tp == 0:
            expected.setdefault((pp, ep), set()).add(rank)

    def place(rank):
        tp, ep, _, pp = layout.coords(rank)
        return None if tp else (pp, ep)

    cells = RankCells(expected)
    width = _first_width(files, place)
    if width is not None:
        read_rank_files(files, "reading tokens_per_expert", report, cells, partial(width_parse, width), place, "iter",
                        step_offset, engine)
    values, reasons = cells.finish()
    if width is None or all(v is None for v in values.values()):
        raise HeatscopeError("no valid tokens-per-expert lines", str(directory))
    report.assumptions.append(layout.text())
    report.assumptions.extend(assumed)
    report.assumptions.append(
        f"rank r holds experts ep_rank*{width}..(ep_rank+1)*{width}-1 (its local experts); counts of the "
        f"{layout.dp} data-parallel ranks and of all microbatches are summed"
        + (f"; expert-tensor-parallel ranks 1..{layout.tp - 1} hold the same counts and are not read"
           if layout.tp > 1 else ""))
    report.assumptions.append("step is Megatron's 'iter' = training iteration + 1 (router traces of the same run "
                              "number it one less)" + (f", plus --step-offset {step_offset}" if step_offset else ""))
    missing_note(report, reasons, values, width, "step x layer x expert-parallel block" if layout.ep > 1
                 else "step x layer")
    return values, width, layout


def missing_note(report: ImportReport, reasons: dict[str, int], values, width: int, unit: str) -> None:
    """The summary line of the cells (``unit``: what one is) marked missing, by reason."""
    if not reasons:
        return
    why = {"damaged": "a cut-off or invalid record", "incomplete": "not every rank that routes them has a record",
           "repeated": "a rank logged them twice (a resumed run?)"}
    total = sum(reasons.values())
    report.notes.append(f"{total} of {len(values)} {unit} cells ({total * width:,} of {len(values) * width:,} "
                        "counts) marked missing: "
                        + "; ".join(f"{n} {why[r]}" for r, n in sorted(reasons.items())))


def stage_arrays(values, part_width: int, n_experts: int, report: ImportReport, pp_size: int) -> list[ImportedArray]:
    """``expert_token_counts`` (step x global layer x expert) and, when MTP blocks were
    logged, ``mtp_expert_token_counts``, from cells keyed by stage-local layer and expert
    part; missing cells are -1 (the file's _FillValue)."""
    stage_layers: dict[str, dict[int, int]] = {}
    for _, block, stage, layer, _ in values:
        seen = stage_layers.setdefault(block, {})
        seen[stage] = max(seen.get(stage, 0), layer + 1)
    # decoder, mtp0, mtp1...: the order cells were read in (one process or many) does not show
    stage_layers = dict(sorted(stage_layers.items(), key=lambda item: (item[0] != "decoder", len(item[0]), item[0])))
    offsets = {(block, s): sum(n for t, n in seen.items() if t < s) for block, seen in stage_layers.items()
               for s in seen}
    if pp_size > 1:
        report.assumptions.append(
            "layer numbers are global: each stage's local layers follow the layers reported by earlier stages ("
            + ", ".join(f"{b} stage {s}: {n}" for b, seen in stage_layers.items() for s, n in sorted(seen.items()))
            + "; dense layers at the end of a stage are not reported and would shift later stages)")
    else:
        report.assumptions.append("layer numbers are Megatron's decoder.layers.N (0-based; one pipeline stage)")
    steps = sorted({k[0] for k in values})
    step_index = {s: i for i, s in enumerate(steps)}
    arrays = []
    for name, axis, is_block in (("expert_token_counts", "layer", lambda b: b == "decoder"),
                                 ("mtp_expert_token_counts", "mtp_layer", lambda b: b != "decoder")):
        layers = sorted({(k[1], offsets[(k[1], k[2])] + k[3]) for k in values if is_block(k[1])})
        if not layers:
            continue
        index = {key: i for i, key in enumerate(layers)}
        cube = np.full((len(steps), len(layers), n_experts), MISSING, dtype=np.int64)
        for (step, block, stage, layer, part), counts in values.items():
            if is_block(block) and counts is not None:
                row = cube[step_index[step], index[(block, offsets[(block, stage)] + layer)]]
                row[part * part_width:(part + 1) * part_width] = 0
                row[part * part_width:part * part_width + counts.size] = counts
        labels = [layer for _, layer in layers] if axis == "layer" else [f"{b} layer {n}" for b, n in layers]
        arrays.append(ImportedArray(name, cube, [("step", steps), (axis, labels), ("expert", range(n_experts))],
                                    counts_attrs()))
    return arrays
