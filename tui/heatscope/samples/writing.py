"""Small helpers for writing labelled datasets with HDF5 dimension scales."""

from __future__ import annotations

from collections.abc import Sequence

import h5py
import numpy as np


def add_scale(f: h5py.File, name: str, values: Sequence) -> h5py.Dataset:
    """Create a 1-D dimension-scale dataset ``/name`` holding tick labels."""
    if values and isinstance(values[0], str):
        data = np.array(values, dtype=h5py.string_dtype("utf-8"))
    else:
        data = np.asarray(values)
    scale = f.create_dataset(name, data=data, track_times=False)
    scale.make_scale(name)
    return scale


def write_labelled(
    f: h5py.File,
    name: str,
    data: np.ndarray,
    scales: Sequence[h5py.Dataset],
    attrs: dict,
    chunks: tuple[int, ...] | bool | None = True,
) -> h5py.Dataset:
    """Write ``data`` compressed, attach one scale per dimension, set attributes."""
    dset = f.create_dataset(
        name, data=data, chunks=chunks, compression="gzip", compression_opts=4,
        shuffle=True, track_times=False,
    )
    for i, scale in enumerate(scales):
        dset.dims[i].attach_scale(scale)
        dset.dims[i].label = scale.name.lstrip("/")
    for key, value in attrs.items():
        dset.attrs[key] = value
    return dset


def new_file(path) -> h5py.File:
    """A fresh file that lists objects in creation order (datasets are written by the
    helpers above without timestamps, so reruns give identical data)."""
    return h5py.File(path, "w", track_order=True)
