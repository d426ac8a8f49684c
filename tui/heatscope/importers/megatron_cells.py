"""Reading per-rank Megatron-LM JSON Lines into cells that are whole or missing.

A cell is one (step, block, pipeline stage, stage-local layer, expert part) and holds the
sum of the ranks expected to contribute to it (the data-parallel ranks of its stage and
expert part). A cell is missing, never partial, when a rank's record of it is cut off or
invalid, when an expected rank has no record of it (its file ends early or is absent), or
when a rank repeats it (tokens_per_expert: a resumed run that logged the step twice). Router
traces write one record per microbatch, so there every rank must have as many records of a
cell as the most any rank has of a cell of that step and stage. A damaged record whose
step or layer cannot be read makes every cell it may belong to missing: its step is between
the steps of the valid records around it in its file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

Key = tuple[int, str, int, int, int]  # step, block, stage, local layer, part
_BLOCK = re.compile(r'"block":\s*"([^"]*)"')


def json_problem(exc: json.JSONDecodeError, text: str) -> str:
    """One plain line for a JSON error: a record cut off, or where it is invalid."""
    body = text.rstrip("\r\n")
    if not body.lstrip().startswith("{"):
        return "not a JSON record"
    if body.rstrip().endswith("}"):
        return f"invalid JSON at character {exc.pos + 1} of {len(body)}"
    if not text.endswith("\n"):
        return f"record cut off after {len(body)} characters (the end of the file: a killed job's last write?)"
    return f"record cut off after {len(body)} characters"


def record_ids(text: str, step_key: str) -> tuple[int | None, str | None, int | None]:
    """``(step, block, layer)`` as far as a damaged record's text gives them (None: unknown;
    block ``"mtp"`` when its ``mtp_idx`` is unknown, ``""`` when it names no known block)."""
    def number(key: str) -> int | None:
        found = re.search(rf'"{key}":\s*(\d+)\s*[,}}]', text)
        return int(found.group(1)) if found else None

    block = _BLOCK.search(text)
    name = None if block is None else {"decoder": "decoder", "mtp": "mtp"}.get(block.group(1), "")
    if name == "mtp" and number("mtp_idx") is not None:
        name = f"mtp{number('mtp_idx')}"
    return number(step_key), name, number("layer")


@dataclass
class _Cell:
    counts: np.ndarray | None = None
    records: dict = field(default_factory=dict)  # rank -> records read
    why: str = ""  # why it is missing; "" when whole


class RankCells:
    """Cells summed over their contributing ranks; ``expected[(stage, part)]`` are the ranks
    that must all contribute to a cell of that stage and part."""

    def __init__(self, expected: dict[tuple[int, int], set[int]], microbatch_records: bool = False) -> None:
        self.expected = expected
        self.microbatch_records = microbatch_records
        self.cells: dict[Key, _Cell] = {}
        self._patterns: list[tuple[int, int, tuple[int, int] | None, str | None, int | None]] = []

    def merge(self, key: Key, rank: int, counts: np.ndarray, records: int = 1, repeated: bool = False) -> None:
        """Add ``records`` records of ``rank`` to the cell ``key`` (their counts summed;
        ``repeated``: the rank logged it more than once where a cell has one record a rank)."""
        cell = self.cells.setdefault(key, _Cell())
        if repeated or (rank in cell.records and not self.microbatch_records):
            cell.why = cell.why or "repeated"
            if rank in cell.records:
                return
        cell.records[rank] = cell.records.get(rank, 0) + records
        if cell.counts is None:
            cell.counts = counts.astype(np.int64)
        else:
            if cell.counts.size < counts.size:
                cell.counts = np.pad(cell.counts, (0, counts.size - cell.counts.size))
            cell.counts[:counts.size] += counts.astype(np.int64)

    def damage(self, stage: int, part: int, steps: tuple[int, int] | None, block: str | None,
               layer: int | None) -> None:
        """Mark missing the cells a damaged record may belong to (None: any)."""
        if block == "":
            return  # a block Megatron does not write: no cell of it exists
        if steps is not None and steps[0] == steps[1] and block not in (None, "mtp") and layer is not None:
            self.cells.setdefault((steps[0], block, stage, layer, part), _Cell()).why = "damaged"
        else:
            self._patterns.append((stage, part, steps, block, layer))

    def finish(self) -> tuple[dict[Key, np.ndarray | None], dict[str, int]]:
        """Every cell's counts, None where missing, and how many cells are missing by reason."""
        most: dict[tuple[int, int], int] = {}  # (step, stage) -> most records of a cell by one rank
        for (step, _, stage, _, _), cell in self.cells.items():
            most[(step, stage)] = max([most.get((step, stage), 0), *cell.records.values()])
        for key, cell in self.cells.items():
            step, block, stage, layer, part = key
            for p_stage, p_part, steps, p_block, p_layer in self._patterns:
                if (p_stage, p_part) == (stage, part) and (steps is None or steps[0] <= step <= steps[1]) \
                        and (p_block is None or p_block == block or (p_block == "mtp" and block.startswith("mtp"))) \
                        and (p_layer is None or p_layer == layer):
                    cell.why = cell.why or "damaged"
            expected = self.expected.get((stage, part), set(cell.records))
            if not cell.why and (set(cell.records) != expected or any(
                    n != most[(step, stage)] for n in cell.records.values())):
                cell.why = "incomplete"
        reasons: dict[str, int] = {}
        for cell in self.cells.values():
            if cell.why:
                reasons[cell.why] = reasons.get(cell.why, 0) + 1
        return {k: (None if c.why else c.counts) for k, c in self.cells.items()}, reasons


Parse = Callable[[str], tuple[int, str, int, np.ndarray] | None]


def _spans(numbers) -> str:
    """``0-3, 6`` for [0, 1, 2, 3, 6]."""
    numbers, parts = sorted(numbers), []
    for n in numbers:
        if parts and n == parts[-1][1] + 1:
            parts[-1][1] = n
        else:
            parts.append([n, n])
    return ", ".join(f"{a}-{b}" if b > a else f"{a}" for a, b in parts)


def describe_ranks(files: list[tuple[int, Path]], what: str, parse: Parse, local_experts: bool,
                   limit: int = 64) -> str:
    """What the first ``limit`` records of each rank say: ``4 ranks' router traces (ranks
    0-3: decoder layers 0-1)``, ranks that look alike grouped."""
    seen: dict[str, list[int]] = {}
    for rank, path in files:
        layers, widths = set(), set()
        with open(path, "rb") as fh:
            for _, raw in zip(range(limit), fh):
                try:
                    parsed = parse(raw.decode("utf-8", "replace"))
                except (ValueError, TypeError):
                    continue
                if parsed is not None and parsed[1] == "decoder":
                    layers.add(parsed[2])
                    widths.add(parsed[3].size)
        text = f"layers {_spans(layers)}" if layers else "no readable decoder record"
        if local_experts and widths:
            text += f", {_spans(widths)} local experts"
        seen.setdefault(text, []).append(rank)
    groups = [f"ranks {_spans(ranks)}: {text}" if len(ranks) > 1 else f"rank {ranks[0]}: {text}"
              for text, ranks in seen.items()]
    return f"{len(files)} ranks' {what} ({'; '.join(groups)})"
