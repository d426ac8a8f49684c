"""Command line: ``heatscope [PATH...]`` opens the inspector; ``heatscope info PATH`` lists.

Subcommands import their heavy modules lazily so ``--help`` and ``info`` start fast. Every
user-facing problem ends as one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Sequence

from heatscope.errors import HeatscopeError
from heatscope.parsing import Parser

EXIT_OK, EXIT_INPUT, EXIT_INTERNAL = 0, 2, 70


def _info_parser() -> Parser:
    parser = Parser(prog="heatscope info", description="List every dataset of HDF5 files.")
    parser.add_argument("paths", nargs="+", metavar="PATH", help="HDF5 file or directory")
    return parser


def run_info(paths: Sequence[str]) -> int:
    """Print the tree of each file; bad files give one line on stderr and exit status 2."""
    from rich.console import Console

    from heatscope.catalog.datasets import build_catalog
    from heatscope.render.catalog_tree import catalog_lines
    from heatscope.sources.opening import open_hdf5, resolve_inputs

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
    from heatscope.text import safe_text

    print(f"heatscope: error: {safe_text(text)}", file=sys.stderr)


def dispatch(argv: Sequence[str]) -> int:
    """Parse ``argv`` and run the chosen command."""
    if argv and argv[0] == "info":
        args = _info_parser().parse_args(argv[1:])
        return run_info(args.paths)
    if argv and argv[0] == "serve":
        from heatscope.tui.serve import run_serve

        return run_serve(argv[1:])
    if argv and argv[0] == "import":
        from heatscope.importers.command import run_import

        return run_import(argv[1:])
    if argv and argv[0] == "capture":
        from heatscope.capture.command import run_capture

        return run_capture(argv[1:])
    if argv and argv[0] == "export":
        from heatscope.export.command import add_arguments, run_export

        parser = Parser(prog="heatscope export", description="Write a view as svg, png, html, txt, ansi or csv.")
        add_arguments(parser)
        return run_export(parser.parse_args(argv[1:]))
    from heatscope.tui.launch import run_tui, tui_parser

    return run_tui(tui_parser().parse_args(argv))


def _take_hsds_endpoint(argv: list[str]) -> list[str]:
    """``--hsds ENDPOINT`` (any command): the HSDS server for ``hdf5://`` paths, passed on
    to h5pyd (and to ``serve``'s app processes) as ``HS_ENDPOINT``."""
    out, i = [], 0
    while i < len(argv):
        if argv[i] == "--hsds" and i + 1 < len(argv):
            os.environ["HS_ENDPOINT"] = argv[i + 1]
            i += 2
            continue
        if argv[i].startswith("--hsds="):
            os.environ["HS_ENDPOINT"] = argv[i].split("=", 1)[1]
        else:
            out.append(argv[i])
        i += 1
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``heatscope`` console script."""
    argv = _take_hsds_endpoint(list(sys.argv[1:] if argv is None else argv))
    # Values near the float64 limit overflow to inf by design (and are shown as such):
    # numpy's warnings about it would print over the TUI or into a piped export.
    warnings.filterwarnings("ignore", category=RuntimeWarning)
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
