"""The open files of one heatscope run: catalogs, dataset handles and a small slice cache.

Used from worker threads by the TUI and directly by headless commands. h5py serializes
calls into the HDF5 library, so reading from several threads is safe.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from pathlib import Path

import h5py

from heatscope.catalog.datasets import Catalog, DatasetInfo, build_catalog
from heatscope.catalog.run_names import run_names
from heatscope.errors import HeatscopeError
from heatscope.read.dataset_sources import DatasetSource, source_for
from heatscope.read.reduce import ReducedArray, reduced_info
from heatscope.read.run_stack import stack_info
from heatscope.read.selection import Selection
from heatscope.read.slices import OVERVIEW_CELLS, SliceData
from heatscope.sources.backends import is_remote
from heatscope.sources.opening import open_hdf5
from heatscope.sources.signature import HDF5_ERRORS
from heatscope.stats.scan import ScanResult
from heatscope.text import encode_name

SLICE_CACHE = 64
MAX_OPEN = 64  # files kept open at once (the working set)


@dataclass
class OpenedFile:
    path: Path
    handle: h5py.File | None
    catalog: Catalog | None
    error: str | None = None
    stamp: tuple[int, int] | None = None  # (size, mtime_ns) when opened, to notice rewrites


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


class Session:
    """Files opened read-only, their catalogs, and cached reads of recent slices."""

    def __init__(self, paths: list[Path], cluster=None) -> None:
        self.paths = list(paths)
        self.cluster = cluster  # a dask cluster (heatscope.cluster) metric views of local files are computed on
        self.names = run_names(self.paths)  # display-safe run names, one per path
        self.files: list[OpenedFile] = []
        self._cache: OrderedDict[tuple, SliceData] = OrderedDict()
        self._lock = threading.Lock()
        self._reductions: dict[tuple, ReducedArray] = {}  # metric views, per file and reduction
        self._recent: OrderedDict[int, None] = OrderedDict()  # open files, least recently used first
        self._memo: OrderedDict[tuple, object] = OrderedDict()  # derived results (slice summaries...)
        self._open_lock = threading.RLock()
        self.pinned: set[int] = set()  # files the working set never closes (the current view's)

    def is_remote(self, file_index: int) -> bool:
        """A file behind a URL (read through fsspec: nothing is scanned in full)."""
        return is_remote(self.paths[file_index])

    def open_all(self, eager: int = 8) -> list[OpenedFile]:
        """List every path and open and catalog the first ``eager`` of them; the rest of a
        big run directory is opened on demand (``ensure_open``). A bad file keeps its
        one-line error."""
        self.files = [OpenedFile(p, None, None, stamp=_stamp(p)) for p in self.paths]
        for index in range(min(eager, len(self.files))):
            self.ensure_open(index)
        return self.files

    def ensure_open(self, file_index: int) -> OpenedFile:
        """The file, opened and catalogued (once; reopened if the working set closed it).

        At most ``MAX_OPEN`` files stay open: beyond that the least recently used are
        closed again (their catalogs are kept), so a directory of thousands of runs does
        not hold thousands of HDF5 handles."""
        with self._open_lock:
            f = self.files[file_index]
            if f.handle is None and f.error is None:
                if f.catalog is not None and f.stamp == _stamp(f.path):
                    try:  # closed by the working set, unchanged since: only the handle again
                        f.handle = open_hdf5(f.path)
                        f.catalog.source = f.handle
                    except HeatscopeError as exc:
                        f.error = str(exc)
                else:
                    self.files[file_index] = f = self._open(f.path)
            self._recent.pop(file_index, None)
            if f.handle is not None:
                self._recent[file_index] = None
                self._shrink()
            return f

    def _shrink(self) -> None:
        for index in list(self._recent):
            if len(self._recent) <= MAX_OPEN:
                return
            if index in self.pinned:  # the view on screen reads from it
                continue
            del self._recent[index]
            f = self.files[index]
            if f.handle is not None:
                try:
                    f.handle.close()
                except (OSError, RuntimeError):
                    pass
                f.handle = None

    def _open(self, path: Path) -> OpenedFile:
        stamp = _stamp(path)
        try:
            handle = open_hdf5(path)
        except HeatscopeError as exc:
            return OpenedFile(path, None, None, str(exc), stamp=stamp)
        try:
            return OpenedFile(path, handle, build_catalog(handle), stamp=stamp)
        except (HeatscopeError, *HDF5_ERRORS) as exc:
            handle.close()
            error = exc if isinstance(exc, HeatscopeError) else HeatscopeError(f"damaged HDF5 file ({exc})", str(path))
            return OpenedFile(path, None, None, str(error), stamp=stamp)

    def refresh(self, file_index: int) -> bool:
        """Pick up data a writer added since the file was opened; True when anything changed.

        A file open in SWMR mode has every dataset refreshed in place; any other file is
        reopened when its size or mtime changed (a writer that closes and reopens it). The
        old handle is closed first: HDF5 shares one open file per process, so reopening
        beside it would see stale metadata. A failed reopen (a writer mid-flush) keeps the
        old catalog and is retried on the next call; the caller keeps its last good frame.
        """
        current = self.ensure_open(file_index)
        if current.handle is not None and current.handle.swmr_mode:
            before = [d.shape for d in current.catalog.datasets]
            for d in current.catalog.datasets:
                current.handle[encode_name(d.path)].refresh()
            fresh = build_catalog(current.handle)
            changed = [d.shape for d in fresh.datasets] != before
            current.stamp = _stamp(current.path)
        else:
            stamp = _stamp(current.path)
            if stamp == current.stamp:
                return False
            if current.handle is not None:
                current.handle.close()
            reopened = self._open(current.path)
            if reopened.catalog is None:  # torn mid-write: retry next time
                self.files[file_index] = OpenedFile(current.path, None, current.catalog, reopened.error)
                return False
            self.files[file_index] = reopened
            fresh, changed = reopened.catalog, True
        if changed:
            self.files[file_index].catalog = fresh
            with self._lock:
                for key in [k for k in self._cache if k[0] == file_index]:
                    del self._cache[key]
        return changed

    def memo(self, key: tuple, compute):
        """``compute()``'s result, remembered under ``key`` for the most recent
        ``SLICE_CACHE`` keys (e.g. a slice's summary, computed by the worker that read it)."""
        with self._lock:
            if key in self._memo:
                self._memo.move_to_end(key)
                return self._memo[key]
        value = compute()
        with self._lock:
            self._memo[key] = value
            while len(self._memo) > SLICE_CACHE:
                self._memo.popitem(last=False)
        return value

    def run_name(self, file_index: int) -> str:
        """The run's short display-safe name (``run007``, ``lr3e-4/seed1``)."""
        return self.names[file_index]

    def title_run(self, file_index: int, info: DatasetInfo) -> str:
        """The run's name for a view's titles: only when several runs are open and the view
        is not a stack of them already ("" otherwise)."""
        return self.run_name(file_index) if len(self.files) > 1 and not info.stack else ""

    def name_order(self) -> list[int]:
        """File indices sorted by path: the order runs are listed and searched in."""
        return sorted(range(len(self.files)), key=lambda i: str(self.files[i].path))

    def initial_dataset(self, wanted: str | None = None, order: list[int] | None = None) -> tuple[int, DatasetInfo]:
        """The first file (in ``order``) holding ``wanted`` (or its default dataset), opening
        files as needed. Raises HeatscopeError with the reason when there is none."""
        for i in self.name_order() if order is None else order:
            catalog = self.ensure_open(i).catalog
            info = None if catalog is None else (catalog.find(wanted) if wanted else catalog.default_dataset())
            if info is None:
                continue
            if not info.viewable:
                raise HeatscopeError(f"dataset is not viewable: {info.reason}", f"{self.files[i].path}:{info.path}")
            return i, info
        if not any(f.catalog for f in self.files):
            raise HeatscopeError(next((f.error for f in self.files if f.error), "no files"))
        if wanted:
            raise HeatscopeError(f"no dataset named {wanted!r} in the given files")
        raise HeatscopeError("no viewable dataset in the given files")

    def dataset(self, file_index: int, info: DatasetInfo) -> h5py.Dataset:
        handle = self.ensure_open(file_index).handle
        if handle is None:
            raise HeatscopeError("file is not open", str(self.files[file_index].path))
        try:
            return handle[encode_name(info.path)]
        except (KeyError, OSError) as exc:
            raise HeatscopeError(f"cannot open dataset ({exc})", info.path) from None

    def source(self, file_index: int, info: DatasetInfo) -> DatasetSource:
        """What ``info`` is read from: the stored dataset, a metric view or a run stack."""
        return source_for(self, file_index, info)

    def catalog_of(self, file_index: int) -> Catalog | None:
        """The file's catalog (opening the file if it never was)."""
        return self.ensure_open(file_index).catalog

    def cache_key(self, file_index: int, info: DatasetInfo, sel: Selection, derived: bool, target) -> tuple:
        big = sel.n_rows * sel.n_cols > OVERVIEW_CELLS  # overviews depend on the size asked for
        version = self.source(file_index, info).version()
        return (file_index, info.path, info.reduction, info.stack, version, derived, sel.identity,
                tuple(target or ()) if big else ())

    def cached(self, file_index: int, info: DatasetInfo, sel: Selection, derived: bool = False,
               target: tuple[int, int] | None = None) -> SliceData | None:
        """The slice if it was read recently (never touches the disk), else None."""
        key = self.cache_key(file_index, info, sel, derived, target)
        with self._lock:
            if key not in self._cache:
                return None
            self._cache.move_to_end(key)
            hit = self._cache[key]
        return replace(hit, selection=sel)

    def read(self, file_index: int, info: DatasetInfo, sel: Selection, derived: bool = False,
             target: tuple[int, int] | None = None, progress=None, cancelled=None) -> SliceData:
        """The decoded slice, from the cache when it was read recently; a slice too large
        to read whole comes as an overview of at most ``target`` cells."""
        hit = self.cached(file_index, info, sel, derived, target)
        if hit is not None:
            return hit
        key = self.cache_key(file_index, info, sel, derived, target)
        data = self.source(file_index, info).read(sel, derived, target, progress, cancelled)
        with self._lock:
            self._cache[key] = data
            while len(self._cache) > SLICE_CACHE:
                self._cache.popitem(last=False)
        return data

    def members(self, info: DatasetInfo) -> list[tuple[int, DatasetInfo]]:
        """(file index, dataset as each run holds it) for every run of a stacked dataset;
        a stack of metric views gives each run's metric view."""
        out = []
        for index in info.stack.members:  # catalogs outlive closed handles: no file is opened here
            catalog = self.files[index].catalog or self.ensure_open(index).catalog
            member = catalog.find(info.stack.base_path) if catalog is not None else None
            if member is None:
                raise HeatscopeError("the run no longer holds the dataset", self.run_name(index))
            out.append((index, reduced_info(member, *info.stack.reduce) if info.stack.reduce else member))
        return out

    def stack(self, path: str, order: list[int], reduce: tuple[str, str] | None = None):
        """``path`` in every run of ``order`` (opened as needed) stacked behind a ``run``
        axis, and the runs left out with the reason. Raises HeatscopeError when fewer than
        two runs hold it."""
        found, left_out = [], []
        for index in order:
            f = self.ensure_open(index)
            info = f.catalog.find(path) if f.catalog is not None else None
            if info is None:
                left_out.append((index, f.error or "no such dataset"))
            else:
                found.append((index, reduced_info(info, *reduce) if reduce and info.viewable else info))
        if not found:
            raise HeatscopeError(f"no run holds {path}")
        stacked, differ = stack_info(found, self.names)
        if len(stacked.stack.members) < 2:
            raise HeatscopeError(f"fewer than two runs hold {path} with the same layout")
        if reduce is not None:
            stacked = replace(stacked, stack=replace(stacked.stack, reduce=reduce))
        return stacked, left_out + differ

    def reduction_complete(self, file_index: int, info: DatasetInfo) -> bool:
        """Whether a metric view (every run's, for a stack) is fully computed."""
        return self.source(file_index, info).complete()

    def reduced(self, file_index: int, info: DatasetInfo) -> ReducedArray:
        """The (possibly partial) values of the metric view ``info``, kept per file and reduction."""
        key = (file_index, info.reduction)
        with self._lock:
            if key not in self._reductions:
                self._reductions[key] = ReducedArray(info.shape, info.reduction.stat)
            return self._reductions[key]

    def compute_reduction(self, file_index: int, info: DatasetInfo, **options) -> None:
        """Compute what the view ``info`` does not store (a metric view, every run's for a
        stack; ``reduce.compute``'s options); nothing for stored data or a finished view.
        Raises HeatscopeError when its dataset is gone."""
        self.source(file_index, info).compute(**options)

    def scan(self, file_index: int, info: DatasetInfo, derived: bool = False, **options) -> ScanResult:
        """The global range of the view's values, chunk by chunk (``stats.scan.scan_dataset``)."""
        return self.source(file_index, info).scan(derived, **options)

    def close(self) -> None:
        for f in self.files:
            if f.handle is not None:
                try:
                    f.handle.close()
                except (OSError, RuntimeError):
                    pass
