"""The floor for a first paint: what any HDF5 TUI must pay. A Textual app that imports h5py
and numpy, opens the file, reads the same slice heatscope shows first, and paints a static
text. Used by terminal_bench.py.

usage: python benchmarks/floor_app.py FILE DATASET
"""

import sys

import h5py
import numpy as np
from textual.app import App, ComposeResult
from textual.widgets import Static


class Floor(App):
    def compose(self) -> ComposeResult:
        with h5py.File(sys.argv[1], "r", locking=False) as f:
            d = f[sys.argv[2]]
            block = np.asarray(d[(1, 8) + (slice(None),) * (d.ndim - 2)] if d.ndim > 2 else d[()])
        yield Static(f"floor-ready {block.shape} {float(block.max()):.3f}")


if __name__ == "__main__":
    Floor().run()
