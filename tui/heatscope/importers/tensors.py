"""Plain tensor files (``.npy``, ``.npz``, ``.safetensors``, ``.pt``) as labelled arrays.

Per-layer tensors whose names differ only by one number (torchtitan's
``layers.3.moe.tokens_per_expert``, a list of per-layer tensors in a ``.pt``) are stacked
along an axis named after the part before the number (``layers`` -> ``layer``). Axis names
come from ``--axes`` (for every array of that many dimensions), labels from ``--label``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from heatscope.catalog.values import KINDS
from heatscope.errors import HeatscopeError
from heatscope.importers.arrays_file import ImportedArray
from heatscope.importers.output import ImportReport

SUFFIXES = (".npy", ".npz", ".safetensors", ".pt", ".pth", ".bin")
COUNT_NAMES = re.compile(r"tokens_per_expert|logical_count|exp_counts|expert_counts|expert_load", re.I)
_NUMBER = re.compile(r"\d+")


def _flatten(value, prefix: str, out: dict, report: ImportReport, path: Path) -> None:
    if isinstance(value, np.ndarray):
        out[prefix or "tensor"] = value
    elif isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{prefix}.{key}" if prefix else str(key), out, report, path)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _flatten(item, f"{prefix}.{i}" if prefix else str(i), out, report, path)
    else:
        report.skip(f"{path}: {prefix or '(top)'}", f"not a tensor ({type(value).__name__})")


def load_tensors(path: Path, report: ImportReport) -> dict[str, np.ndarray]:
    """Every array in ``path`` by name (nested containers joined with dots)."""
    suffix = path.suffix.lower()
    if suffix == ".npy":
        try:
            return {path.stem: np.load(path, mmap_mode="r", allow_pickle=False)}
        except (ValueError, OSError) as exc:
            raise HeatscopeError(f"not a readable .npy file: {str(exc)[:120]}", str(path)) from None
    if suffix == ".npz":
        try:
            archive = np.load(path, allow_pickle=False)
        except (ValueError, OSError) as exc:
            raise HeatscopeError(f"not a readable .npz file: {str(exc)[:120]}", str(path)) from None
        out = {}
        with archive:
            for key in archive.files:
                try:
                    out[key] = archive[key]
                except (ValueError, OSError) as exc:  # object arrays need pickles: refused
                    report.skip(f"{path}: {key}", str(exc)[:120])
        return out
    if suffix == ".safetensors":
        from heatscope.importers.safetensors_file import read_safetensors

        tensors, metadata = read_safetensors(path)
        if metadata:
            report.assumptions.append("safetensors metadata: " + ", ".join(f"{k}={v[:40]}" for k, v in metadata.items()))
        return tensors
    if suffix in (".pt", ".pth", ".bin"):
        from heatscope.importers.torch_files import load_pt

        out: dict[str, np.ndarray] = {}
        _flatten(load_pt(path), "", out, report, path)
        return out
    raise HeatscopeError(f"unknown tensor file type (expected one of {', '.join(SUFFIXES)})", str(path))


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") and len(word) > 1 else word


def stack_per_layer(arrays: dict[str, np.ndarray], report: ImportReport) -> dict[str, tuple[np.ndarray, str | None, list]]:
    """``name -> (array, stacked axis name or None, its labels)``, per-layer groups stacked."""
    groups: dict[tuple, list[tuple[int, str]]] = defaultdict(list)
    for name in arrays:
        parts = name.split(".")
        numeric = [i for i, part in enumerate(parts) if _NUMBER.fullmatch(part)]
        if len(numeric) == 1:
            i = numeric[0]
            groups[(tuple(parts[:i]), tuple(parts[i + 1:]))].append((int(parts[i]), name))
    out: dict[str, tuple[np.ndarray, str | None, list]] = {}
    stacked: set[str] = set()
    for (before, after), members in groups.items():
        shapes = {arrays[name].shape for _, name in members}
        kinds = {arrays[name].dtype.kind for _, name in members}
        if len(members) < 2 or len(shapes) > 1 or len(kinds) > 1:
            continue
        members.sort()
        axis = _singular(before[-1]) if before else "index"
        name = ".".join(before + after) or axis
        out[name] = (np.stack([np.asarray(arrays[n]) for _, n in members]), axis, [i for i, _ in members])
        stacked.update(n for _, n in members)
        report.assumptions.append(f"{len(members)} tensors {'.'.join(before + ('{' + axis + '}',) + after)} "
                                  f"stacked along a {axis!r} axis")
    for name, array in arrays.items():
        if name not in stacked:
            out[name] = (array, None, [])
    return out


def parse_labels(specs: Sequence[str]) -> dict[str, list]:
    """``--label AXIS=a,b,c`` or ``--label AXIS=1..61`` (integers, both ends included)."""
    labels = {}
    for spec in specs:
        axis, sep, values = spec.partition("=")
        if not sep or not axis or not values:
            raise HeatscopeError("expected AXIS=a,b,c or AXIS=FIRST..LAST", f"--label {spec}")
        span = re.fullmatch(r"(-?\d+)\.\.(-?\d+)", values)
        labels[axis] = list(range(int(span.group(1)), int(span.group(2)) + 1)) if span else values.split(",")
    return labels


def tensor_arrays(path: Path, report: ImportReport, *, axes: Sequence[str] | None, key: str | None,
                  kind: str | None, labels: dict[str, list]) -> list[ImportedArray]:
    """The arrays of ``path`` to write (all of them, or ``key``)."""
    if kind is not None and kind not in KINDS:
        raise HeatscopeError(f"unknown kind (one of {', '.join(sorted(KINDS))})", f"--kind {kind}")
    loaded = load_tensors(path, report)
    report.files, report.lines = 1, len(loaded)
    candidates = stack_per_layer(loaded, report)
    if key is not None:
        if key not in candidates:
            raise HeatscopeError(f"no array {key!r} (arrays: {', '.join(sorted(candidates))[:200]})", str(path))
        candidates = {key: candidates[key]}
    result = []
    for name, (array, stacked_axis, stacked_labels) in candidates.items():
        where = f"{path}: {name}"
        if array.dtype.kind not in "biuf" or array.ndim == 0:
            report.skip(where, f"{'a scalar' if array.ndim == 0 else array.dtype} is not a numeric array")
            continue
        if axes is not None and len(axes) != array.ndim:
            report.skip(where, f"{array.ndim}-D {array.shape}, --axes names {len(axes)}")
            continue
        names = list(axes) if axes is not None else \
            [stacked_axis if (i == 0 and stacked_axis) else f"dim{i}" for i in range(array.ndim)]
        ticks = []
        for i, axis in enumerate(names):
            given = labels.get(axis)
            if given is not None and len(given) != array.shape[i]:
                raise HeatscopeError(f"{len(given)} labels for axis {axis!r} of length {array.shape[i]}", where)
            ticks.append(given if given is not None else (stacked_labels if i == 0 and stacked_axis
                                                          else range(array.shape[i])))
        attrs = {}
        chosen = kind or ("expert_token_counts" if COUNT_NAMES.search(name) and array.dtype.kind in "iu" else None)
        if chosen:
            attrs["kind"] = chosen
            if kind is None:
                report.assumptions.append(f"{name}: kind expert_token_counts (from its name; --kind to change)")
        data = np.asarray(array)
        if data.dtype.kind == "b":
            data = data.astype(np.int8)
        result.append(ImportedArray(name, data, list(zip(names, ticks)), attrs))
    if not result:
        raise HeatscopeError("no numeric array to import", str(path))
    known = {axis for array in result for axis, _ in array.axes}
    for axis, values in labels.items():
        if axis not in known:
            raise HeatscopeError(f"no axis {axis!r} (axes: {', '.join(sorted(known))})",
                                 f"--label {axis}={','.join(map(str, values))}")
    if axes is None:
        report.assumptions.append("axes not named (--axes): called dim0, dim1, ... unless stacked")
    return result
