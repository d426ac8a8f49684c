"""Megatron-LM router traces (``--moe-routing-trace-path``) aggregated to tokens per expert.

Each rank writes ``router_trace_rank{R}.jsonl`` (megatron/core/transformer/moe/router_trace.py),
one line per step, block and layer::

    {"step": 0, "stage": "pre_dispatch", "block": "decoder", "layer": 3, "rank": 0,
     "num_tokens": 128, "topk": 2, "top_indices": [[12, 45], [3, 7], ...]}

MTP layers carry ``"mtp_idx"``. The files are streamed line by line: the token list of a line
is parsed straight into an integer array (no Python object per token) and counted with
``bincount``, so memory holds the step x layer x expert result, never the trace.

What the trace does not say, and is therefore assumed (printed and stored as attributes):
``step`` is the tracer's own counter (0 at the first traced iteration), so ``--step-offset``
adds the iteration tracing began at; every rank routes different tokens (data, context and
sequence-parallel shards), so counts of all ranks are summed; ``layer`` is parsed from the
router's module name ``decoder.layers.N`` and is local to a pipeline stage, so with
``--pp-size P`` the rank's stage is ``rank // (ranks / P)`` (pipeline parallelism outermost,
Megatron's default order) and earlier stages' layer counts are added to get the global layer.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import numpy as np

from heatscope.errors import HeatscopeError
from heatscope.importers.arrays_file import MISSING, ImportedArray, counts_attrs
from heatscope.importers.megatron import block_name, rank_lines
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


def read_traces(directory: Path, report: ImportReport, *, pp_size: int = 1, num_experts: int | None = None,
                step_offset: int = 0) -> dict[tuple[int, str, int], np.ndarray]:
    """Counts ``{(step, block, global layer): tokens per expert}`` summed over ranks."""
    files = trace_files(directory)
    if not files:
        raise HeatscopeError("no router_trace_rank*.jsonl files", str(directory))
    ranks = [rank for rank, _ in files]
    world = max(ranks) + 1
    if pp_size < 1 or world % pp_size:
        raise HeatscopeError(f"--pp-size {pp_size} does not divide the {world} ranks", str(directory))
    per_stage = world // pp_size
    if len(ranks) != world:
        report.assumptions.append(f"trace files of ranks {sorted(set(range(world)) - set(ranks))[:10]} are missing: "
                                  "their tokens are not counted")
    counts: dict[tuple[int, str, int, int], np.ndarray] = {}  # (step, block, stage, local layer)
    stages: dict[str, dict[int, int]] = {}  # block -> stage -> local layers seen
    other_stages: dict[str, int] = {}
    for rank, path, number, raw in rank_lines(files, "reading router traces", report):
        try:
            record, values = _indices(raw.decode("utf-8"))
            if record.get("stage", "pre_dispatch") != "pre_dispatch":
                name = str(record.get("stage"))[:40]
                other_stages[name] = other_stages.get(name, 0) + 1
                continue
            step, block, layer = _check(record, values, num_experts)
        except (ValueError, TypeError, UnicodeDecodeError) as exc:
            reason = "truncated or invalid JSON" if isinstance(exc, json.JSONDecodeError) else str(exc)
            report.skip(f"{path}:{number}", reason)
            continue
        stage = rank // per_stage
        key = (step + step_offset, block, stage, layer)
        found = np.bincount(values, minlength=0)
        total = counts.get(key)
        if total is None:
            counts[key] = found
        else:
            if total.size < found.size:
                total = np.pad(total, (0, found.size - total.size))
            total[:found.size] += found
            counts[key] = total
        seen = stages.setdefault(block, {})
        seen[stage] = max(seen.get(stage, 0), layer + 1)
    for name, n in other_stages.items():
        report.assumptions.append(f"{n} records of stage {name!r} not counted (only 'pre_dispatch' routing)")
    if not counts:
        raise HeatscopeError("no valid router trace lines", str(directory))
    report.assumptions.append("step is the tracer's counter (0 at the first traced iteration)"
                              + (f" plus --step-offset {step_offset}" if step_offset else ""))
    report.assumptions.append("every rank routes different tokens (data/context/sequence-parallel shards): "
                              "counts of all ranks are summed")
    if pp_size > 1:
        report.assumptions.append(
            f"pipeline-parallel size {pp_size}: rank r is in stage r // {per_stage}; a stage's layers follow "
            "the layers seen in earlier stages (" + ", ".join(
                f"{block} stage {s}: {n}" for block, seen in stages.items() for s, n in sorted(seen.items())) + ")")
    else:
        report.assumptions.append("layer numbers are as traced (local to a pipeline stage: pass --pp-size for "
                                  "pipeline-parallel runs)")
    offsets = {(block, s): sum(n for t, n in seen.items() if t < s) for block, seen in stages.items() for s in seen}
    result: dict[tuple[int, str, int], np.ndarray] = {}
    for (step, block, stage, layer), found in counts.items():
        result[(step, block, offsets[(block, stage)] + layer)] = found
    return result


def trace_arrays(totals: dict[tuple[int, str, int], np.ndarray], report: ImportReport,
                 num_experts: int | None) -> list[ImportedArray]:
    """``expert_token_counts`` (step x layer x expert) and, for MTP, ``mtp_expert_token_counts``."""
    n_experts = num_experts or max(c.size for c in totals.values())
    if num_experts is None:
        report.assumptions.append(f"{n_experts} experts (the highest routed index + 1; pass --num-experts "
                                  "if higher experts never received a token)")
    steps = sorted({k[0] for k in totals})
    step_index = {s: i for i, s in enumerate(steps)}
    arrays = []
    for name, blocks in (("expert_token_counts", ["decoder"]),
                         ("mtp_expert_token_counts", sorted({k[1] for k in totals} - {"decoder"}))):
        layers = sorted({(k[1], k[2]) for k in totals if k[1] in blocks})
        if not layers:
            continue
        layer_index = {key: i for i, key in enumerate(layers)}
        cube = np.full((len(steps), len(layers), n_experts), MISSING, dtype=np.int64)
        for (step, block, layer), found in totals.items():
            if block in blocks:
                row = cube[step_index[step], layer_index[(block, layer)]]
                row[:] = 0
                row[:found.size] = found
        labels = [layer for _, layer in layers] if name == "expert_token_counts" else \
            [f"{block} layer {layer}" for block, layer in layers]
        arrays.append(ImportedArray(name, cube, [("step", steps), ("layer" if blocks == ["decoder"] else "mtp_layer",
                                                                    labels), ("expert", range(n_experts))],
                                    counts_attrs()))
    return arrays
