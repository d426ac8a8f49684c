"""A small writer for training loops: append one step of per-layer tensors per call to an
HDF5 run file that heatscope can follow live (SWMR), with labelled axes.

    from heatscope.writer.run_writer import RunWriter

    with RunWriter("run.h5", expert_token_counts=("layer", "expert"), resume=True) as run:
        for step in range(start_step, num_steps):
            counts = router_counts()  # numpy, torch (.cpu()), anything with __array__
            run.append(step, expert_token_counts=counts)

Each named tensor becomes a dataset ``step x axis...`` with dimension scales; a name that is
a heatscope kind (``expert_token_counts``, ``relative_expert_load``, ``divergence``) sets
the dataset's ``kind``. Axes are given as names (labels are indices) or as a mapping from
name to labels. The file is switched to SWMR as soon as its datasets exist, so readers
(heatscope ``--follow``) see every flushed step while the writer keeps the file open; every
``append`` is flushed, so a writer killed at any moment leaves every earlier step readable.

An existing run file is never replaced by accident: ``resume=True`` continues it (after a
restart from a checkpoint, the first step at or below the last one written drops the steps
after it, with a :class:`StepsDropped` warning), ``overwrite=True`` starts it afresh. One
writer per file: a second one, in any process, gets :class:`RunFileBusy`. With many ranks,
all-reduce the counts and write from rank 0. No torch import.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence

import h5py
import numpy as np

from heatscope.catalog.values import KINDS, RELATIVE_LOAD, TOKEN_COUNTS
from heatscope.writer.file_flags import clear_write_flags
from heatscope.writer.lock import RunFileBusy, WriterLock

__all__ = ["RunFileBusy", "RunWriter", "StepsDropped"]

STEP_CHUNK = 1024


def _axes_spec(spec) -> list[tuple[str, Sequence | None]]:
    if isinstance(spec, Mapping):
        return [(str(name), labels) for name, labels in spec.items()]
    if isinstance(spec, str):
        return [(spec, None)]
    return [(str(name), None) for name in spec]


class StepsDropped(UserWarning):
    """A resumed run went back to a checkpoint: steps after it were dropped."""


class RunWriter:
    """Append steps of named tensors to the run file ``path``."""

    def __init__(self, path: str | os.PathLike[str], *, step_name: str = "step", attrs: Mapping | None = None,
                 resume: bool = False, overwrite: bool = False, **tensors) -> None:
        if not tensors:
            raise ValueError("name at least one tensor, e.g. expert_token_counts=('layer', 'expert')")
        if resume and overwrite:
            raise ValueError("resume=True continues the run, overwrite=True replaces it: choose one")
        self.path = os.fspath(path)
        self.step_name = step_name
        self.specs = {name: _axes_spec(spec) for name, spec in tensors.items()}
        self.dropped: list[tuple[int, int]] = []  # (step appended, steps dropped) per rewind
        existing = os.path.exists(self.path) and os.path.getsize(self.path) > 0
        if existing and not (resume or overwrite):
            raise FileExistsError(f"{self.path} exists: pass resume=True to continue the run or overwrite=True "
                                  "to replace it")
        self._lock = WriterLock(self.path)  # before HDF5 opens (and maybe truncates) the file
        self._steps: h5py.Dataset | None = None
        self._datasets: dict[str, h5py.Dataset] = {}
        try:
            if existing and resume:
                clear_write_flags(self.path)  # left set by a writer that was killed
                self._file = h5py.File(self.path, "r+", libver="latest")
                self._reopen()
            else:
                self._file = h5py.File(self.path, "w", libver="latest")
                for key, value in (attrs or {}).items():
                    self._file.attrs[key] = value
        except BaseException:
            self._lock.release()
            raise

    def __enter__(self) -> RunWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def steps_written(self) -> int:
        return 0 if self._steps is None else int(self._steps.shape[0])

    @property
    def last_step(self) -> int | None:
        """The newest step in the file (None before the first)."""
        return int(self._steps[-1]) if self.steps_written else None

    def _reopen(self) -> None:
        """Check that the file holds exactly this writer's tensors and axes, then continue it."""
        f = self._file
        steps = f.get(self.step_name)
        if steps is None and not any(isinstance(obj, h5py.Dataset) for obj in f.values()):
            return  # a writer stopped before its first step: start the run here
        if not isinstance(steps, h5py.Dataset) or steps.ndim != 1:
            raise ValueError(f"{self.path}: no 1-D {self.step_name!r} dataset: not a run file this writer can resume")
        found = {name for name, obj in f.items() if isinstance(obj, h5py.Dataset)
                 and obj.attrs.get("CLASS") != b"DIMENSION_SCALE" and name != self.step_name}
        if found != set(self.specs):
            raise ValueError(f"{self.path} holds {sorted(found)}, this writer writes {sorted(self.specs)}")
        for name, axes in self.specs.items():
            dset = f[name]
            names = [dset.dims[i].label for i in range(1, dset.ndim)]
            if names != [axis for axis, _ in axes]:
                raise ValueError(f"{self.path}: {name} has axes {names}, this writer names {[a for a, _ in axes]}")
            for i, (axis, labels) in enumerate(axes, start=1):
                if labels is not None and len(dset.dims[i]):
                    stored = [v.decode() if isinstance(v, bytes) else v for v in dset.dims[i][0][()].tolist()]
                    given = [v.item() if isinstance(v, np.generic) else v for v in np.asarray(list(labels)).tolist()]
                    if [str(v) for v in stored] != [str(v) for v in given]:
                        raise ValueError(f"{self.path}: labels of {name} axis {axis!r} differ from the file's")
            self._datasets[name] = dset
        self._steps = steps
        self._file.swmr_mode = True

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
        if n and int(step) <= int(self._steps[n - 1]):
            n = self._rewind(int(step))
        self._steps.resize((n + 1,))
        self._steps[n] = int(step)
        for name, array in arrays.items():
            dset = self._datasets[name]
            dset.resize((n + 1, *dset.shape[1:]))
            dset[n] = array
        self._file.flush()

    def _rewind(self, step: int) -> int:
        """Drop the steps at or after ``step`` (the run went back to a checkpoint)."""
        steps = self._steps[()]
        keep = int(np.searchsorted(steps, step, side="left")) if np.all(np.diff(steps) > 0) else \
            int(np.flatnonzero(steps >= step)[0])
        dropped = len(steps) - keep
        for dset in (self._steps, *self._datasets.values()):
            dset.resize((keep, *dset.shape[1:]))
        self._file.flush()
        self.dropped.append((step, dropped))
        warnings.warn(f"{self.path}: step {step} is not after the last step written ({int(steps[-1])}): the run "
                      f"went back to a checkpoint, {dropped} steps from {int(steps[keep])} on were dropped",
                      StepsDropped, stacklevel=3)
        return keep

    def close(self) -> None:
        if getattr(self, "_file", None) is not None and self._file.id.valid:
            self._file.close()
        self._lock.release()
