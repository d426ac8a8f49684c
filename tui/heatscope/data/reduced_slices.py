"""Slices and ranges of metric views, from the in-memory ``ReducedArray``.

A slice of a reduction is taken from memory; cells whose block is not computed yet are
shown as missing (the view fills in as the worker goes). A large slice (160,000 steps x
61 layers) is max-pooled block by block like an HDF5 overview, so memory stays bounded.
"""

from __future__ import annotations

import math

import numpy as np

from heatscope.data.catalog import DatasetInfo
from heatscope.data.pooling import (
    DEFAULT_BUDGET,
    OVERVIEW_CELLS,
    OVERVIEW_SHAPE,
    dense_boxes,
    pool_blocks,
    pool_factors,
)
from heatscope.data.reduce import ReducedArray
from heatscope.data.scan import HIST_BINS, ScanResult
from heatscope.data.selection import Selection
from heatscope.data.slices import SliceData


def _region(out: ReducedArray, sel: Selection, rows: slice, cols: slice) -> tuple[np.ndarray, np.ndarray]:
    key = list(sel.key())
    if sel.row_axis is not None:
        key[sel.row_axis] = rows
    key[sel.col_axis] = cols
    with out.lock:
        values = sel.orient(out.values[tuple(key)].astype(np.float64))
        pending = sel.orient(~out.computed[tuple(key)])
    values[pending] = np.nan
    return values, pending


def reduced_slice(out: ReducedArray, info: DatasetInfo, sel: Selection, target=None, progress=None,
                  cancelled=None) -> SliceData:
    """The slice ``sel`` of a metric view (pending cells missing; ``hot`` indices alongside)."""
    if sel.n_rows * sel.n_cols <= OVERVIEW_CELLS:
        values, missing = _region(out, sel, slice(None), slice(None))
        hot = None
        if out.hot is not None:
            with out.lock:
                hot = sel.orient(out.hot[sel.key()])
        return SliceData(values, missing, sel, hot=hot)
    factors = pool_factors(sel.n_rows, sel.n_cols, *(target or OVERVIEW_SHAPE))
    boxes = dense_boxes(sel.n_rows, sel.n_cols, None, DEFAULT_BUDGET)
    pooled, stats = pool_blocks(sel.n_rows, sel.n_cols, factors, boxes,
                                lambda rows, cols: _region(out, sel, rows, cols),
                                progress=progress, cancelled=cancelled)
    return SliceData(pooled.values, pooled.missing, sel, pooled.factors, stats)


def scan_reduced(out: ReducedArray, percentiles: tuple[float, ...] = (2.0, 98.0)) -> ScanResult:
    """The global range of a finished metric view, like ``scan.scan_dataset``'s."""
    finite = out.values[np.isfinite(out.values)].astype(np.float64)
    if not finite.size:
        return ScanResult(0, int(out.values.size), math.nan, math.nan, math.nan, {})
    lo, hi = float(finite.min()), float(finite.max())
    pct = {}
    if percentiles:
        if hi > lo:  # the same histogram percentiles as the dataset scan
            hist, edges = np.histogram(finite, bins=HIST_BINS, range=(lo, hi))
            cdf = np.cumsum(hist)
            for p in percentiles:
                i = int(np.searchsorted(cdf, p / 100.0 * finite.size, side="left"))
                pct[p] = lo if p <= 0 else (hi if p >= 100 else float(edges[min(i + 1, HIST_BINS)]))
        else:
            pct = {p: lo for p in percentiles}
    return ScanResult(int(finite.size), int(out.values.size - finite.size), lo, hi, float(finite.mean()), pct)
