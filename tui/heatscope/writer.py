"""A small writer for training loops: append one step of per-layer tensors per call to an
HDF5 run file that heatscope can follow live (SWMR), with labelled axes.

    from heatscope.writer import RunWriter

    with RunWriter("run.h5", expert_token_counts=("layer", "expert")) as run:
        for step in range(num_steps):
            counts = router_counts()  # numpy, torch (.cpu()), anything with __array__
            run.append(step, expert_token_counts=counts)

Each named tensor becomes a dataset ``step x axis...`` with dimension scales; a name that is
a heatscope kind (``expert_token_counts``, ``relative_expert_load``, ``divergence``) sets
the dataset's ``kind``. Axes are given as names (labels are indices) or as a mapping from
name to labels. The file is switched to SWMR after the first step, so readers (heatscope
``--follow``) see every flushed step while the writer keeps the file open. No torch import.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import h5py
import numpy as np

from heatscope.data.values import KINDS, RELATIVE_LOAD, TOKEN_COUNTS

STEP_CHUNK = 1024


def _axes_spec(spec) -> list[tuple[str, Sequence | None]]:
    if isinstance(spec, Mapping):
        return [(str(name), labels) for name, labels in spec.items()]
    if isinstance(spec, str):
        return [(spec, None)]
    return [(str(name), None) for name in spec]


class RunWriter:
    """Append steps of named tensors to ``path`` (created or replaced)."""

    def __init__(self, path: str | os.PathLike[str], *, step_name: str = "step", attrs: Mapping | None = None,
                 **tensors) -> None:
        if not tensors:
            raise ValueError("name at least one tensor, e.g. expert_token_counts=('layer', 'expert')")
        self.path = os.fspath(path)
        self.step_name = step_name
        self.specs = {name: _axes_spec(spec) for name, spec in tensors.items()}
        self._file = h5py.File(self.path, "w", libver="latest")
        for key, value in (attrs or {}).items():
            self._file.attrs[key] = value
        self._steps: h5py.Dataset | None = None
        self._datasets: dict[str, h5py.Dataset] = {}

    def __enter__(self) -> RunWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def steps_written(self) -> int:
        return 0 if self._steps is None else int(self._steps.shape[0])

    def _create(self, arrays: dict[str, np.ndarray]) -> None:
        for name, array in arrays.items():  # check everything before the file changes
            if len(self.specs[name]) != array.ndim:
                raise ValueError(f"{name}: {len(self.specs[name])} axes named but the array has shape {array.shape}")
        f = self._file
        self._steps = f.create_dataset(self.step_name, shape=(0,), maxshape=(None,), dtype="i8", chunks=(STEP_CHUNK,))
        self._steps.make_scale(self.step_name)
        scales: dict[str, h5py.Dataset] = {}
        for name, array in arrays.items():
            axes = self.specs[name]
            dset = f.create_dataset(
                name, shape=(0, *array.shape), maxshape=(None, *array.shape), dtype=array.dtype,
                chunks=(1, *array.shape), compression="gzip", compression_opts=1,
            )
            dset.dims[0].attach_scale(self._steps)
            dset.dims[0].label = self.step_name
            for i, (axis, labels) in enumerate(axes, start=1):
                dset.dims[i].attach_scale(self._scale(scales, axis, array.shape[i - 1], labels))
                dset.dims[i].label = axis
            if name in KINDS:
                dset.attrs["kind"] = name
                if name == RELATIVE_LOAD:
                    dset.attrs["long_name"] = "Relative Expert Load"
                elif name == TOKEN_COUNTS:
                    dset.attrs["long_name"] = "Tokens routed to expert"
            self._datasets[name] = dset
        f.swmr_mode = True  # every dataset exists now; readers may follow from here on

    def _scale(self, scales: dict, axis: str, size: int, labels) -> h5py.Dataset:
        """The dimension scale for ``axis`` of ``size`` (shared by tensors that agree)."""
        key = (axis, size)
        if key in scales and labels is None:
            return scales[key]
        values = np.arange(size) if labels is None else np.asarray(list(labels))
        if values.shape != (size,):
            raise ValueError(f"{size} labels needed on axis {axis!r}, got {values.shape[0]}")
        if values.dtype.kind in "OU":
            values = values.astype(h5py.string_dtype())
        name = axis
        while name in self._file:
            name = f"{name}_"
        scale = self._file.create_dataset(name, data=values)
        scale.make_scale(axis)
        scales[key] = scale
        return scale

    def append(self, step: int, **tensors) -> None:
        """Write one step: every named tensor, each with the same shape as the first time."""
        if set(tensors) != set(self.specs):
            missing = sorted(set(self.specs) - set(tensors))
            extra = sorted(set(tensors) - set(self.specs))
            raise ValueError(f"append needs exactly {sorted(self.specs)}; missing {missing}, unknown {extra}")
        arrays = {name: np.asarray(value) for name, value in tensors.items()}
        if self._steps is None:
            self._create(arrays)
        for name, array in arrays.items():
            if array.shape != self._datasets[name].shape[1:]:
                raise ValueError(f"{name}: shape {array.shape} differs from the first step's "
                                 f"{self._datasets[name].shape[1:]}")
        n = self.steps_written
        self._steps.resize((n + 1,))
        self._steps[n] = int(step)
        for name, array in arrays.items():
            dset = self._datasets[name]
            dset.resize((n + 1, *dset.shape[1:]))
            dset[n] = array
        self._file.flush()

    def close(self) -> None:
        if self._file.id.valid:
            self._file.close()
