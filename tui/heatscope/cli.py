"""Command line: ``heatscope [PATH...]`` opens the inspector; ``heatscope info PATH`` lists.

Subcommands import their heavy modules lazily so ``--help`` and ``info`` start fast. Every
user-facing problem ends as one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from heatscope import __version__
from heatscope.errors import HeatscopeError

EXIT_OK, EXIT_INPUT, EXIT_INTERNAL = 0, 2, 70


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, like every other input error
        raise HeatscopeError(message)


def _base_parser() -> _Parser:
    parser = _Parser(
        prog="heatscope",
        description="Terminal inspector for per-layer training tensors in HDF5 files.",
        epilog="Subcommands: 'heatscope info PATH...' lists the datasets of files or directories; "
        "'heatscope export PATH ...' writes a view as svg/png/html/txt/ansi/csv (see 'heatscope export --help'); "
        "'heatscope import megatron DIR -o run.h5' converts Megatron-LM tokens-per-expert logs.",
    )
    parser.add_argument("--version", action="version", version=f"heatscope {__version__}")
    return parser


def _info_parser() -> _Parser:
    parser = _Parser(prog="heatscope info", description="List every dataset of HDF5 files.")
    parser.add_argument("paths", nargs="+", metavar="PATH", help="HDF5 file or directory")
    return parser


def run_info(paths: Sequence[str]) -> int:
    """Print the tree of each file; bad files give one line on stderr and exit status 2."""
    from rich.console import Console

    from heatscope.data.catalog import build_catalog
    from heatscope.data.opening import open_hdf5, resolve_inputs
    from heatscope.render.catalog_tree import catalog_lines

    out = Console(highlight=False, emoji=False, soft_wrap=True)
    status = EXIT_OK
    for raw in paths:
        try:
            files = resolve_inputs([raw])
        except HeatscopeError as exc:
            _report(exc)
            status = EXIT_INPUT
            continue
        for path in files:
            try:
                with open_hdf5(path) as f:
                    for line in catalog_lines(build_catalog(f, detail_limit=None), title=str(path)):
                        out.print(line, soft_wrap=True)
            except HeatscopeError as exc:
                _report(exc)
                status = EXIT_INPUT
    return status


def _report(exc: HeatscopeError) -> None:
    text = str(exc).replace("\n", " ")
    from heatscope.data.text import printable

    print(f"heatscope: error: {printable(text)}", file=sys.stderr)


def dispatch(argv: Sequence[str]) -> int:
    """Parse ``argv`` and run the chosen command."""
    if argv and argv[0] == "info":
        args = _info_parser().parse_args(argv[1:])
        return run_info(args.paths)
    if argv and argv[0] == "import":
        return run_import(argv[1:])
    if argv and argv[0] == "export":
        from heatscope.export.command import add_arguments, run_export

        parser = _Parser(prog="heatscope export", description="Write a view as svg, png, html, txt, ansi or csv.")
        add_arguments(parser)
        args = parser.parse_args(argv[1:])
        return run_export(args, parse_picks(args.select))
    args = _tui_parser().parse_args(argv)
    return run_tui(args)


def run_import(argv: Sequence[str]) -> int:
    """``heatscope import megatron DIR -o OUT``: skipped lines are reported with file:line."""
    from pathlib import Path

    parser = _Parser(prog="heatscope import", description="Import training logs into an HDF5 run file.")
    parser.add_argument("source", choices=["megatron"], help="log format")
    parser.add_argument("directory", metavar="DIR", help="Megatron save dir (with tokens_per_expert/)")
    parser.add_argument("-o", "--output", required=True, metavar="OUT", help="HDF5 file to write")
    parser.add_argument("--ep-size", type=int, default=1, help="expert-parallel size (default 1)")
    parser.add_argument("--tp-size", type=int, default=1, help="tensor-parallel size (default 1)")
    args = parser.parse_args(argv)
    directory = Path(args.directory)
    if not directory.is_dir():
        raise HeatscopeError("not a directory", args.directory)
    from heatscope.importers.megatron import import_megatron

    report = import_megatron(directory, Path(args.output), args.ep_size, args.tp_size)
    from heatscope.data.text import printable

    for line in report.skipped[:50]:
        print(f"heatscope: skipped {printable(line)}", file=sys.stderr)
    if len(report.skipped) > 50:
        print(f"heatscope: ... and {len(report.skipped) - 50} more skipped lines", file=sys.stderr)
    print(f"{args.output}: {report.steps} steps x {report.layers} layers x {report.experts} experts"
          + (f" (+{report.mtp_layers} MTP layers)" if report.mtp_layers else "")
          + f" from {report.lines} lines in {report.files} rank files; {len(report.skipped)} skipped")
    for assumption in report.assumptions:
        print(f"assumed: {assumption}")
    return EXIT_OK


def _tui_parser() -> _Parser:
    from heatscope.render.normalize import RANGE_MODES

    parser = _base_parser()
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="HDF5 files or directories (default: the bundled sample runs)")
    parser.add_argument("--dataset", "-d", metavar="NAME", help="dataset to open first (path or name)")
    parser.add_argument("--select", action="append", default=[], metavar="AXIS=LABEL",
                        help="index on an axis by label or index, e.g. layer=9 (repeatable)")
    parser.add_argument("--cmap", metavar="NAME", help="colormap (YlOrRd, Blues, vik, viridis...; _r reverses)")
    parser.add_argument("--range", dest="range_mode", choices=RANGE_MODES, help="color range mode")
    parser.add_argument("--vmin", type=float, help="lower end of the color range")
    parser.add_argument("--vmax", type=float, help="upper end of the color range")
    parser.add_argument("--screenshot-dir", metavar="DIR", help="where `s` saves SVG screenshots (default: .)")
    parser.add_argument("--mono", action="store_true", help="no colors: shading glyphs (also NO_COLOR=1)")
    parser.add_argument("--follow", action="store_true", help="show new data as a writer adds it (key F toggles)")
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


def _preflight(paths, dataset: str | None, picks: dict[str, str]):
    """Open and catalog the files and read the first slice before the screen opens, failing
    with one line when the files, --dataset or --select cannot work. The app reuses the
    session, so its first frame already has the heatmap."""
    from heatscope.data.session import Session
    from heatscope.render.view_state import initial_state

    session = Session(paths)
    files = session.open_all()
    for i in range(len(files)):
        f = session.ensure_open(i)
        if f.catalog is None:
            continue
        info = f.catalog.find(dataset) if dataset else f.catalog.default_dataset()
        if info is None:
            continue
        if not info.viewable:
            session.close()
            raise HeatscopeError(f"dataset is not viewable: {info.reason}", f"{f.path}:{info.path}")
        try:
            state = initial_state(i, info, picks)
            session.read(state.file_index, state.info, state.selection, state.derived)
        except HeatscopeError:  # an unknown axis or label, or an unreadable slice
            session.close()
            raise
        return session
    if not any(f.catalog for f in session.files):
        session.close()
        raise HeatscopeError(next(f.error for f in session.files if f.error))
    session.close()
    if dataset:
        raise HeatscopeError(f"no dataset named {dataset!r} in the given files")
    raise HeatscopeError("no viewable dataset in the given files")


def run_tui(args: argparse.Namespace) -> int:
    """Validate the command line, then run the inspector; returns its exit status."""
    from pathlib import Path

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
    if args.vmin is not None and args.vmax is not None and not args.vmin < args.vmax:
        raise HeatscopeError("--vmin must be below --vmax")
    if args.screenshot_dir and not Path(args.screenshot_dir).is_dir():
        raise HeatscopeError("not a directory", args.screenshot_dir)
    session = _preflight(paths, args.dataset, picks)
    from heatscope.inspector.app import LaunchOptions, create_app

    app = create_app(LaunchOptions(
        paths=paths, dataset=args.dataset, picks=picks, cmap=args.cmap,
        range_mode=args.range_mode, vmin=args.vmin, vmax=args.vmax,
        screenshot_dir=Path(args.screenshot_dir) if args.screenshot_dir else None, mono=args.mono,
        session=session, follow=args.follow,
    ))
    result = app.run()
    return app.return_code or (result if isinstance(result, int) else 0)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``heatscope`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        return dispatch(argv)
    except HeatscopeError as exc:
        _report(exc)
        return EXIT_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - last line of defence: one line, no traceback
        if os.environ.get("HEATSCOPE_DEBUG"):
            raise
        print(
            f"heatscope: internal error: {type(exc).__name__}: {exc} "
            "(set HEATSCOPE_DEBUG=1 for a traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
