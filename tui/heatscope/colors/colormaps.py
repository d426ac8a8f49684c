"""Colormaps as 256-entry RGB lookup tables, from the ``cmap`` package's catalog.

Names are the catalog's (``YlOrRd``, ``Blues``, ``viridis``, ``vik``...); a ``_r`` suffix
reverses a map. Lookups are cached, so a map is built once per process.
"""

from __future__ import annotations

import warnings
from functools import lru_cache

import numpy as np

from heatscope.errors import HeatscopeError
from heatscope.text import safe_text

LUT_SIZE = 256
# The maps the TUI cycles through with `c` (the dataset's own default comes first).
CYCLE = ("YlOrRd", "Blues", "vik", "viridis", "magma", "RdBu")
NAN_RGB = (64, 64, 64)
MISSING_RGB = (40, 40, 48)


def split_reversed(name: str) -> tuple[str, bool]:
    """``("YlOrRd", True)`` for ``"YlOrRd_r"``."""
    return (name[:-2], True) if name.endswith("_r") else (name, False)


@lru_cache(maxsize=64)
def lut(name: str) -> np.ndarray:
    """The (256, 3) uint8 RGB table of colormap ``name``; raises HeatscopeError if unknown."""
    from heatscope.colors.lut_data import load_prebuilt

    base, rev = split_reversed(name)
    table = load_prebuilt(base)
    if table is None:
        table = lut_from_cmap(base)
    return table[::-1].copy() if rev else table


def lut_from_cmap(base: str) -> np.ndarray:
    """Build a table from the ``cmap`` catalog (imported only when needed)."""
    from cmap import Colormap

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            table = Colormap(base).lut(LUT_SIZE)[:, :3]
    except Exception as exc:  # noqa: BLE001 - cmap raises several types for names it lacks
        raise HeatscopeError(f"unknown colormap '{safe_text(base)}' ({exc.__class__.__name__})") from None
    return np.clip(np.round(np.asarray(table) * 255), 0, 255).astype(np.uint8)


def reversed_name(name: str) -> str:
    """The name of the reversed map (``YlOrRd`` <-> ``YlOrRd_r``)."""
    base, rev = split_reversed(name)
    return base if rev else base + "_r"


def next_in_cycle(name: str, first: str) -> str:
    """The colormap after ``name`` in the cycle that starts with the dataset's ``first``."""
    base, rev = split_reversed(name)
    order = [first] + [c for c in CYCLE if c != first]
    bases = [split_reversed(c)[0] for c in order]
    i = bases.index(base) if base in bases else -1
    nxt = order[(i + 1) % len(order)]
    return reversed_name(nxt) if rev and not nxt.endswith("_r") else nxt


def colorize(norm: np.ndarray, name: str) -> np.ndarray:
    """Map values in [0, 1] (NaN allowed) to RGB uint8 (..., 3); NaN gets ``NAN_RGB``."""
    table = lut(name)
    n = np.asarray(norm, dtype=np.float64)
    idx = np.clip(np.nan_to_num(n, nan=0.0) * (LUT_SIZE - 1) + 0.5, 0, LUT_SIZE - 1).astype(np.intp)
    rgb = table[idx]
    rgb[np.isnan(n)] = NAN_RGB
    return rgb


def luminance(rgb: tuple[int, int, int]) -> float:
    """Relative luminance (0..1) of an sRGB color, to pick readable text on it."""
    r, g, b = (c / 255.0 for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def build_prebuilt() -> None:
    """Regenerate the prebuilt tables (``lut_data.LUT_FILE``) from cmap."""
    from heatscope.colors.lut_data import LUT_FILE, PREBUILT

    np.save(LUT_FILE, np.stack([lut_from_cmap(name) for name in PREBUILT]))


if __name__ == "__main__":
    build_prebuilt()
