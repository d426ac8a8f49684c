"""Virtual datasets whose sources are gone: which cells no source backs.

HDF5 reads a region of a virtual dataset that is mapped to a missing source file (or to a
dataset that file lacks), or that no mapping covers, as the fill value: a complete-looking
map of -5 with nothing saying the data is absent. Those cells are missing data, as the
unallocated chunks of a damaged file are: ``read_cells`` reads a block with them masked,
and ``ValueInfo.decode`` marks masked cells missing.

A source file is looked for as HDF5 looks for it: an absolute name as it is; a relative one
under ``HDF5_VDS_PREFIX``, then next to the virtual dataset's file, then from the current
directory; ``.`` is the virtual dataset's own file. It counts as present when it opens
(read-only, as every input) and holds the source dataset.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import NamedTuple

import h5py
import numpy as np
from h5py import h5s

from heatscope.errors import HeatscopeError
from heatscope.sources.opening import open_hdf5
from heatscope.sources.signature import HDF5_ERRORS

# One box of a selection: per axis (start, stride, count, block), HDF5's regular hyperslab.
Box = tuple[tuple[int, int, int, int], ...]


def _boxes(space, shape: tuple[int, ...]) -> list[Box]:
    """The boxes a source's selection in the virtual dataset covers."""
    kind = space.get_select_type()
    if kind == h5s.SEL_ALL:
        return [tuple((0, 1, 1, n) for n in shape)]
    if kind == h5s.SEL_POINTS:
        return [tuple((int(i), 1, 1, 1) for i in point) for point in space.get_select_elem_pointlist()]
    if kind != h5s.SEL_HYPERSLABS:
        return []
    if space.is_regular_hyperslab():
        return [tuple(zip(*(map(int, part) for part in space.get_regular_hyperslab())))]
    return [tuple((int(a), 1, 1, int(b) - int(a) + 1) for a, b in zip(*corners))
            for corners in space.get_select_hyper_blocklist()]


def _candidates(vds_file: str, name: str) -> list[Path]:
    if os.path.isabs(name):
        return [Path(name)]
    prefix = os.environ.get("HDF5_VDS_PREFIX")
    return [*([Path(prefix) / name] if prefix else []), Path(vds_file).parent / name, Path(name)]


def _present(dset: h5py.Dataset, file_name: str, dset_name: str) -> bool:
    """Whether a source dataset can be read: its file opens and holds it."""
    try:
        if file_name == ".":
            return dset_name in dset.file
        for path in _candidates(dset.file.filename, file_name):
            if path.is_file():
                with open_hdf5(path) as f:
                    return dset_name in f
    except (HeatscopeError, *HDF5_ERRORS, OSError):
        return False
    return False


class _Mapping(NamedTuple):
    backed: list[Box] | None  # boxes with a present source; None: every cell is backed
    missing: int  # sources not present
    total: int


_MAPPINGS: dict[tuple, _Mapping] = {}  # (file, mtime, dataset path, shape) -> its mapping


def _mapping(dset: h5py.Dataset) -> _Mapping:
    """Which boxes a present source backs (None when every source is present and together
    they select the whole dataset). Worked out once per file version: the key holds the
    file's mtime, so a rewritten file is looked at again."""
    shape = tuple(dset.shape)
    key = (dset.file.filename, os.stat(dset.file.filename).st_mtime_ns, dset.name, shape)
    if key not in _MAPPINGS:
        backed: list[Box] = []
        sources = dset.virtual_sources()
        missing, selected = 0, 0
        for source in sources:
            selected += source.vspace.get_select_npoints()
            if _present(dset, source.file_name, source.dset_name):
                backed.extend(_boxes(source.vspace, shape))
            else:
                missing += 1
        if len(_MAPPINGS) >= 64:
            _MAPPINGS.clear()
        whole = not missing and selected >= math.prod(shape)
        _MAPPINGS[key] = _Mapping(None if whole else backed, missing, len(sources))
    return _MAPPINGS[key]


def missing_sources(dset: h5py.Dataset) -> tuple[int, int]:
    """(sources missing, sources) of a virtual dataset; (0, 0) for any other."""
    if not getattr(dset, "is_virtual", False):
        return 0, 0
    try:
        mapping = _mapping(dset)
    except (*HDF5_ERRORS, OSError, TypeError, ValueError):
        return 0, 0
    return mapping.missing, mapping.total


def _indices(key: tuple, shape: tuple[int, ...]) -> list[tuple[np.ndarray, bool]] | None:
    """Per axis: the indices ``key`` reads and whether the axis stays in the result."""
    key = key + (slice(None),) * (len(shape) - len(key))
    out = []
    for k, n in zip(key, shape):
        if isinstance(k, slice):
            out.append((np.arange(*k.indices(n)), True))
        elif isinstance(k, (int, np.integer)):
            out.append((np.array([int(k) % n if n else 0]), False))
        else:
            return None
    return out


def _member(index: np.ndarray, axis: tuple[int, int, int, int]) -> np.ndarray:
    """Which of ``index`` one axis of a box selects: ``count`` blocks of ``block``, ``stride`` apart."""
    start, stride, count, block = axis
    count = min(count, 1 << 62)  # H5S_UNLIMITED
    rel = index - start
    if stride >= block:
        return (rel >= 0) & (rel // stride < count) & (rel % stride < block)
    return (rel >= 0) & (rel < (count - 1) * stride + block)  # blocks that touch or overlap


def unbacked(dset: h5py.Dataset, key: tuple) -> np.ndarray | None:
    """Which cells of ``dset[key]`` no present source backs (a mask of the shape that read
    has), or None when the dataset is not virtual or every cell read is backed."""
    if not getattr(dset, "is_virtual", False):  # h5pyd datasets have no virtual layout
        return None
    shape = tuple(dset.shape)
    try:
        boxes = _mapping(dset).backed
    except (*HDF5_ERRORS, OSError, TypeError, ValueError):
        return None
    axes = None if boxes is None else _indices(key if isinstance(key, tuple) else (key,), shape)
    if axes is None:
        return None
    full = tuple(len(index) for index, _ in axes)
    covered = np.zeros(full, dtype=bool)
    for box in boxes:
        inside = np.ones(full, dtype=bool)
        for a, ((index, _), axis) in enumerate(zip(axes, box)):
            inside &= _member(index, axis).reshape([-1 if b == a else 1 for b in range(len(full))])
        covered |= inside
    kept = tuple(len(index) for index, keep in axes if keep)
    missing = ~covered.reshape(kept)
    return missing if missing.any() else None


def read_cells(dset: h5py.Dataset, key: tuple) -> np.ndarray:
    """``dset[key]`` as an array; a masked array whose mask is the unbacked cells when the
    dataset is virtual and some of the cells read have no source."""
    block = np.asarray(dset[key])
    gaps = unbacked(dset, key)
    return block if gaps is None else np.ma.masked_array(block, mask=gaps.reshape(block.shape))
