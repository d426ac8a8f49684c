"""Max-pooled overviews: slices too large to draw (or to hold) cell by cell.

A slice above ``OVERVIEW_CELLS`` is read block by block (chunk-aligned, about ``budget``
values at a time, so memory stays bounded whatever the slice) and reduced to blocks of
``rs`` x ``cs`` data cells, each holding its largest value, as the heatmap aggregates: a
hot cell is never dropped. Blocks that hold no value at all stay NaN, or missing when one
of their cells is the file's fill value. For a sparse chunked dataset only the allocated
chunks are read; the rest of the slice holds the fill value by definition. The exact
statistics of the whole slice (count, min, max, mean, the hottest cells) are gathered in
the same pass.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from dataclasses import dataclass

import h5py
import numpy as np

from heatscope.catalog.datasets import DatasetInfo
from heatscope.read.selection import Selection
from heatscope.sources.vds import read_cells
from heatscope.stats.scan import ScanCancelled, allocated_chunks, block_shape, fill_value
from heatscope.stats.slice_stats import BasicStats, HotCell

DEFAULT_BUDGET = 1 << 20  # values per block read
OVERVIEW_SHAPE = (2048, 2048)  # at most this many pooled cells when no size is asked for
TOP = 5


@dataclass(frozen=True)
class Pooled:
    """A max-pooled slice: ``values[i, j]`` is the largest value of data rows
    ``i*rs .. i*rs+rs-1`` and columns ``j*cs ..``; ``missing`` where a block holds only
    non-finite cells, one of them the file's fill value."""

    values: np.ndarray
    missing: np.ndarray
    factors: tuple[int, int]


@dataclass(frozen=True)
class OverviewStats:
    """Exact statistics of the whole slice behind an overview."""

    basic: BasicStats
    hottest: list[HotCell]  # in data coordinates


def pool_factors(n_rows: int, n_cols: int, max_rows: int, max_cols: int) -> tuple[int, int]:
    """The smallest factors that bring the slice within ``max_rows`` x ``max_cols`` cells."""
    return max(1, math.ceil(n_rows / max(1, max_rows))), max(1, math.ceil(n_cols / max(1, max_cols)))


def _starts(offset: int, length: int, factor: int) -> np.ndarray:
    """Positions within a run of ``length`` cells starting at data index ``offset`` where
    a new pooled block begins (always including 0)."""
    first = (-offset) % factor
    return np.unique(np.concatenate([[0], np.arange(first, length, factor)]))


class _Accumulator:
    """Pooled maxima and whole-slice statistics, updated one block at a time."""

    def __init__(self, n_rows: int, n_cols: int, factors: tuple[int, int]) -> None:
        self.factors = factors
        shape = (math.ceil(n_rows / factors[0]), math.ceil(n_cols / factors[1]))
        self.best = np.full(shape, -np.inf)
        self.has_value = np.zeros(shape, bool)  # any non-NaN cell
        self.any_missing = np.zeros(shape, bool)
        self.covered = np.zeros(shape, np.int64)  # data cells read (the rest hold the fill value)
        self.count = self.n_nan = self.n_inf = self.n_missing = 0
        self.lo, self.hi, self.total, self.total_sq = math.inf, -math.inf, 0.0, 0.0
        self.top: list[tuple[float, int, int]] = []  # min-heap of (value, -row, -col)

    def add(self, r0: int, c0: int, values: np.ndarray, missing: np.ndarray) -> None:
        rs, cs = self.factors
        nr, nc = values.shape
        rows, cols = _starts(r0, nr, rs), _starts(c0, nc, cs)
        i0, j0 = r0 // rs, c0 // cs
        cells = (slice(i0, i0 + len(rows)), slice(j0, j0 + len(cols)))
        nan = np.isnan(values)
        filled = np.where(nan, -np.inf, values)
        pooled = np.maximum.reduceat(np.maximum.reduceat(filled, rows, axis=0), cols, axis=1)
        self.best[cells] = np.maximum(self.best[cells], pooled)
        has = np.logical_or.reduceat(np.logical_or.reduceat(~nan, rows, axis=0), cols, axis=1)
        self.has_value[cells] |= has
        if missing.any():
            self.any_missing[cells] |= np.logical_or.reduceat(
                np.logical_or.reduceat(missing, rows, axis=0), cols, axis=1)
        self.covered[cells] += np.outer(np.diff(np.append(rows, nr)), np.diff(np.append(cols, nc)))
        self._count(r0, c0, values, missing, nan)

    def _count(self, r0: int, c0: int, values: np.ndarray, missing: np.ndarray, nan: np.ndarray) -> None:
        finite = np.isfinite(values)
        good = values[finite]
        self.n_inf += int(np.count_nonzero(np.isinf(values)))
        self.n_missing += int(np.count_nonzero(missing))
        self.n_nan += int(np.count_nonzero(nan & ~missing))
        if not good.size:
            return
        with np.errstate(all="ignore"):
            self.count += good.size
            self.lo, self.hi = min(self.lo, float(good.min())), max(self.hi, float(good.max()))
            self.total += float(good.sum())
            self.total_sq += float(np.square(good).sum())
        flat = np.where(finite, values, -np.inf).ravel()
        k = min(TOP, good.size)
        kth = flat[np.argpartition(-flat, k - 1)[k - 1]]  # ties at the k-th value: first in order
        above = np.flatnonzero(flat > kth)
        chosen = np.concatenate([above, np.flatnonzero(flat == kth)[: k - above.size]])
        for i in chosen:
            item = (float(flat[i]), -(r0 + int(i) // values.shape[1]), -(c0 + int(i) % values.shape[1]))
            if len(self.top) < TOP:
                heapq.heappush(self.top, item)
            else:
                heapq.heappushpop(self.top, item)

    def unread(self, n_rows: int, n_cols: int) -> np.ndarray:
        """Data cells of each block that no ``add`` covered."""
        rs, cs = self.factors
        rows = np.diff(np.append(np.arange(0, n_rows, rs), n_rows))
        cols = np.diff(np.append(np.arange(0, n_cols, cs), n_cols))
        return np.outer(rows, cols) - self.covered

    def add_fill(self, n_rows: int, n_cols: int, value: float, missing: bool) -> None:
        """Every data cell not read holds the fill value (unallocated chunks)."""
        unread = self.unread(n_rows, n_cols)
        some = unread > 0
        if not some.any():
            return
        if math.isnan(value):
            self.any_missing[some] |= missing
        else:
            self.best[some] = np.maximum(self.best[some], value)
            self.has_value[some] = True
        n = int(unread.sum())
        if missing:
            self.n_missing += n
        elif math.isnan(value):
            self.n_nan += n
        elif math.isinf(value):
            self.n_inf += n
        else:
            self.count += n
            self.lo, self.hi = min(self.lo, value), max(self.hi, value)
            self.total += value * n
            self.total_sq += value * value * n

    def result(self, pending: np.ndarray | None = None) -> tuple[Pooled, OverviewStats]:
        """The overview so far; blocks with no value where ``pending`` holds are missing."""
        values = np.where(self.has_value, self.best, np.nan)
        missing = self.any_missing if pending is None else (self.any_missing | pending)
        pooled = Pooled(values, ~self.has_value & missing, self.factors)
        if self.count:
            mean = self.total / self.count
            std = math.sqrt(max(0.0, self.total_sq / self.count - mean * mean)) if math.isfinite(mean) else math.nan
            basic = BasicStats(self.count, self.n_nan, self.n_inf, self.n_missing, self.lo, self.hi, mean, std)
        else:
            basic = BasicStats(0, self.n_nan, self.n_inf, self.n_missing, math.nan, math.nan, math.nan, math.nan)
        hottest = [HotCell(v, -r, -c) for v, r, c in sorted(self.top, reverse=True)]
        return pooled, OverviewStats(basic, hottest)


def pool_max(values: np.ndarray, missing: np.ndarray, factors: tuple[int, int]) -> Pooled:
    """An in-memory slice max-pooled by ``factors`` (e.g. to cap an image's size)."""
    acc = _Accumulator(*values.shape, factors)
    acc.add(0, 0, np.asarray(values, np.float64), np.asarray(missing, bool))
    return acc.result()[0]


def _region_key(sel: Selection, rows: slice, cols: slice, kept: tuple[int, ...]) -> tuple:
    key = list(sel.key(kept))
    if sel.row_axis is not None:
        key[sel.row_axis] = rows
    key[sel.col_axis] = cols
    return tuple(key)


def _allocated_boxes(dset: h5py.Dataset, sel: Selection) -> list[tuple[slice, slice]] | None:
    """The parts of the slice covered by allocated chunks when the dataset is sparse
    (``scan.allocated_chunks``), else None (read everything)."""
    if dset.chunks is None or sel.row_axis is None:
        return None
    try:
        space = dset.id.get_space()
        key = sel.key()
        space.select_hyperslab(tuple(0 if isinstance(k, slice) else k for k in key),
                               tuple(n if isinstance(k, slice) else 1 for k, n in zip(key, sel.shape)))
    except (AttributeError, OSError, RuntimeError, ValueError, TypeError):  # h5pyd: no spaces
        return None
    chunks = dset.chunks
    rc, cc = chunks[sel.row_axis], chunks[sel.col_axis]
    offsets = allocated_chunks(dset, math.ceil(sel.n_rows / rc) * math.ceil(sel.n_cols / cc), space)
    if offsets is None:
        return None
    return [(slice(o[sel.row_axis], min(o[sel.row_axis] + rc, sel.n_rows)),
             slice(o[sel.col_axis], min(o[sel.col_axis] + cc, sel.n_cols))) for o in offsets]


BlockReader = Callable[[slice, slice], tuple[np.ndarray, np.ndarray]]  # rows, cols -> (values, missing)


def dense_boxes(n_rows: int, n_cols: int, unit: tuple[int, int] | None, budget: int,
                full: tuple[int, ...] = ()) -> list[tuple[slice, slice]]:
    """Blocks tiling a ``n_rows`` x ``n_cols`` slice, aligned to ``unit`` (chunks) when given."""
    block = block_shape((n_rows, n_cols), unit, budget, full)
    return [(slice(r0, min(r0 + block[0], n_rows)), slice(c0, min(c0 + block[1], n_cols)))
            for r0 in range(0, n_rows, block[0]) for c0 in range(0, n_cols, block[1])]


def pool_blocks(
    n_rows: int, n_cols: int, factors: tuple[int, int], boxes: list[tuple[slice, slice]], read: BlockReader,
    fill: tuple[float, bool] | None = None, progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> tuple[Pooled, OverviewStats]:
    """Pool a slice read box by box; cells no box covers hold ``fill`` (value, is missing)."""
    acc = _Accumulator(n_rows, n_cols, factors)
    for done, (rows, cols) in enumerate(boxes, start=1):
        if cancelled is not None and cancelled():
            raise ScanCancelled()
        values, missing = read(rows, cols)
        acc.add(rows.start, cols.start, values, missing)
        if progress is not None:
            progress(done / len(boxes))
    if fill is not None:
        acc.add_fill(n_rows, n_cols, *fill)
    return acc.result()


def read_overview(
    dset: h5py.Dataset,
    info: DatasetInfo,
    sel: Selection,
    factors: tuple[int, int],
    transform: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None,
    expert_axis: int | None = None,
    budget: int = DEFAULT_BUDGET,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> tuple[Pooled, OverviewStats]:
    """The slice ``sel`` of an HDF5 dataset max-pooled by ``factors``, read block by block.

    ``transform`` (relative load) maps each decoded block, which then spans the whole
    ``expert_axis`` (kept in full when it is not displayed, and picked after).
    """
    kept = () if expert_axis is None or expert_axis in sel.displayed else (expert_axis,)
    full = ()
    if expert_axis is not None and expert_axis in sel.displayed:
        full = (0,) if expert_axis == sel.row_axis else (1,)
    per_cell = sel.shape[kept[0]] if kept else 1

    def read(rows: slice, cols: slice) -> tuple[np.ndarray, np.ndarray]:
        raw = sel.orient(read_cells(dset, _region_key(sel, rows, cols, kept)), kept)
        values, missing = info.value.decode(raw)
        return transform(values, missing) if transform is not None else (values, missing)

    boxes = None if transform is not None else _allocated_boxes(dset, sel)
    fill = None if boxes is None else fill_value(dset, info.value)
    if boxes is None:
        chunks = dset.chunks
        unit = None if chunks is None else (chunks[sel.row_axis] if sel.row_axis is not None else 1,
                                            chunks[sel.col_axis])
        boxes = dense_boxes(sel.n_rows, sel.n_cols, unit, max(1, budget // per_cell), full)
    return pool_blocks(sel.n_rows, sel.n_cols, factors, boxes, read, fill, progress, cancelled)
