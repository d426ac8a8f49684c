"""Slices and ranges of metric views, from the in-memory ``ReducedArray``.

A slice of a reduction is taken from memory; cells whose block is not computed yet are
shown as missing (the view fills in as the worker goes). A large slice (160,000 steps x
61 layers) is max-pooled incrementally: each (selection, size) keeps an accumulator that
is fed only the blocks finished since it was last read, so a redraw during a long
reduction costs what changed, not the whole result.
"""

from __future__ import annotations

import math

import numpy as np

from heatscope.catalog.datasets import DatasetInfo
from heatscope.read.pooling import OVERVIEW_SHAPE, _Accumulator, pool_factors
from heatscope.read.reduce import ReducedArray
from heatscope.read.selection import Selection
from heatscope.read.slices import OVERVIEW_CELLS, SliceData
from heatscope.stats.scan import HIST_BINS, ScanResult


def _meets(block: tuple[slice, ...], sel: Selection) -> tuple[slice, slice] | None:
    """The (rows, cols) of the slice a finished block covers, or None."""
    for axis in sel.stepped_axes:
        if not block[axis].start <= sel.index[axis] < block[axis].stop:
            return None
    rows = block[sel.row_axis] if sel.row_axis is not None else slice(0, 1)
    return rows, block[sel.col_axis]


def _block_values(out: ReducedArray, sel: Selection, rows: slice, cols: slice) -> np.ndarray:
    key = list(sel.key())
    if sel.row_axis is not None:
        key[sel.row_axis] = rows
    key[sel.col_axis] = cols
    return sel.orient(out.values[tuple(key)].astype(np.float64))


def _pending(out: ReducedArray, sel: Selection) -> np.ndarray:
    """True where the slice's cells are not computed yet (rows x cols)."""
    pending = np.ones((sel.n_rows, sel.n_cols), dtype=bool)
    if out.complete:
        return pending & False
    for block in out.done:
        met = _meets(block, sel)
        if met is not None:
            pending[met] = False  # ranges on the displayed row and column axes
    return pending


def reduced_slice(out: ReducedArray, info: DatasetInfo, sel: Selection, target=None, progress=None,
                  cancelled=None) -> SliceData:
    """The slice ``sel`` of a metric view (pending cells missing; ``hot`` indices alongside)."""
    if sel.n_rows * sel.n_cols <= OVERVIEW_CELLS:
        with out.lock:
            values = sel.orient(out.values[sel.key()].astype(np.float64))
            pending = _pending(out, sel)
            hot = sel.orient(out.hot[sel.key()]) if out.hot is not None else None
        values[pending] = np.nan
        return SliceData(values, pending, sel, hot=hot)
    factors = pool_factors(sel.n_rows, sel.n_cols, *(target or OVERVIEW_SHAPE))
    with out.lock:
        acc, used = out.pools.get((sel.identity, factors), (None, 0))
        if acc is None:
            acc = _Accumulator(sel.n_rows, sel.n_cols, factors)
        for block in out.done[used:]:  # only what finished since the last read
            met = _meets(block, sel)
            if met is not None:
                rows, cols = met
                values = _block_values(out, sel, rows, cols)
                acc.add(rows.start, cols.start, values, np.zeros(values.shape, bool))
        out.pools[(sel.identity, factors)] = (acc, len(out.done))
        pooled, stats = acc.result(pending=acc.unread(sel.n_rows, sel.n_cols) > 0)
    return SliceData(pooled.values, pooled.missing, sel, pooled.factors, stats)


def _blocks(values: np.ndarray, size: int = 1 << 18):
    flat = values.reshape(-1)
    for start in range(0, flat.size, size):
        block = flat[start:start + size].astype(np.float64)
        yield block[np.isfinite(block)]


def scan_reduced(out: ReducedArray, percentiles: tuple[float, ...] = (2.0, 98.0)) -> ScanResult:
    """The global range of a finished metric view, like ``scan.scan_dataset``'s: block by
    block, so a large result is never copied whole."""
    count, lo, hi, total = 0, math.inf, -math.inf, 0.0
    for finite in _blocks(out.values):
        if finite.size:
            count += finite.size
            lo, hi = min(lo, float(finite.min())), max(hi, float(finite.max()))
            total += float(finite.sum())
    if not count:
        return ScanResult(0, int(out.values.size), math.nan, math.nan, math.nan, {})
    pct = {}
    if percentiles and hi > lo:  # the same histogram percentiles as the dataset scan
        hist = np.zeros(HIST_BINS, dtype=np.int64)
        for finite in _blocks(out.values):
            hist += np.histogram(finite, bins=HIST_BINS, range=(lo, hi))[0]
        cdf, edges = np.cumsum(hist), np.linspace(lo, hi, HIST_BINS + 1)
        for p in percentiles:
            i = int(np.searchsorted(cdf, p / 100.0 * count, side="left"))
            pct[p] = lo if p <= 0 else (hi if p >= 100 else float(edges[min(i + 1, HIST_BINS)]))
    elif percentiles:
        pct = {p: lo for p in percentiles}
    return ScanResult(count, int(out.values.size - count), lo, hi, total / count, pct)
