"""Metric views computed on a dask cluster (``export --reduce ... --workers/--scheduler``).

The blocks ``reduce.compute`` reads one after the other (along the chunk layout, each one
spanning the reduced axis) are grouped into tasks of about ``TASK_BYTES`` of values; each
task opens the file itself, read-only and without the HDF5 lock as every heatscope open
does, reduces its blocks with the same ``reduce_block`` and returns them. A block's result
is final (it holds the whole reduced axis), so the client only puts the partial results
in place: the numbers are the local computation's, block for block. The workers need the
file at the same path; remote files stay local.
"""

from __future__ import annotations

import math

import h5py

from heatscope.catalog.datasets import DatasetInfo
from heatscope.catalog.values import ValueInfo
from heatscope.catalog.virtual import Reduction
from heatscope.read.reduce import DEFAULT_BUDGET, ReducedArray, reduce_block, reduction_blocks, store
from heatscope.sources.opening import open_hdf5

TASK_BYTES = 64 << 20  # float64 values read by one task


def reduce_blocks(path: str, name: str, value: ValueInfo, expert: int | None, axis: int, stat: str,
                  keys: list[tuple[slice, ...]]) -> list:
    """On a worker: the results of the blocks ``keys`` of dataset ``name`` of ``path``."""
    with open_hdf5(path) as f:
        dset = f[name]
        return [reduce_block(dset, value, key, expert, axis, stat) for key in keys]


def compute_on(cluster, path: str, dset: h5py.Dataset, base: DatasetInfo, reduction: Reduction, out: ReducedArray,
               budget: int = DEFAULT_BUDGET) -> None:
    """Fill ``out`` as ``reduce.compute`` does, the blocks read and reduced by ``cluster``'s workers."""
    blocks, expert = reduction_blocks(tuple(dset.shape), dset.chunks, base, reduction, budget)
    if blocks:
        block_bytes = 8 * math.prod(s.stop - s.start for s in blocks[0])
        per_task = max(1, min(TASK_BYTES // block_bytes, -(-len(blocks) // (4 * cluster.n_workers))))
        groups = [blocks[i:i + per_task] for i in range(0, len(blocks), per_task)]
        items = [(path, dset.name, base.value, expert, reduction.axis, reduction.stat, group) for group in groups]
        done = 0
        for results in cluster.ordered(reduce_blocks, items, [len(g) for g in groups]):
            for target, result, hot in results:
                done += 1
                store(out, target, result, hot, done / len(blocks))
    out.complete = True
