"""Megatron-LM router traces (``--moe-routing-trace-path``) aggregated to tokens per expert.

Each rank writes ``router_trace_rank{R}.jsonl`` (megatron/core/transformer/moe/router_trace.py),
one line per step, block and layer::

    {"step": 0, "stage": "pre_dispatch", "block": "decoder", "layer": 3, "rank": 0,
     "num_tokens": 128, "topk": 2, "top_indices": [[12, 45], [3, 7], ...]}

MTP layers carry ``"mtp_idx"``. The files are streamed line by line: the token list of a line
is parsed straight into an integer array (no Python object per token) and counted with
``bincount``, so memory holds the step x layer x expert result, never the trace.

``step`` is the training iteration the tracer was advanced to (``advance_step(iteration)``
in Megatron's training loop; tokens_per_expert logs of the same run say ``iter`` =
iteration + 1). What the trace does not say is taken from the layout (megatron_layout.py)
and printed and stored as attributes: every rank of a pipeline stage routes different tokens
(data, context and sequence-parallel shards; expert-parallel ranks route before the
dispatch), so their counts are summed; ``layer`` is parsed from the router's module name
``decoder.layers.N`` and is local to the rank's pipeline stage, so earlier stages' layer
counts are added to get the global layer. Expert indices are global.
"""

from __future__ import annotations

import json
import re
import warnings
from functools import partial
from pathlib import Path

import numpy as np

from heatscope.errors import HeatscopeError
from heatscope.importers.arrays_file import ImportedArray
from heatscope.importers.megatron import block_name, missing_note, saved_layout, stage_arrays
from heatscope.importers.megatron_cells import RankCells, describe_ranks
from heatscope.importers.megatron_layout import ORDERS, SIZES, resolve_layout
from heatscope.importers.megatron_spans import read_rank_files
from heatscope.importers.output import ImportReport

TRACE_FILE = re.compile(r"router_trace_rank(\d+)\.jsonl$")
_INDICES_KEY = '"top_indices"'
_NUMBERS = re.compile(r"[\d\s,\[\]-]*")
_BRACKETS = str.maketrans("[]", "  ")
MAX_EXPERTS = 1 << 20  # without --num-experts, a higher index is taken for damage, not an expert


def _parse_numbers(text: str) -> np.ndarray:
    if not text.strip():
        return np.zeros(0, np.int64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy warns (and stops) where the text is not a number list
        try:
            return np.fromstring(text, dtype=np.int64, sep=",")
        except (DeprecationWarning, ValueError) as exc:
            raise ValueError("'top_indices' is not a list of lists of integers") from exc


def trace_files(directory: Path) -> list[tuple[int, Path]]:
    """``(rank, path)`` of every router trace file in ``directory``, by rank."""
    found = []
    for path in directory.glob("router_trace_rank*.jsonl"):
        match = TRACE_FILE.search(path.name)
        if match and path.is_file():
            found.append((int(match.group(1)), path))
    return sorted(found)


def _indices(line: str) -> tuple[dict, np.ndarray]:
    """The line's fields without ``top_indices``, and ``top_indices`` flattened to int64.
    The token lists are parsed by numpy; anything unexpected falls back to ``json``."""
    start = line.find(_INDICES_KEY)
    if start >= 0:
        open_at = line.find("[", start)
        close_at = line.find("]]", open_at)
        if line.startswith("[]", open_at):
            close_at = open_at
        if open_at >= 0 and close_at >= 0 and not line[start + len(_INDICES_KEY):open_at].strip(" :"):
            body = line[open_at:close_at + 2]
            if _NUMBERS.fullmatch(body):
                record = json.loads(line[:open_at] + "null" + line[close_at + 2:])
                if isinstance(record, dict):
                    values = _parse_numbers(body.translate(_BRACKETS))
                    record["_rows"] = body.count("[") - 1
                    return record, values
    record = json.loads(line)
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    top = record.get("top_indices")
    if not isinstance(top, list) or not all(isinstance(row, list) for row in top):
        raise ValueError("'top_indices' must be a list of lists of expert indices")
    record["_rows"] = len(top)
    values = np.asarray([v for row in top for v in row])
    if values.size and values.dtype.kind not in "iu":
        raise ValueError("'top_indices' must hold integers")
    return record, values.astype(np.int64)


def _check(record: dict, values: np.ndarray, num_experts: int | None) -> tuple[int, str, int]:
    step, layer = record.get("step"), record.get("layer")
    if type(step) is not int or type(layer) is not int or step < 0 or layer < 0:
        raise ValueError("'step' and 'layer' must be non-negative integers")
    block = block_name(record)
    tokens, topk = record.get("num_tokens"), record.get("topk")
    if type(tokens) is int and type(topk) is int:
        if record["_rows"] != tokens or values.size != tokens * topk:
            raise ValueError(f"'top_indices' holds {values.size} indices in {record['_rows']} rows, "
                             f"expected num_tokens={tokens} x topk={topk}")
    if values.size and values.min() < 0:
        raise ValueError("negative expert index")
    if values.size and values.max() >= (num_experts or MAX_EXPERTS):
        raise ValueError(f"expert index {int(values.max())} >= " + (
            f"--num-experts {num_experts}" if num_experts else f"{MAX_EXPERTS} (pass --num-experts)"))
    return step, block, layer


def trace_parse(num_experts: int | None):
    """The parser of a line: its ``(step, block, layer, tokens per expert)``, None for records
    of other stages than the routing itself (counted in the dict returned beside it)."""
    other_stages: dict[str, int] = {}

    def parse(text: str):
        record, values = _indices(text)
        if record.get("stage", "pre_dispatch") != "pre_dispatch":
            name = str(record.get("stage"))[:40]
            other_stages[name] = other_stages.get(name, 0) + 1
            return None
        step, block, layer = _check(record, values, num_experts)
        return step, block, layer, np.bincount(values, minlength=0)
    return parse, other_stages


def read_traces(directory: Path, report: ImportReport, *, sizes: dict[str, int | None] | None = None,
                order: str = ORDERS[0], num_experts: int | None = None, step_offset: int = 0, engine=None):
    """Cells ``{(step, block, stage, local layer, 0): tokens per expert or None}`` summed over
    the ranks of each stage, and the layout; on ``engine``'s cluster when it has one."""
    files = trace_files(directory)
    if not files:
        raise HeatscopeError("no router_trace_rank*.jsonl files", str(directory))
    sizes = sizes or dict.fromkeys(SIZES)

    def seen():
        return describe_ranks(files, "router traces", trace_parse(num_experts)[0], local_experts=False)

    needed = {"pp"} if order == ORDERS[0] else {"tp", "ep", "pp"}
    layout, assumed = resolve_layout([r for r, _ in files], sizes, needed, order, seen, saved_layout(directory))
    expected: dict[tuple[int, int], set[int]] = {}
    for rank in range(layout.world):
        expected.setdefault((layout.coords(rank)[3], 0), set()).add(rank)
    absent = sorted(set(range(layout.world)) - {r for r, _ in files})
    if absent:
        report.notes.append(f"no trace file of ranks {absent[:10]}{'...' if len(absent) > 10 else ''}: "
                            "the cells of their stages are missing")
    cells = RankCells(expected, microbatch_records=True)
    other_stages = read_rank_files(files, "reading router traces", report, cells, partial(trace_parse, num_experts),
                                   lambda r: (layout.coords(r)[3], 0), "step", step_offset, engine)
    values, reasons = cells.finish()
    for name, n in other_stages.items():
        report.assumptions.append(f"{n} records of stage {name!r} not counted (only 'pre_dispatch' routing)")
    if all(v is None for v in values.values()):
        raise HeatscopeError("no valid router trace lines", str(directory))
    report.assumptions.append(layout.text())
    report.assumptions.extend(assumed)
    report.assumptions.append("step is the training iteration (advance_step(iteration)); tokens_per_expert logs of "
                              "the same run number it one more" + (f"; plus --step-offset {step_offset}"
                                                                    if step_offset else ""))
    report.assumptions.append("every rank of a pipeline stage routes different tokens (data/context/sequence-parallel "
                              "shards): their counts are summed")
    n_experts = num_experts or max(c.size for c in values.values() if c is not None)
    missing_note(report, reasons, values, n_experts, "step x layer")
    return values, layout


def trace_arrays(values, layout, report: ImportReport, num_experts: int | None) -> list[ImportedArray]:
    """``expert_token_counts`` (step x layer x expert) and, for MTP, ``mtp_expert_token_counts``."""
    n_experts = num_experts or max(c.size for c in values.values() if c is not None)
    if num_experts is None:
        report.assumptions.append(f"{n_experts} experts (the highest routed index + 1; pass --num-experts "
                                  "if higher experts never received a token)")
    return stage_arrays(values, n_experts, n_experts, report, layout.pp)
