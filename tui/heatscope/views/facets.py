"""Faceted and differenced views: several slices of one dataset drawn as stacked panels.

A facet names a stepped axis and a subset of its labels (``layer=7:12``, ``layer=9,18``,
or every label); two facets give their product, the first outermost (``--facet layer=9,18
--facet variant`` gives Based 9, Free 9, Based 18, Free 18 as in the figures). A diff
replaces each slice by ``B - A`` for two labels of an axis, or by the same slice of a
second file minus the first.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from heatscope.catalog.axes import Axis
from heatscope.catalog.datasets import DatasetInfo
from heatscope.errors import HeatscopeError
from heatscope.read.selection import Selection
from heatscope.views.titles import label_text, view_title


@dataclass(frozen=True)
class Facet:
    axis: int
    indices: tuple[int, ...]


@dataclass(frozen=True)
class DiffSpec:
    """``b - a`` along ``axis`` (two labels of one dataset)."""

    axis: int
    a: int
    b: int


@dataclass(frozen=True)
class PanelSpec:
    """One panel to draw: its selection (and the selection it is differenced against)."""

    selection: Selection
    title: str
    minus: Selection | None = None


def _find(axis: Axis, text: str) -> int:
    index = axis.find(text)
    if index is None:
        raise HeatscopeError(f"axis {axis.name!r} has no label or index {text!r} (size {axis.size})")
    return index


def parse_subset(axis: Axis, spec: str | None) -> tuple[int, ...]:
    """``None`` -> every index; ``"7:12"`` (inclusive, labels or #indices), ``"9,18"``."""
    if spec is None or not spec.strip():
        return tuple(range(axis.size))
    out: list[int] = []
    for part in (p.strip() for p in spec.split(",") if p.strip()):
        if ":" in part:
            lo, hi = (x.strip() for x in part.split(":", 1))
            first = _find(axis, lo) if lo else 0
            last = _find(axis, hi) if hi else axis.size - 1
            step = 1 if last >= first else -1
            out.extend(range(first, last + step, step))
        else:
            out.append(_find(axis, part))
    return tuple(out)


def axis_named(info: DatasetInfo, name: str) -> int:
    index = info.axis_index(name)
    if index is None:
        names = ", ".join(a.name for a in info.axes)
        raise HeatscopeError(f"no axis named {name!r} (axes: {names})", info.path)
    return index


def parse_facet(info: DatasetInfo, sel: Selection, spec: str) -> Facet:
    """``"layer=7:12"`` or ``"variant"`` -> a Facet on a stepped axis."""
    name, _, subset = spec.partition("=")
    axis = axis_named(info, name.strip())
    if axis in sel.displayed:
        raise HeatscopeError(f"cannot facet by {name.strip()!r}: it is a displayed axis", info.path)
    return Facet(axis, parse_subset(info.axes[axis], subset or None))


def facet_text(info: DatasetInfo, facet: Facet) -> str:
    """A facet as ``--facet`` and the ``f`` prompt take it: ``variant`` (every label) or
    ``layer=9,18``."""
    axis = info.axes[facet.axis]
    if facet.indices == tuple(range(axis.size)):
        return axis.name
    return f"{axis.name}=" + ",".join(axis.label(i) for i in facet.indices)


def parse_diff(info: DatasetInfo, sel: Selection, spec: str) -> DiffSpec:
    """``"variant=Aux-Loss-Based,Aux-Loss-Free"`` -> Free minus Based."""
    name, _, labels = spec.partition("=")
    parts = [p.strip() for p in labels.split(",")]
    if len(parts) != 2 or not all(parts):
        raise HeatscopeError(f"--diff wants AXIS=A,B (shows B minus A), got {spec!r}")
    axis = axis_named(info, name.strip())
    if axis in sel.displayed:
        raise HeatscopeError(f"cannot diff along {name.strip()!r}: it is a displayed axis", info.path)
    return DiffSpec(axis, _find(info.axes[axis], parts[0]), _find(info.axes[axis], parts[1]))


def panel_specs(
    info: DatasetInfo, sel: Selection, facets: list[Facet], diff: DiffSpec | None = None, run: str = ""
) -> list[PanelSpec]:
    """Every panel: the product of the facets (first outermost), each optionally a diff;
    titles start with ``run`` (the run's name when several are open)."""
    if diff is not None and any(f.axis == diff.axis for f in facets):
        raise HeatscopeError("cannot facet and diff along the same axis")
    if len({f.axis for f in facets}) != len(facets):
        raise HeatscopeError("each axis can be faceted once")
    specs = []
    for combo in itertools.product(*(f.indices for f in facets)) if facets else [()]:
        s = sel
        for facet, index in zip(facets, combo):
            s = s.at(facet.axis, index)
        if diff is None:
            specs.append(PanelSpec(s, _titled(run, view_title(info, s))))
            continue
        b, a = s.at(diff.axis, diff.b), s.at(diff.axis, diff.a)
        axis = info.axes[diff.axis]
        title = view_title(info, b).replace(
            label_text(axis, diff.b), f"{label_text(axis, diff.b)} minus {label_text(axis, diff.a)}", 1
        )
        specs.append(PanelSpec(b, _titled(run, title), minus=a))
    return specs


def _titled(run: str, title: str) -> str:
    return f"{run} · {title}" if run else title


def difference(b: np.ndarray, a: np.ndarray) -> np.ndarray:
    """``b - a`` with NaN wherever either side is not finite (a difference beyond the
    float64 range, 1e308 - -1e308, is +/-Inf)."""
    with np.errstate(invalid="ignore", over="ignore"):
        out = np.asarray(b, np.float64) - np.asarray(a, np.float64)
    out[~(np.isfinite(a) & np.isfinite(b))] = np.nan
    return out


def check_same_layout(first: DatasetInfo, second: DatasetInfo) -> None:
    """Two files' datasets must match in shape and labels to be differenced."""
    if first.shape != second.shape:
        raise HeatscopeError(f"shapes differ: {first.shape_text()} vs {second.shape_text()}", second.path)
    for a, b in zip(first.axes, second.axes):
        if a.name != b.name:
            raise HeatscopeError(f"axis names differ: {a.name!r} vs {b.name!r}", second.path)
        if a.labels != b.labels:
            raise HeatscopeError(f"labels of axis {a.name!r} differ between the two files", second.path)
