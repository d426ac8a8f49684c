"""Writing imported arrays as one HDF5 run file: each array a compressed dataset with
labelled dimension scales (shared between arrays that agree on an axis), the report's
source and assumptions as attributes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np

from heatscope.importers.output import ImportReport

MISSING = -1  # fill value of count arrays where nothing was recorded


@dataclass
class ImportedArray:
    name: str
    data: np.ndarray
    axes: Sequence[tuple[str, Sequence]]  # (axis name, labels) per dimension
    attrs: dict = field(default_factory=dict)


def counts_attrs(**extra) -> dict:
    """The attributes of a tokens-per-expert array (missing entries are -1)."""
    return {"kind": "expert_token_counts", "long_name": "Tokens routed to expert", "units": "tokens",
            "_FillValue": np.int64(MISSING), **extra}


def _labels(values: Sequence) -> np.ndarray:
    values = list(values)
    if values and all(isinstance(v, (int, np.integer)) for v in values):
        return np.asarray(values, dtype=np.int64)
    return np.array([str(v) for v in values], dtype=h5py.string_dtype("utf-8"))


def _chunks(shape: tuple[int, ...], itemsize: int) -> tuple[int, ...] | None:
    """One leading index per chunk (a step of a step x layer x expert cube), split further
    when that is above 4 MB."""
    if not shape or 0 in shape:
        return None
    inner = list(shape[1:]) if len(shape) > 1 else [shape[0]]
    while int(np.prod(inner)) * itemsize > (4 << 20):
        big = int(np.argmax(inner))
        inner[big] = -(-inner[big] // 2)
    return tuple([1, *inner]) if len(shape) > 1 else tuple(inner)


def write_arrays(path: Path, arrays: Sequence[ImportedArray], report: ImportReport, source: str) -> None:
    """Write ``arrays`` to ``path`` (a new file), the first one as the file's default view."""
    with h5py.File(path, "w", track_order=True) as f:
        f.attrs["source"] = source
        f.attrs["found"] = report.found
        if report.assumptions:
            f.attrs["assumptions"] = "; ".join(report.assumptions)
        if report.notes:
            f.attrs["notes"] = "; ".join(report.notes)
        if report.skipped_count:
            f.attrs["skipped_records"] = np.int64(report.skipped_count)
        if arrays:
            f.attrs["default_dataset"] = arrays[0].name
        created = []
        for array in arrays:  # datasets first: their names are the user's, scales give way
            data = np.ascontiguousarray(array.data)
            if len(array.axes) != data.ndim:
                raise ValueError(f"{array.name}: {len(array.axes)} axes for shape {data.shape}")
            dset = f.create_dataset(array.name, data=data, chunks=_chunks(data.shape, data.dtype.itemsize),
                                    compression="gzip", compression_opts=4, shuffle=True, track_times=False)
            for key, value in array.attrs.items():
                dset.attrs[key] = value
            created.append(dset)
            report.written.append(f"{array.name}: " + " x ".join(f"{a}={n}" for (a, _), n in zip(array.axes, data.shape)))
        scales: dict[tuple, h5py.Dataset] = {}
        for array, dset in zip(arrays, created):
            for i, (axis, labels) in enumerate(array.axes):
                values = _labels(labels)
                key = (axis, values.dtype.kind, tuple(values.tolist()))
                if key not in scales:
                    name = axis.replace("/", "_") or "axis"
                    while name in f:
                        name += "_"
                    scale = f.create_dataset(name, data=values, track_times=False)
                    scale.make_scale(axis)
                    scales[key] = scale
                dset.dims[i].attach_scale(scales[key])
                dset.dims[i].label = axis
