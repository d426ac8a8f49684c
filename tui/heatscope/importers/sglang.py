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

from pathlib import Path

import numpy as np

from heatscope.errors import HeatscopeError
from heatscope.importers.arrays_file import MISSING, ImportedArray, counts_attrs
from heatscope.importers.output import ImportReport
from heatscope.importers.sglang_dumps import DUMP, DumpPart, dump_rank, read_dump


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


def _add_passes(part: DumpPart, report: ImportReport, totals: dict[int, np.ndarray],
                ranks_of: dict[int, set]) -> None:
    """A per_pass dump's records added to the totals of the dumps before it: a pass whose
    number of logical experts differs from theirs is skipped, record by record."""
    clash = {i for i, s in part.sums.items() if i in totals and totals[i].shape != s.shape}
    for event in part.events:
        if event[0] == "skip":
            report.skip(event[1], event[2])
        elif event[2] in clash:
            report.skip(event[1], f"{part.sums[event[2]].shape[1]} logical experts, other dumps have "
                                  f"{totals[event[2]].shape[1]}")
        else:
            ranks_of.setdefault(event[2], set()).add(event[3])
    for pass_id, logical in part.sums.items():
        if pass_id not in clash:
            totals[pass_id] = totals[pass_id] + logical if pass_id in totals else logical


def read_sglang(source: Path, report: ImportReport, engine=None) -> list[ImportedArray]:
    """The recorder's counts as ``expert_token_counts`` (pass x layer x expert); the dumps
    read on ``engine``'s cluster when it has one."""
    stat_parts: list[np.ndarray] = []
    per_pass: dict[int, np.ndarray] = {}
    kinds = set()
    in_directory = source.is_dir()
    ranks_of: dict[int, set] = {}  # forward pass -> ranks whose records of it were read
    files = sglang_files(source)
    dump_ranks = {dump_rank(p) for p in files} - {None}  # every per_pass dump's rank, damaged or not
    cluster = engine.for_input(sum(p.stat().st_size for p in files)) if engine is not None else None
    if cluster is None:
        parts = (read_dump(p, p) for p in files)
    else:  # one task a file: a dump has no record boundaries to split it at
        parts = cluster.ordered(read_dump, [(str(p.resolve()), p) for p in files], [p.stat().st_size for p in files])
    for path, part in zip(files, parts):
        report.files += 1
        if part.error is not None:
            exc = part.error
            if not in_directory:
                raise exc
            if path.suffix == ".json":  # SGLang dumps into the system temp directory, beside anything else
                report.notes.append(f"{path.name} skipped: not an SGLang expert distribution file ({exc.message})")
            else:
                report.skip(exc.where or str(path), exc.message)
                report.notes.append(f"{path.name} could not be read ({exc.message}): "
                                    + ("the passes it holds are missing" if dump_rank(path) is not None else
                                       "its passes are not in the import"))
            continue
        if part.fatal is not None:
            raise part.fatal
        kinds.add(part.kind)
        report.lines += part.lines
        if part.stat is not None:
            stat_parts.append(part.stat)
        else:
            _add_passes(part, report, per_pass, ranks_of)
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
