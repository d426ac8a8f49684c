"""The three kinds of dataset a view shows, behind one interface.

A stored dataset is read from its file; a metric view (``catalog.virtual.Reduction``) is
computed block by block into a ``ReducedArray`` and read from there; a run stack
(``catalog.virtual.RunStack``) reads the same dataset of every run and puts the runs on an
axis. ``source_for`` is the one place that tells them apart: ``Session`` asks the source
for a slice, a scan, its version and whether it is complete, whatever its kind.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import h5py

from heatscope.catalog.datasets import Catalog, DatasetInfo
from heatscope.errors import HeatscopeError
from heatscope.read.distributed_reduce import compute_on
from heatscope.read.reduce import ReducedArray, compute
from heatscope.read.reduced_slices import reduced_slice, scan_reduced
from heatscope.read.run_stack import stacked_slice
from heatscope.read.selection import Selection
from heatscope.read.slices import SliceData, expert_axis, read_slice, relative_load
from heatscope.stats.scan import ScanResult, scan_dataset


class DatasetSource(Protocol):
    """What a view reads, whatever kind of dataset stands behind it."""

    def version(self) -> object:
        """Changes when the values do (a metric view filling in); None for stored data."""

    def read(self, sel: Selection, derived: bool, target, progress, cancelled) -> SliceData:
        """The slice ``sel`` (an overview of at most ``target`` cells when it is too big)."""

    def scan(self, derived: bool, **options) -> ScanResult:
        """The global range (``stats.scan.scan_dataset``'s options)."""

    def complete(self) -> bool:
        """Whether every value is known (a metric view is computed in the background)."""

    def compute(self, **options) -> None:
        """Compute what is not stored (``read.reduce.compute``'s options); a no-op otherwise."""


class OpenFiles(Protocol):
    """What a source needs from the open files (``read.session.Session``)."""

    paths: list[Path]
    cluster: object | None  # a heatscope.cluster cluster metric views of local files are computed on

    def is_remote(self, file_index: int) -> bool: ...
    def dataset(self, file_index: int, info: DatasetInfo) -> h5py.Dataset: ...
    def catalog_of(self, file_index: int) -> Catalog | None: ...
    def reduced(self, file_index: int, info: DatasetInfo) -> ReducedArray: ...
    def members(self, info: DatasetInfo) -> list[tuple[int, DatasetInfo]]: ...
    def read(self, file_index: int, info: DatasetInfo, sel: Selection, derived: bool = False,
             target=None, progress=None, cancelled=None) -> SliceData: ...
    def scan(self, file_index: int, info: DatasetInfo, derived: bool = False, **options) -> ScanResult: ...


@dataclass(frozen=True)
class StoredSource:
    """A dataset as its file holds it."""

    files: OpenFiles
    file_index: int
    info: DatasetInfo

    def version(self) -> object:
        return None

    def read(self, sel, derived, target, progress, cancelled) -> SliceData:
        dataset = self.files.dataset(self.file_index, self.info)
        return read_slice(dataset, self.info, sel, derived, target, progress, cancelled)

    def scan(self, derived: bool, **options) -> ScanResult:
        if derived:  # relative load of counts: every block spans the expert axis and is converted
            axis = expert_axis(self.info)
            options.update(transform=lambda block: relative_load(block, axis=axis), full_axes=(axis,))
        return scan_dataset(self.files.dataset(self.file_index, self.info), self.info.value, **options)

    def complete(self) -> bool:
        return True

    def compute(self, **options) -> None:
        return None


@dataclass(frozen=True)
class MetricSource:
    """A metric view: a statistic over one axis of a stored dataset, computed on demand."""

    files: OpenFiles
    file_index: int
    info: DatasetInfo

    def _values(self) -> ReducedArray:
        return self.files.reduced(self.file_index, self.info)

    def version(self) -> object:
        return self._values().version

    def read(self, sel, derived, target, progress, cancelled) -> SliceData:
        return reduced_slice(self._values(), self.info, sel, target, progress, cancelled)

    def scan(self, derived: bool, **options) -> ScanResult:
        self.compute(cancelled=options.get("cancelled"))
        return scan_reduced(self._values(), options.get("percentiles", (2.0, 98.0)))

    def complete(self) -> bool:
        return self._values().complete

    def compute(self, **options) -> None:
        out = self._values()
        if out.complete:
            return
        catalog = self.files.catalog_of(self.file_index)
        base = catalog.find(self.info.reduction.base_path) if catalog is not None else None
        if base is None or not base.viewable:
            raise HeatscopeError("dataset is gone", self.info.display_path)
        dataset = self.files.dataset(self.file_index, base)
        cluster = self.files.cluster
        if cluster is not None and not self.files.is_remote(self.file_index):  # on the dask cluster
            path = str(Path(self.files.paths[self.file_index]).resolve())
            compute_on(cluster, path, dataset, base, self.info.reduction, out)
        else:
            compute(dataset, base, self.info.reduction, out, **options)


@dataclass(frozen=True)
class RunStackSource:
    """The same dataset (or metric view) of several runs behind a ``run`` axis."""

    files: OpenFiles
    info: DatasetInfo

    def _members(self) -> list[DatasetSource]:
        return [source_for(self.files, index, member) for index, member in self.files.members(self.info)]

    def version(self) -> object:
        # only a stack of metric views changes as its members fill in (and only then are
        # the members looked up: a cache lookup never opens a file)
        return tuple(m.version() for m in self._members()) if self.info.stack.reduce else None

    def read(self, sel, derived, target, progress, cancelled) -> SliceData:
        members = self.files.members(self.info)

        def read_member(member: int, msel: Selection) -> SliceData:
            index, member_info = members[member]  # through the session: each run's slice is cached
            return self.files.read(index, member_info, msel, derived, target, progress, cancelled)

        return stacked_slice(read_member, self.info, sel)

    def scan(self, derived: bool, **options) -> ScanResult:
        scans = [self.files.scan(index, member, derived, **{**options, "percentiles": ()})
                 for index, member in self.files.members(self.info)]
        found = [r for r in scans if r.count]
        missing = sum(r.n_nonfinite for r in scans)
        if not found:
            return ScanResult(0, missing, math.nan, math.nan, math.nan, {})
        count = sum(r.count for r in found)
        return ScanResult(count, missing, min(r.min for r in found), max(r.max for r in found),
                          sum(r.mean * r.count for r in found) / count, {})

    def complete(self) -> bool:
        return not self.info.stack.reduce or all(m.complete() for m in self._members())

    def compute(self, **options) -> None:
        for member in self._members():
            member.compute(**options)


def source_for(files: OpenFiles, file_index: int, info: DatasetInfo) -> DatasetSource:
    """The source behind ``info`` in file ``file_index`` (a stack's runs are its own)."""
    if info.stack is not None:
        return RunStackSource(files, info)
    if info.reduction is not None:
        return MetricSource(files, file_index, info)
    return StoredSource(files, file_index, info)
