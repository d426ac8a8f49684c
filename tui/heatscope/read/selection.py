"""Which 2-D slice of an N-d dataset is on screen, and reading exactly that slice.

A ``Selection`` names the axis drawn as rows, the axis drawn as columns, and an index on
every other ("stepped") axis. Reading it asks HDF5 for that hyperslab only (``dset[key]``),
never the whole dataset.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import h5py
import numpy as np

from heatscope.catalog.axes import Axis
from heatscope.errors import HeatscopeError
from heatscope.sources.vds import read_cells


@dataclass(frozen=True)
class Selection:
    """Displayed axes plus an index on every axis (displayed axes ignore theirs)."""

    shape: tuple[int, ...]
    row_axis: int | None  # None for 1-D data: a single row
    col_axis: int
    index: tuple[int, ...]

    @classmethod
    def default(cls, shape: tuple[int, ...]) -> Selection:
        """The last two axes displayed (rows, columns); every stepped axis at 0."""
        if not shape:
            raise ValueError("a scalar has no slice to display")
        ndim = len(shape)
        return cls(shape, ndim - 2 if ndim >= 2 else None, ndim - 1, (0,) * ndim)

    @property
    def displayed(self) -> tuple[int, ...]:
        return tuple(a for a in (self.row_axis, self.col_axis) if a is not None)

    @property
    def stepped_axes(self) -> tuple[int, ...]:
        """Axes not on screen, in dataset order."""
        return tuple(a for a in range(len(self.shape)) if a not in self.displayed)

    @property
    def n_rows(self) -> int:
        return 1 if self.row_axis is None else self.shape[self.row_axis]

    @property
    def n_cols(self) -> int:
        return self.shape[self.col_axis]

    def at(self, axis: int, position: int) -> Selection:
        """Set the index on ``axis`` (clamped to the axis)."""
        position = max(0, min(self.shape[axis] - 1, position))
        index = list(self.index)
        index[axis] = position
        return replace(self, index=tuple(index))

    def step(self, axis: int, delta: int) -> Selection:
        """Move the index on ``axis`` by ``delta`` (clamped)."""
        return self.at(axis, self.index[axis] + delta)

    def transposed(self) -> Selection:
        """Swap rows and columns (a 1-D selection stays as it is)."""
        if self.row_axis is None:
            return self
        return replace(self, row_axis=self.col_axis, col_axis=self.row_axis)

    def with_display(self, row_axis: int, col_axis: int) -> Selection:
        """Display two other axes; indices on the previously displayed axes are kept."""
        ndim = len(self.shape)
        if not (0 <= row_axis < ndim and 0 <= col_axis < ndim) or row_axis == col_axis:
            raise ValueError("need two different axes of the dataset")
        return replace(self, row_axis=row_axis, col_axis=col_axis)

    def resized(self, shape: tuple[int, ...]) -> Selection:
        """The same selection on a dataset that grew or shrank (indices clamped)."""
        index = tuple(min(i, max(0, n - 1)) for i, n in zip(self.index, shape))
        return replace(self, shape=shape, index=index)

    @property
    def identity(self) -> tuple:
        """A hashable key: displayed axes and the indices of the stepped axes."""
        shown = self.displayed
        return (self.row_axis, self.col_axis, tuple(-1 if a in shown else i for a, i in enumerate(self.index)))

    def key(self, keep: tuple[int, ...] = ()) -> tuple:
        """The HDF5 selection: full slices on displayed axes (and ``keep``), indices elsewhere."""
        full = set(self.displayed) | set(keep)
        return tuple(slice(None) if a in full else self.index[a] for a in range(len(self.shape)))

    def orient(self, block: np.ndarray, kept: tuple[int, ...] = ()) -> np.ndarray:
        """Arrange a block read with ``key(kept)`` as rows x columns (plus any kept axes last)."""
        present = [a for a in range(len(self.shape)) if a in set(self.displayed) | set(kept)]
        order = [a for a in (self.row_axis, self.col_axis) if a is not None] + [
            a for a in present if a not in self.displayed
        ]
        block = np.transpose(block, [present.index(a) for a in order])
        if self.row_axis is None:
            block = block[np.newaxis, ...]
        return block


def resolve_selection(
    axes: tuple[Axis, ...], picks: dict[str, str], base: Selection | None = None
) -> Selection:
    """Apply ``{"layer": "9", "variant": "Aux-Loss-Free"}`` (labels or indices) to a selection.

    Raises ``HeatscopeError`` naming the unknown axis or label.
    """
    shape = tuple(a.size for a in axes)
    sel = base or Selection.default(shape)
    for axis_name, text in picks.items():
        matches = [i for i, a in enumerate(axes) if a.name.casefold() == axis_name.casefold()]
        if not matches and axis_name.lstrip("#").isdigit() and int(axis_name.lstrip("#")) < len(axes):
            matches = [int(axis_name.lstrip("#"))]
        if not matches:
            names = ", ".join(a.name for a in axes)
            raise HeatscopeError(f"no axis named {axis_name!r} (axes: {names})")
        axis = axes[matches[0]]
        position = axis.find(text)
        if position is None:
            raise HeatscopeError(
                f"axis {axis.name!r} has no label or index {text!r} (size {axis.size})"
            )
        sel = sel.at(matches[0], position)
    return sel


MAX_CELLS = 1 << 24  # 16M values (128 MiB as float64): larger slices are refused, not read


def read_block(dset: h5py.Dataset, sel: Selection, kept: tuple[int, ...] = ()) -> np.ndarray:
    """Read the selected slice (plus full ``kept`` axes) from disk, oriented rows x cols."""
    cells = sel.n_rows * sel.n_cols
    for axis in kept:
        cells *= sel.shape[axis]
    if cells > MAX_CELLS:
        raise HeatscopeError(
            f"a {sel.n_rows} x {sel.n_cols} slice is too large to draw ({cells:,} values); "
            "display other axes (key a, or --select) or export a subset", dset.name)
    try:
        block = read_cells(dset, sel.key(kept))
    except (OSError, ValueError, TypeError, KeyError, RuntimeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise HeatscopeError(f"cannot read slice ({first})", dset.name) from None
    return sel.orient(block, kept)
