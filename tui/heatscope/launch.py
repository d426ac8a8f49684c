"""Launching the inspector from the command line: its options, the checks made before the
screen opens (so bad input is one line, not a flash of the TUI), and the run."""

from __future__ import annotations

import argparse
import gc
import os
from collections.abc import Sequence
from pathlib import Path

from heatscope.errors import HeatscopeError
from heatscope.parsing import Parser, add_color_limits, add_view_options, base_parser, check_color_limits, parse_reduce


def tui_parser() -> Parser:
    from heatscope.render.normalize import RANGE_MODES

    parser = base_parser()
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="HDF5 files or directories (default: the bundled sample runs)")
    parser.add_argument("--dataset", "-d", metavar="NAME", help="dataset to open first (path or name)")
    parser.add_argument("--select", action="append", default=[], metavar="AXIS=LABEL",
                        help="index on an axis by label or index, e.g. layer=9 (repeatable)")
    parser.add_argument("--cmap", metavar="NAME", help="colormap (YlOrRd, Blues, vik, viridis...; _r reverses)")
    parser.add_argument("--range", dest="range_mode", choices=RANGE_MODES, help="color range mode")
    add_color_limits(parser)
    parser.add_argument("--screenshot-dir", metavar="DIR", help="where `s` saves SVG screenshots (default: .)")
    parser.add_argument("--mono", action="store_true", help="no colors: shading glyphs (also NO_COLOR=1)")
    parser.add_argument("--follow", action="store_true", help="show new data as a writer adds it (key F toggles)")
    add_view_options(parser)
    return parser


def parse_picks(items: Sequence[str]) -> dict[str, str]:
    """``["layer=9", "variant=Aux-Loss-Free"]`` -> ``{"layer": "9", ...}``."""
    picks = {}
    for item in items:
        axis, sep, label = item.partition("=")
        if not sep or not axis.strip() or not label.strip():
            raise HeatscopeError(f"--select wants AXIS=LABEL, got {item!r}")
        picks[axis.strip()] = label.strip()
    return picks


def _preflight(paths, dataset: str | None, picks: dict[str, str], reduce: tuple[str, str] | None = None):
    """Open and catalog the files and read the first slice before the screen opens, failing
    with one line when the files, --dataset or --select cannot work. The app reuses the
    session, so its first frame already has the heatmap."""
    from heatscope.data.session import Session
    from heatscope.render.view_state import initial_state

    session = Session(paths)
    session.open_all()
    try:
        file_index, info = session.initial_dataset(dataset)
        state = initial_state(file_index, info, picks)  # raises for an unknown axis or label
        session.read(state.file_index, state.info, state.selection, state.derived, _overview_target())
        if reduce is not None:  # an unknown axis or statistic is one line, before any screen
            from heatscope.data.reduce import reduced_info

            reduced_info(info, *reduce)
    except HeatscopeError:
        session.close()
        raise
    return session


def _overview_target() -> tuple[int, int] | None:
    """The overview size the app will ask of a huge slice on this terminal (the app's
    screen is the terminal Textual draws to: stderr), so its first read is a cache hit."""
    from heatscope.render.panels import overview_target

    try:
        return overview_target(*os.get_terminal_size(2))
    except OSError:
        return None


def run_tui(args: argparse.Namespace) -> int:
    """Validate the command line, then run the inspector; returns its exit status."""

    from heatscope.data.opening import resolve_inputs

    if args.paths:
        paths = resolve_inputs(args.paths)
    else:
        from heatscope.samples.bundled import bundled_samples_dir

        paths = resolve_inputs([str(bundled_samples_dir())])
    picks = parse_picks(args.select)
    if args.cmap:
        from heatscope.render.colormaps import lut

        lut(args.cmap)
    check_color_limits(args)
    if args.screenshot_dir and not Path(args.screenshot_dir).is_dir():
        raise HeatscopeError("not a directory", args.screenshot_dir)
    reduce = parse_reduce(args.reduce)
    # Startup allocates much (imports, the catalog, the first frame) that lives as long as
    # the process and leaves little garbage: collections during it cost ~30 ms, and
    # scanning it after (the first young collection) ~15 ms more; so it is frozen instead.
    gc.disable()
    try:
        app = _start(paths, args, picks, reduce)
    finally:
        gc.freeze()
        gc.enable()
    result = app.run()
    return app.return_code or (result if isinstance(result, int) else 0)


def _start(paths, args: argparse.Namespace, picks: dict[str, str], reduce):
    """Open the files, draw the first heatmap when in a terminal, and build the app."""
    session = _preflight(paths, args.dataset, picks, reduce)
    first = None
    if not (args.follow or args.mono or reduce):  # those open on another view than the plain map
        from heatscope.first_frame import draw_first_frame

        first = draw_first_frame(session, args.dataset, picks, cmap=args.cmap, range_mode=args.range_mode,
                                 vmin=args.vmin, vmax=args.vmax)
    try:
        from heatscope.inspector.app import LaunchOptions, create_app

        app = create_app(LaunchOptions(
            paths=paths, dataset=args.dataset, picks=picks, cmap=args.cmap,
            range_mode=args.range_mode, vmin=args.vmin, vmax=args.vmax,
            screenshot_dir=Path(args.screenshot_dir) if args.screenshot_dir else None, mono=args.mono,
            session=session, follow=args.follow, reduce=reduce,
        ))
    except BaseException:
        if first is not None:
            first.withdraw()
        raise
    if first is not None:
        first.hand_over()
    return app
