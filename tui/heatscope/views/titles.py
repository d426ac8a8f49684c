"""Seed-style titles: ``Aux-Loss-Free Layer 9`` from the labels of the stepped axes."""

from __future__ import annotations

from heatscope.catalog.axes import Axis
from heatscope.catalog.datasets import DatasetInfo
from heatscope.read.selection import Selection


def label_text(axis: Axis, index: int) -> str:
    """A text label stands alone; a numeric one is prefixed by the axis name (``Layer 9``)."""
    label = axis.label(index)
    return f"{axis.name.replace('_', ' ').title()} {label}" if axis.numeric else label


def view_title(info: DatasetInfo, sel: Selection) -> str:
    """The labels of every stepped axis; a 2-D dataset is titled by its long_name or name."""
    parts = [label_text(info.axes[a], sel.index[a]) for a in sel.stepped_axes]
    return " ".join(parts) if parts else (info.value.long_name or info.name)
