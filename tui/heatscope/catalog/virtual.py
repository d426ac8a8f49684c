"""How a virtual dataset is made: a metric view (a statistic over one axis) or a stack of runs.

A ``DatasetInfo`` carrying one of these is computed rather than stored; ``read.reduce`` and
``read.run_stack`` build and read them.
"""

from __future__ import annotations

from dataclasses import dataclass

from heatscope.catalog.axes import Axis


@dataclass(frozen=True)
class Reduction:
    """Statistic ``stat`` over axis ``axis`` of the dataset at ``base_path``."""

    base_path: str
    axis: int
    reduced: Axis  # the axis reduced away (its labels name the hottest expert)
    stat: str
    to_load: bool  # token counts turned into relative load first


@dataclass(frozen=True)
class RunStack:
    """Which runs (file indices, in run-axis order) a stacked dataset reads, and their shapes."""

    base_path: str
    members: tuple[int, ...]
    shapes: tuple[tuple[int, ...], ...]
    reduce: tuple[str, str] | None = None  # (axis, statistic): each run's metric view is stacked
