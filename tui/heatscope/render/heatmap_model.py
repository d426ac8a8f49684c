"""What one heatmap panel shows: values, labels, titles, colors, cursor and zoom (plain data)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from heatscope.render.geometry import Geometry
from heatscope.views.normalize import Norm


@dataclass(frozen=True)
class HeatmapModel:
    """Everything one panel shows; values are rows x cols floats (NaN where not finite/missing)."""

    values: np.ndarray
    row_labels: tuple[str, ...]
    col_labels: tuple[str, ...]
    row_name: str
    col_name: str
    title: str
    value_title: str
    norm: Norm
    cmap: str
    missing: np.ndarray | None = None
    cursor: tuple[int, int] | None = None
    mono: bool = False
    legend: bool = True  # the column-axis name and the colorbar (faceted panels share one)
    label_width: int | None = None  # fixed row-label width, so stacked panels line up
    factors: tuple[int, int] = (1, 1)  # data rows, columns per value (a max-pooled overview)
    data_shape: tuple[int, int] | None = None  # the slice's own size (default: values.shape)
    zoom: int = 0  # 0 fits the room; see render.zoom
    origin: tuple[int, int] = (0, 0)  # a zoomed map's window: its first row and column (model cells)

    @property
    def shape(self) -> tuple[int, int]:
        """Rows x columns of data the panel stands for."""
        return self.data_shape or self.values.shape

    def cell_size(self, geo: Geometry) -> tuple[int, int]:
        """Data rows x columns in one drawn cell."""
        return geo.row_group * self.factors[0], geo.col_group * self.factors[1]
