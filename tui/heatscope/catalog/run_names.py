"""Run names: each input's path relative to the common root of all inputs, shortened to
what tells the runs apart.

``runs/run000/metrics.h5 ... runs/run199/metrics.h5`` -> ``run000 ... run199``;
``sweep/lr3e-4/seed1/m.h5`` and ``sweep/lr1e-3/seed1/m.h5`` -> ``lr3e-4``, ``lr1e-3`` (the
parts every run shares are dropped from both ends); ``sample_runs/expert_load.h5`` ->
``expert_load``. Names are display-safe.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePath

from heatscope.sources.backends import is_remote
from heatscope.text import safe_text


def _parts(path: Path) -> tuple[str, ...]:
    if is_remote(path):  # ("s3://bucket", "dir", "run.h5")
        return tuple(path.parts)
    return PurePath(os.path.abspath(path)).parts


def _strip_suffix(name: str, suffixes: set[str]) -> str:
    suffix = PurePath(name).suffix
    return name[: -len(suffix)] if suffix and len(suffixes) == 1 and name != suffix else name


def run_names(paths: list[Path]) -> list[str]:
    """A short, distinct, display-safe name for every path (in the same order)."""
    if not paths:
        return []
    parts = [_parts(p) for p in paths]
    if len(paths) == 1:
        return [safe_text(_strip_suffix(parts[0][-1], {PurePath(parts[0][-1]).suffix}))]
    shared = 0
    while all(len(p) > shared for p in parts) and len({p[shared] for p in parts}) == 1:
        shared += 1
    rel = [p[shared:] or p[-1:] for p in parts]
    # drop trailing components every run shares (metrics.h5), then leading ones (sweep/)
    while all(len(r) > 1 for r in rel) and len({r[-1] for r in rel}) == 1:
        rel = [r[:-1] for r in rel]
    while all(len(r) > 1 for r in rel) and len({r[0] for r in rel}) == 1:
        rel = [r[1:] for r in rel]
    suffixes = {PurePath(r[-1]).suffix for r in rel}
    names = ["/".join(r[:-1] + (_strip_suffix(r[-1], suffixes),)) for r in rel]
    if len(set(names)) < len(names):  # stripping made two alike (a.h5 and a.hdf5): keep full
        names = ["/".join(r) for r in rel]
    return [safe_text(n) for n in names]
