"""Launching the inspector from the command line: its options, the checks made before the
screen opens (so bad input is one line, not a flash of the TUI), and the run."""

from __future__ import annotations

import argparse
import gc
import os
from pathlib import Path

from heatscope.errors import HeatscopeError
from heatscope.parsing import Parser, base_parser
from heatscope.read.session import Session
from heatscope.tui.options import LaunchOptions
from heatscope.views.flags import add_view_flags, spec_from_args


def tui_parser() -> Parser:
    parser = base_parser()
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="HDF5 files or directories (default: the bundled sample runs)")
    add_view_flags(parser)
    parser.add_argument("--screenshot-dir", metavar="DIR", help="where `s` saves SVG screenshots (default: .)")
    parser.add_argument("--mono", action="store_true", help="no colors: shading glyphs (also NO_COLOR=1)")
    parser.add_argument("--follow", action="store_true", help="show new data as a writer adds it (key F toggles)")
    return parser


def launch_options(args: argparse.Namespace, paths: list[Path], session: Session | None = None) -> LaunchOptions:
    """The options of ``heatscope [view flags] PATH ...``: the same flags give the same view as
    ``heatscope export``, except that several files are runs to browse, not a stack."""
    if args.cmap:
        from heatscope.colors.colormaps import lut

        lut(args.cmap)
    if args.screenshot_dir and not Path(args.screenshot_dir).is_dir():
        raise HeatscopeError("not a directory", args.screenshot_dir)
    return LaunchOptions(paths, spec_from_args(args, len(paths), combine_files=False),
                         Path(args.screenshot_dir) if args.screenshot_dir else None, args.mono, args.follow, session)


def _preflight(options: LaunchOptions) -> Session:
    """Open and catalog the files and read the first view before the screen opens, failing
    with one line when the files or the view flags cannot work. The app reuses the session,
    so its first frame already has the heatmap."""
    from heatscope.views.panels import read_panels
    from heatscope.views.resolve import resolve

    session = Session(options.paths)
    session.open_all()
    try:
        state = resolve(session, options.spec).state  # raises for an unknown dataset, axis or label
        if not state.info.computed:
            read_panels(session, state, target=_overview_target())  # a metric view is computed by the app
    except HeatscopeError:
        session.close()
        raise
    return session


def _overview_target() -> tuple[int, int] | None:
    """The overview size the app will ask of a huge slice on this terminal (the app's
    screen is the terminal Textual draws to: stderr), so its first read is a cache hit."""
    from heatscope.views.panels import overview_target

    try:
        return overview_target(*os.get_terminal_size(2))
    except OSError:
        return None


def run_tui(args: argparse.Namespace) -> int:
    """Validate the command line, then run the inspector; returns its exit status."""

    from heatscope.sources.opening import resolve_inputs

    if args.paths:
        paths = resolve_inputs(args.paths)
    else:
        from heatscope.samples.bundled import bundled_samples_dir

        paths = resolve_inputs([str(bundled_samples_dir())])
    options = launch_options(args, paths)
    # Startup allocates much (imports, the catalog, the first frame) that lives as long as
    # the process and leaves little garbage: collections during it cost ~30 ms, and
    # scanning it after (the first young collection) ~15 ms more; so it is frozen instead.
    gc.disable()
    try:
        app = _start(options)
    finally:
        gc.freeze()
        gc.enable()
    result = app.run()
    return app.return_code or (result if isinstance(result, int) else 0)


def _start(options: LaunchOptions):
    """Open the files, draw the first heatmap when in a terminal, and build the app."""
    options.session = _preflight(options)
    first = None
    if not (options.follow or options.mono):  # those open on another picture than the plain view
        from heatscope.tui.terminal.first_frame import draw_first_frame

        first = draw_first_frame(options.session, options.spec)
    try:
        from heatscope.tui.app import create_app

        app = create_app(options)
    except BaseException:
        if first is not None:
            first.withdraw()
        raise
    if first is not None:
        first.hand_over()
    return app
