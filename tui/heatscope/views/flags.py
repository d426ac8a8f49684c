"""The one parser of view flags: ``heatscope PATH ...``, ``heatscope export`` and ``heatscope
serve`` take the same flags and turn them into the same ``ViewSpec``."""

from __future__ import annotations

import argparse
import re

from heatscope.errors import HeatscopeError
from heatscope.parsing import finite_float, parse_reduce
from heatscope.views.normalize import RANGE_MODES
from heatscope.views.spec import Axes, Colors, Derive, Diff, Facet, Profile, Reduce, Select, Source, ViewSpec, Zoom

RUN_WORD = re.compile(r"(^|[\s,])run($|[\s=,:])", re.IGNORECASE)


def add_view_flags(parser: argparse.ArgumentParser) -> None:
    """Every flag that says what a view shows."""
    parser.add_argument("--dataset", "-d", metavar="NAME", help="dataset (path or unique name; default: the file's)")
    parser.add_argument("--select", action="append", default=[], metavar="AXIS=LABEL",
                        help="index on an axis by label or #index, e.g. layer=9; on a drawn axis it places the "
                             "cursor (repeatable)")
    parser.add_argument("--reduce", metavar="AXIS=STAT",
                        help="metric view: a statistic over an axis (expert=maxvio, layer=mean; stats: maxvio cv "
                             "entropy gini dead max hot mean min std sum p50 p90 p99)")
    parser.add_argument("--axes", metavar="ROW,COL", help="the two axes drawn, by name or index (as a and t in the TUI)")
    parser.add_argument("--facet", action="append", default=[], metavar="AXIS[=SUBSET]",
                        help="one panel per label: layer, layer=7:12, layer=9,18 (up to two, first outermost)")
    parser.add_argument("--diff", metavar="AXIS=A,B", help="show B minus A along AXIS")
    parser.add_argument("--profile", choices=("row", "col"),
                        help="draw the cursor's row or column as a chart (place it with --select on a drawn axis)")
    parser.add_argument("--counts", action="store_true", help="token counts as counts, not as relative load")
    parser.add_argument("--zoom", type=int, default=0, metavar="LEVEL", help="zoom level (0 fits the screen)")
    parser.add_argument("--cmap", metavar="NAME", help="colormap (YlOrRd, Blues, vik, viridis...; _r reverses)")
    parser.add_argument("--range", dest="range_mode", choices=RANGE_MODES, help="color range mode")
    parser.add_argument("--vmin", type=finite_float, help="lower end of the color range (a finite number)")
    parser.add_argument("--vmax", type=finite_float, help="upper end of the color range (a finite number)")


def parse_picks(items: list[str]) -> tuple[tuple[str, str], ...]:
    """``["layer=9", "variant=Aux-Loss-Free"]`` -> ``(("layer", "9"), ...)``."""
    picks: dict[str, str] = {}
    for item in items:
        axis, sep, label = item.partition("=")
        if not sep or not axis.strip() or not label.strip():
            raise HeatscopeError(f"--select wants AXIS=LABEL, got {item!r}")
        picks[axis.strip()] = label.strip()
    return tuple(picks.items())


def parse_axes(text: str) -> Axes:
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2 or not all(parts):
        raise HeatscopeError(f"--axes wants ROW,COL (two axis names or indices), got {text!r}")
    return Axes(*parts)


def names_run_axis(text: str | None) -> bool:
    """Whether a flag's or a prompt's text names the ``run`` axis (``run``, ``run=A,B``,
    ``layer=9 run``, ``step,run``)."""
    return bool(text) and bool(RUN_WORD.search(text))


def flags_name_run_axis(args: argparse.Namespace) -> bool:
    """Whether the flags use the ``run`` axis (then two files are two runs, not a difference)."""
    texts = [*args.facet, args.diff, args.axes, *(item.partition("=")[0] for item in args.select)]
    return any(names_run_axis(t) for t in texts)


def spec_from_args(args: argparse.Namespace, n_paths: int, combine_files: bool = True) -> ViewSpec:
    """The view the flags describe. With ``combine_files`` (export), two files are the second
    minus the first and more are runs stacked on a run axis; without (the inspector, which
    browses the files as runs) only naming the run axis stacks them."""
    if args.vmin is not None and args.vmax is not None and not args.vmin < args.vmax:
        raise HeatscopeError("--vmin must be below --vmax")
    if args.zoom < 0:
        raise HeatscopeError("--zoom wants a level of 0 or more")
    runs = flags_name_run_axis(args) or (combine_files and n_paths > 2)
    transforms: list = []
    if args.counts:
        transforms.append(Derive(relative_load=False))
    reduce = parse_reduce(args.reduce)
    if reduce is not None:
        transforms.append(Reduce(*reduce))
    if args.axes:
        transforms.append(parse_axes(args.axes))
    picks = parse_picks(args.select)
    if picks:
        transforms.append(Select(picks))
    if len(args.facet) > 2:
        raise HeatscopeError("facet by one or two axes")
    transforms += [Facet(text) for text in args.facet]
    if args.diff:
        transforms.append(Diff(args.diff))
    if args.profile:
        transforms.append(Profile(args.profile))
    if args.zoom:
        transforms.append(Zoom(args.zoom))
    if args.cmap or args.range_mode or args.vmin is not None or args.vmax is not None:
        transforms.append(Colors(args.cmap, args.range_mode, args.vmin, args.vmax))
    source = Source(args.dataset, runs=runs, minus=combine_files and n_paths == 2 and not runs)
    return ViewSpec(source, tuple(transforms))
