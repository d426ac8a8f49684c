"""The sparkline's budget counts what HDF5 reads: whole chunks of a chunked dataset, only
the selected values of a contiguous one."""

import h5py
import numpy as np

from heatscope.read.row_along import values_touched


def test_values_touched_counts_chunks_or_selection(tmp_path):
    with h5py.File(tmp_path / "t.h5", "w") as f:
        chunked = f.create_dataset("chunked", shape=(1000, 61, 256), dtype="f4", chunks=(1, 61, 256))
        contiguous = f.create_dataset("contiguous", shape=(1000, 61, 256), dtype="f4")
        row = (slice(0, 1000), 9, slice(0, 256))  # one layer's row along every step
        assert values_touched(chunked, row) == 1000 * 61 * 256  # every chunk holds all 61 layers
        assert values_touched(contiguous, row) == 1000 * 256
        part = (slice(10, 20), 9, slice(0, 100))
        assert values_touched(chunked, part) == 10 * 61 * 256
        assert values_touched(contiguous, part) == 10 * 100
        big = f.create_dataset("steps", data=np.zeros((5, 4)), chunks=(2, 4))
        assert values_touched(big, (slice(1, 4), slice(0, 4))) == 4 * 4  # chunks 0..1 of 2 rows
