"""Profiles as data: the cursor's row or column of a panel as one or more series, which the
TUI's profile strip and ``export --profile`` draw (``render.profile``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from heatscope.views.normalize import Norm


@dataclass(frozen=True)
class ProfileModel:
    """What a profile draws: one or more series over the same x labels."""

    title: str
    series: tuple[tuple[str, np.ndarray], ...]  # (name, values)
    x_labels: tuple[str, ...]
    x_name: str
    cursor: int | None = None  # the index marked
    bars: bool = False  # one series as bars in the heatmap's colors
    norm: Norm | None = None  # bars: the heatmap's color scale
    cmap: str = "viridis"
    highlight: int | None = None  # the series drawn on top (the cursor's row)

    @property
    def all_nan(self) -> bool:
        """Nothing to draw: every value is NaN (or missing); the chart says NaN."""
        return not any(np.isfinite(np.asarray(v, np.float64)).any() for _, v in self.series)


def value_scale(model: ProfileModel) -> Norm:
    """The y axis of a profile: every finite value (from 0 for bars) as a ``Norm``, so a
    flat series (2**64-1 everywhere) still has a range; 0..1 when nothing is finite."""
    every = np.concatenate([np.asarray(v, np.float64).ravel() for _, v in model.series])
    finite = every[np.isfinite(every)]
    if not finite.size:
        return Norm(0.0, 1.0)
    lo, hi = float(finite.min()), float(finite.max())
    return Norm(min(lo, 0.0) if model.bars else lo, hi)


MAX_LINES = 8  # at most this many rows are drawn as curves together


def row_profile(info, panel, row: int, col: int, norm: Norm, cmap: str) -> ProfileModel:
    """The cursor's row across the column axis: every row as curves when there are few
    (a divergence figure), else the cursor's row as bars in the heatmap's colors."""
    sel = panel.spec.selection
    rs, cs = panel.factors
    col_axis = info.axes[sel.col_axis]
    row_axis = info.axes[sel.row_axis] if sel.row_axis is not None else None
    x_labels = tuple(col_axis.label(j * cs) for j in range(panel.values.shape[1]))
    here = row // rs
    row_name = row_axis.span(here * rs, rs) if row_axis else info.name
    if row_axis is not None and 1 < panel.values.shape[0] <= MAX_LINES and not info.value.is_load:
        series = tuple((row_axis.label(i * rs), panel.values[i]) for i in range(panel.values.shape[0]))
        return ProfileModel(f"{panel.spec.title}: every {row_axis.name} across {col_axis.name}s", series, x_labels,
                            col_axis.name, cursor=col // cs, highlight=here)
    title = f"{panel.spec.title}: {row_axis.name + ' ' if row_axis else ''}{row_name} across {col_axis.name}s"
    return ProfileModel(title, ((row_name, panel.values[here]),), x_labels, col_axis.name, cursor=col // cs,
                        bars=True, norm=norm, cmap=cmap)


def col_profile(info, panel, row: int, col: int) -> ProfileModel:
    """The cursor's column across the row axis, as a line (MaxVio across steps...)."""
    sel = panel.spec.selection
    rs, cs = panel.factors
    col_axis = info.axes[sel.col_axis]
    row_axis = info.axes[sel.row_axis] if sel.row_axis is not None else None
    here = col // cs
    name = col_axis.span(here * cs, cs)
    x_name = row_axis.name if row_axis else ""
    x_labels = tuple(row_axis.label(i * rs) for i in range(panel.values.shape[0])) if row_axis else (info.name,)
    return ProfileModel(f"{panel.spec.title}: {col_axis.name} {name} across {x_name}s", ((name, panel.values[:, here]),),
                        x_labels, x_name, cursor=row // rs)
