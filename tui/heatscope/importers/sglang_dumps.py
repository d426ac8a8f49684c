"""One SGLang recorder file read on its own: what it adds to the import, as a ``DumpPart``.

A dump is a torch.save zip (or a .json): it has no record boundaries to start reading at,
so a dask task reads one whole file. ``read_dump`` never raises for the file's content: a
file that cannot be read is the part's ``error`` (skipped in a directory), and a problem
that stops the import is its ``fatal``, raised by the client in file order as one process
would. Messages name the file as the user gave it (``shown``), wherever it is opened.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from heatscope.errors import HeatscopeError
from heatscope.importers.torch_files import load_pt

DUMP = re.compile(r"expert_distribution_recorder_([\d.]+)(?:_(\d+))?\.pt$")


@dataclass
class DumpPart:
    kind: str | None = None  # which of SGLang's files it is
    error: HeatscopeError | None = None  # not readable, or not an SGLang file
    fatal: HeatscopeError | None = None  # damaged counts: the import stops here
    lines: int = 0  # records read
    stat: np.ndarray | None = None  # pass x layer x expert of a stat dump or .json
    events: list[tuple] = field(default_factory=list)  # per record: ("skip", where, why) or ("pass", where, id, rank)
    sums: dict[int, np.ndarray] = field(default_factory=dict)  # forward pass -> layer x logical expert


def count_array(value, where: str, ndims: tuple[int, ...]) -> np.ndarray:
    try:
        array = np.asarray(value)
    except (ValueError, TypeError):
        raise HeatscopeError("not a regular array (rows of different lengths?)", where) from None
    if array.dtype.kind not in "iuf" or array.ndim not in ndims:
        raise HeatscopeError(f"expected a {' or '.join(f'{n}-D' for n in ndims)} array of counts, "
                             f"got {array.dtype} {array.shape}", where)
    if array.size and (not np.isfinite(array).all() or array.min() < 0):
        raise HeatscopeError("counts must be finite and non-negative", where)
    return array.astype(np.int64)


def dump_rank(path: Path) -> int | None:
    """The rank in a ``per_pass`` dump's name (``..._{time}_{rank}.pt``)."""
    match = DUMP.search(Path(path).name)
    return int(match.group(2)) if match and match.group(2) is not None else None


def _load(path: Path):
    if path.suffix != ".json":
        return load_pt(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise HeatscopeError("not UTF-8 text", str(path)) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip()):
            raise HeatscopeError(f"JSON cut off after {len(text):,} characters", str(path)) from None
        raise HeatscopeError(f"not JSON (at line {exc.lineno}, column {exc.colno})", str(path)) from None


def _kind(loaded, path: Path) -> str:
    """Which of SGLang's files ``loaded`` is; HeatscopeError when none."""
    if not isinstance(loaded, dict):
        raise HeatscopeError("expected a dict as SGLang dumps it", str(path))
    if "logical_count" in loaded:
        return "stat dump (logical_count)" if path.suffix == ".pt" else "init-expert-location JSON"
    if "records" in loaded:
        if not isinstance(loaded["records"], list):
            raise HeatscopeError("'records' must be a list", f"{path}: records")
        return "per_pass dumps (records)"
    if "physical_to_logical_map" in loaded:
        raise HeatscopeError("an expert placement (physical_to_logical_map), not counts", str(path))
    keys = ", ".join(sorted(map(str, loaded))[:8])
    raise HeatscopeError(f"neither logical_count nor records (keys: {keys})", str(path))


def _per_pass(loaded: dict, path: Path, part: DumpPart) -> None:
    mapping = count_array(loaded.get("last_physical_to_logical_map"), f"{path}: last_physical_to_logical_map", (2,))
    n_logical = int(mapping.max()) + 1 if mapping.size else 0
    for i, record in enumerate(loaded["records"]):
        where = f"{path}: records[{i}]"
        part.lines += 1
        try:
            if not isinstance(record, dict) or type(record.get("forward_pass_id")) is not int:
                raise HeatscopeError("a record needs an integer forward_pass_id", where)
            if "global_physical_count" not in record:
                raise HeatscopeError("no global_physical_count (per_token dumps are not counts)", where)
            physical = count_array(record["global_physical_count"], f"{where}: global_physical_count", (2,))
            if physical.shape != mapping.shape:
                raise HeatscopeError(f"shape {physical.shape} differs from the map's {mapping.shape}", where)
        except HeatscopeError as exc:
            part.events.append(("skip", exc.where or where, exc.message))
            continue
        logical = np.zeros((mapping.shape[0], n_logical), np.int64)
        np.add.at(logical, (np.arange(mapping.shape[0])[:, None], mapping), physical)
        pass_id = record["forward_pass_id"]
        part.sums[pass_id] = part.sums[pass_id] + logical if pass_id in part.sums else logical
        rank = dump_rank(path)
        part.events.append(("pass", where, pass_id, rank if rank is not None else record.get("rank")))


def read_dump(path: str | Path, shown: Path) -> DumpPart:
    """What the file at ``path`` (named ``shown`` in messages) adds to the import."""
    path, part = Path(path), DumpPart()
    try:
        loaded = _load(path)
    except HeatscopeError as exc:
        part.error = HeatscopeError(exc.message, str(shown) if exc.where == str(path) else exc.where)
        return part
    try:
        part.kind = _kind(loaded, shown)
    except HeatscopeError as exc:
        part.error = exc
        return part
    try:
        if "logical_count" in loaded:
            counts = count_array(loaded["logical_count"], f"{shown}: logical_count", (2, 3))
            part.stat = counts[np.newaxis] if counts.ndim == 2 else counts
            part.lines = part.stat.shape[0]
        else:
            _per_pass(loaded, shown, part)
    except HeatscopeError as exc:
        part.fatal = exc
    return part
