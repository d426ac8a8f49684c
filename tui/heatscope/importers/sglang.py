"""SGLang's expert distribution recorder (python/sglang/srt/eplb/expert_distribution.py).

- ``stat`` mode: rank 0 dumps ``expert_distribution_recorder_{time}.pt`` holding
  ``{"rank", "logical_count": int[passes, layers, logical_experts], ...}``, already summed
  over ranks and mapped to logical experts. Several dumps are put one after the other.
- ``per_pass`` mode: every rank dumps ``expert_distribution_recorder_{time}_{rank}.pt`` with
  ``{"records": [{"forward_pass_id", "rank", "gatherer_key", "global_physical_count":
  [layers, physical]}], "last_physical_to_logical_map": [layers, physical]}``: the counts of
  all ranks are summed per forward pass, and each physical slot is added to the logical
  expert the map gives (replicas summed).
- ``.json`` as read by ``--init-expert-location``: ``{"logical_count": [[passes,] layers,
  experts]}``.

Passes with no token at all (the unfilled slots of the recorder's buffer) and layers with no
routed token in any pass (dense layers) are marked missing.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from heatscope.errors import HeatscopeError
from heatscope.importers.arrays_file import MISSING, ImportedArray, counts_attrs
from heatscope.importers.output import ImportReport
from heatscope.importers.torch_files import load_pt

DUMP = re.compile(r"expert_distribution_recorder_([\d.]+)(?:_(\d+))?\.pt$")


def sglang_files(source: Path) -> list[Path]:
    """The dumps in ``source`` (a directory, in time order) or ``source`` itself."""
    if source.is_dir():
        found = [p for p in source.iterdir() if p.is_file() and DUMP.search(p.name)]
        found += [p for p in source.glob("*.json") if p.is_file()]
        if not found:
            raise HeatscopeError("no expert_distribution_recorder_*.pt or .json files", str(source))
        return sorted(found, key=lambda p: (float(DUMP.search(p.name).group(1)) if DUMP.search(p.name) else 0.0,
                                            p.name))
    return [source]


def _count_array(value, where: str, ndims: tuple[int, ...]) -> np.ndarray:
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


def _dump_rank(path: Path) -> int | None:
    """The rank in a ``per_pass`` dump's name (``..._{time}_{rank}.pt``)."""
    match = DUMP.search(path.name)
    return int(match.group(2)) if match and match.group(2) is not None else None


def _per_pass(loaded: dict, path: Path, report: ImportReport, totals: dict[int, np.ndarray],
              ranks_of: dict[int, set]) -> None:
    mapping = _count_array(loaded.get("last_physical_to_logical_map"), f"{path}: last_physical_to_logical_map", (2,))
    n_logical = int(mapping.max()) + 1 if mapping.size else 0
    for i, record in enumerate(loaded["records"]):
        where = f"{path}: records[{i}]"
        report.lines += 1
        try:
            if not isinstance(record, dict) or type(record.get("forward_pass_id")) is not int:
                raise HeatscopeError("a record needs an integer forward_pass_id", where)
            if "global_physical_count" not in record:
                raise HeatscopeError("no global_physical_count (per_token dumps are not counts)", where)
            physical = _count_array(record["global_physical_count"], f"{where}: global_physical_count", (2,))
            if physical.shape != mapping.shape:
                raise HeatscopeError(f"shape {physical.shape} differs from the map's {mapping.shape}", where)
        except HeatscopeError as exc:
            report.skip(exc.where or where, exc.message)
            continue
        logical = np.zeros((mapping.shape[0], n_logical), np.int64)
        np.add.at(logical, (np.arange(mapping.shape[0])[:, None], mapping), physical)
        pass_id = record["forward_pass_id"]
        if pass_id in totals and totals[pass_id].shape != logical.shape:
            report.skip(where, f"{logical.shape[1]} logical experts, other dumps have {totals[pass_id].shape[1]}")
            continue
        totals[pass_id] = totals[pass_id] + logical if pass_id in totals else logical
        ranks_of.setdefault(pass_id, set()).add(_dump_rank(path) if _dump_rank(path) is not None
                                                 else record.get("rank"))


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


def read_sglang(source: Path, report: ImportReport) -> list[ImportedArray]:
    """The recorder's counts as ``expert_token_counts`` (pass x layer x expert)."""
    stat_parts: list[np.ndarray] = []
    per_pass: dict[int, np.ndarray] = {}
    kinds = set()
    in_directory = source.is_dir()
    ranks_of: dict[int, set] = {}  # forward pass -> ranks whose records of it were read
    files = sglang_files(source)
    dump_ranks = {_dump_rank(p) for p in files} - {None}  # every per_pass dump's rank, damaged or not
    for path in files:
        report.files += 1
        try:
            loaded = _load(path)
            kind = _kind(loaded, path)
        except HeatscopeError as exc:
            if not in_directory:
                raise
            if path.suffix == ".json":  # SGLang dumps into the system temp directory, beside anything else
                report.notes.append(f"{path.name} skipped: not an SGLang expert distribution file ({exc.message})")
            else:
                report.skip(exc.where or str(path), exc.message)
                report.notes.append(f"{path.name} could not be read ({exc.message}): "
                                    + ("the passes it holds are missing" if _dump_rank(path) is not None else
                                       "its passes are not in the import"))
            continue
        kinds.add(kind)
        if "logical_count" in loaded:
            counts = _count_array(loaded["logical_count"], f"{path}: logical_count", (2, 3))
            stat_parts.append(counts[np.newaxis] if counts.ndim == 2 else counts)
            report.lines += stat_parts[-1].shape[0]
        else:
            _per_pass(loaded, path, report, per_pass, ranks_of)
    report.found = "SGLang expert distribution recorder: " + " and ".join(sorted(kinds))
    if stat_parts and per_pass:
        raise HeatscopeError("stat and per_pass dumps mixed in one directory: import them apart", str(source))
    if per_pass:
        ids = sorted(per_pass)
        cube = np.stack([per_pass[i] for i in ids])
        partial = [i for i, pass_id in enumerate(ids) if ranks_of[pass_id] != (dump_ranks or ranks_of[pass_id])]
        if partial:
            cube[partial] = MISSING
            report.notes.append(f"{len(partial)} of {len(ids)} forward passes lack the records of some of ranks "
                                f"{sorted(dump_ranks)}: marked missing, never partial sums")
        report.assumptions.append("per_pass: counts of all ranks summed per forward_pass_id; physical slots "
                                  "added to their logical expert by last_physical_to_logical_map")
        pass_labels = ids
    elif stat_parts:
        shapes = {p.shape[1:] for p in stat_parts}
        if len(shapes) > 1:
            raise HeatscopeError(f"dumps of different shapes {sorted(shapes)}", str(source))
        cube = np.concatenate(stat_parts)
        pass_labels = list(range(cube.shape[0]))
        if len(stat_parts) > 1:
            report.assumptions.append(f"{len(stat_parts)} dumps put one after the other in file-name (time) order")
        report.assumptions.append("stat: passes in the recorder's buffer order (a circular buffer that wrapped "
                                  "does not start with the oldest pass)")
    else:
        raise HeatscopeError("no valid records", str(source))
    return [_with_missing(cube, pass_labels, report)]


def _with_missing(cube: np.ndarray, passes: list[int], report: ImportReport) -> ImportedArray:
    cube = cube.copy()
    empty_passes = ~cube.any(axis=(1, 2))
    dense_layers = ~cube.any(axis=(0, 2))
    cube[empty_passes] = MISSING
    cube[:, dense_layers] = MISSING
    if empty_passes.any():
        report.assumptions.append(f"{int(empty_passes.sum())} passes without any token marked missing "
                                  "(unfilled recorder slots)")
    if dense_layers.any():
        layers = np.flatnonzero(dense_layers).tolist()
        report.assumptions.append(f"layers {layers[:12]}{'...' if len(layers) > 12 else ''} routed no token "
                                  "in any pass (dense layers): marked missing")
    return ImportedArray("expert_token_counts", cube, [("forward_pass", passes), ("layer", range(cube.shape[1])),
                                                       ("expert", range(cube.shape[2]))], counts_attrs())
