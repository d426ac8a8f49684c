"""Global range and percentiles of a large dataset, computed block by block.

Memory stays bounded by the block (about ``budget`` elements), never the dataset. Blocks
follow the chunk layout so each chunk is decompressed once per pass. Percentiles come from
a second pass that fills a fine histogram between the exact min and max.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import h5py
import numpy as np

from heatscope.catalog.values import ValueInfo
from heatscope.sources.vds import read_cells

DEFAULT_BUDGET = 1 << 18  # elements per block (2 MiB as float64): keeps peak memory flat
HIST_BINS = 1 << 14


class ScanCancelled(Exception):
    """Raised when the caller's ``cancelled()`` returned True between blocks."""


@dataclass(frozen=True)
class ScanResult:
    count: int  # finite values
    n_nonfinite: int
    min: float
    max: float
    mean: float
    percentiles: dict[float, float]


def block_shape(
    shape: tuple[int, ...], chunks: tuple[int, ...] | None, budget: int, full_axes: tuple[int, ...] = ()
) -> tuple[int, ...]:
    """A chunk-aligned block of about ``budget`` elements (at least one chunk).

    Grows the last axis first, so blocks are contiguous rows of whole chunks. Axes in
    ``full_axes`` always span their whole length (e.g. experts, to derive relative load).
    """
    unit = tuple(shape[a] if a in full_axes else c for a, c in enumerate(chunks or (1,) * len(shape)))
    block = list(unit)
    for axis in reversed(range(len(shape))):
        others = math.prod(block) // block[axis]
        fit = budget // max(1, others)
        block[axis] = min(shape[axis], max(unit[axis], fit // unit[axis] * unit[axis]))
        if math.prod(block) >= budget:
            break
    return tuple(min(b, s) for b, s in zip(block, shape))


def allocated_chunks(dset: h5py.Dataset, region_chunks: int, space=None) -> list[tuple[int, ...]] | None:
    """Offsets of the allocated chunks of a sparse dataset (of those meeting ``space``'s
    selection, which spans ``region_chunks`` chunks); None when it is not chunked or at
    least half of those chunks are allocated (then reading everything is as quick).

    Unallocated chunks hold the fill value by definition and need not be read.
    """
    if dset.chunks is None:
        return None
    try:
        n = dset.id.get_num_chunks(space) if space is not None else dset.id.get_num_chunks()
        if n * 2 > region_chunks:
            return None
        info = (lambda i: dset.id.get_chunk_info(i, space)) if space is not None else dset.id.get_chunk_info
        return [tuple(info(i).chunk_offset) for i in range(n)]
    except (AttributeError, OSError, RuntimeError, ValueError, TypeError):  # older HDF5, odd layouts
        return None


def fill_value(dset: h5py.Dataset, value: ValueInfo) -> tuple[float, bool]:
    """The decoded fill value of ``dset`` (what unallocated chunks hold) and whether it is
    the file's missing marker."""
    raw = np.asarray(dset.fillvalue if dset.fillvalue is not None else 0, dtype=dset.dtype).reshape(1)
    decoded, missing = value.decode(raw)
    return float(decoded[0]), bool(missing[0])


def iter_blocks(shape: tuple[int, ...], block: tuple[int, ...]) -> Iterator[tuple[slice, ...]]:
    """Every block of the grid covering ``shape``, in C order."""
    ranges = [range(0, n, b) for n, b in zip(shape, block)]
    for starts in itertools.product(*ranges):
        yield tuple(slice(s, min(s + b, n)) for s, b, n in zip(starts, block, shape))


def scan_dataset(
    dset: h5py.Dataset,
    value: ValueInfo,
    percentiles: tuple[float, ...] = (2.0, 98.0),
    budget: int = DEFAULT_BUDGET,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    transform: Callable[[np.ndarray], np.ndarray] | None = None,
    full_axes: tuple[int, ...] = (),
) -> ScanResult:
    """Exact count/min/max/mean and histogram percentiles over every finite value of ``dset``.

    ``transform`` maps each decoded block before it is counted (blocks span ``full_axes``).
    """
    shape = tuple(dset.shape)
    offsets = None
    if transform is None and dset.chunks is not None:
        offsets = allocated_chunks(dset, math.prod(math.ceil(n / c) for n, c in zip(shape, dset.chunks)))
    if offsets is not None:  # sparse: only the allocated chunks; the rest is the fill value
        blocks = [tuple(slice(o, min(o + c, n)) for o, c, n in zip(off, dset.chunks, shape)) for off in offsets]
        unread = math.prod(shape) - sum(math.prod(k.stop - k.start for k in key) for key in blocks)
        fill, fill_missing = fill_value(dset, value)
    else:
        blocks = list(iter_blocks(shape, block_shape(shape, dset.chunks, budget, full_axes)))
        unread, fill, fill_missing = 0, math.nan, True
    passes = 2 if percentiles else 1
    total_steps = max(1, len(blocks) * passes)
    step = 0

    def blocks_of_values() -> Iterator[np.ndarray]:
        nonlocal step
        for key in blocks:
            if cancelled is not None and cancelled():
                raise ScanCancelled()
            values, _ = value.decode(read_cells(dset, key))
            if transform is not None:
                values = transform(values)
            step += 1
            if progress is not None:
                progress(step / total_steps)
            yield values

    count = nonfinite = 0
    lo, hi, total = math.inf, -math.inf, 0.0
    fill_counts = unread and not fill_missing and math.isfinite(fill)
    if fill_counts:
        count, lo, hi, total = unread, fill, fill, fill * unread
    elif unread:
        nonfinite = unread
    for values in blocks_of_values():
        finite = values[np.isfinite(values)]
        nonfinite += values.size - finite.size
        if finite.size:
            count += finite.size
            lo = min(lo, float(finite.min()))
            hi = max(hi, float(finite.max()))
            with np.errstate(over="ignore", invalid="ignore"):  # near the float64 limits: an inf or NaN mean
                total += float(finite.sum())
    if count == 0:
        return ScanResult(0, nonfinite, math.nan, math.nan, math.nan, {})
    result_pct: dict[float, float] = {}
    if percentiles and hi > lo:
        # a histogram of positions 0..1 in the range: numpy cannot make 16384 finite bins of
        # a range that overflows (+-1e308) or is narrow for its magnitude (int64 extremes)
        halves = not math.isfinite(hi - lo)
        start, span = (lo / 2, hi / 2 - lo / 2) if halves else (lo, hi - lo)

        def position(v):
            return np.clip(((v / 2 if halves else v) - start) / span, 0.0, 1.0)

        hist = np.zeros(HIST_BINS, dtype=np.int64)
        if fill_counts:
            hist[min(HIST_BINS - 1, int(position(fill) * HIST_BINS))] += unread
        for values in blocks_of_values():
            hist += np.histogram(position(values[np.isfinite(values)]), bins=HIST_BINS, range=(0.0, 1.0))[0]
        cdf = np.cumsum(hist)
        edges = (start + span * np.linspace(0.0, 1.0, HIST_BINS + 1)) * (2 if halves else 1)
        edges = np.clip(edges, lo, hi)
        for p in percentiles:
            target = p / 100.0 * count
            i = int(np.searchsorted(cdf, target, side="left"))
            result_pct[p] = float(edges[min(i + 1, HIST_BINS)]) if p < 100 else hi
            if p <= 0:
                result_pct[p] = lo
    elif percentiles:
        result_pct = {p: lo for p in percentiles}
    return ScanResult(count, nonfinite, lo, hi, total / count, result_pct)
