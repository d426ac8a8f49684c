"""Prebuilt lookup tables for the colormaps heatscope cycles through, so startup need not
import ``cmap`` (about 40 ms). Generated from the ``cmap`` catalog by
``python -m heatscope.colors.colormaps``; a test checks they still equal cmap's output.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

LUT_FILE = Path(__file__).with_name("colormap_luts.npy")  # plain .npy: loads without zipfile
PREBUILT = ("YlOrRd", "Blues", "vik", "viridis", "magma", "RdBu", "Greys")


def load_prebuilt(name: str) -> np.ndarray | None:
    """The (256, 3) uint8 table for ``name`` if it was prebuilt, else None."""
    if name not in PREBUILT:
        return None
    try:
        tables = np.load(LUT_FILE)
    except (OSError, ValueError):
        return None
    return tables[PREBUILT.index(name)].copy() if tables.shape[0] == len(PREBUILT) else None
