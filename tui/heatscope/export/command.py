"""``heatscope export``: write the panels of a view as svg, png, html, txt, ansi or csv."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from heatscope.cluster.options import Engine, add_cluster_flags
from heatscope.errors import HeatscopeError
from heatscope.sources.backends import is_remote
from heatscope.text import safe_text
from heatscope.views.flags import add_view_flags, spec_from_args

FORMATS = ("svg", "png", "html", "txt", "ansi", "csv")
TEXT_FORMATS = ("svg", "html", "txt", "ansi", "csv")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="HDF5 file; a second file exports the difference PATH2 - PATH; a directory of runs "
                             "(or two files with --facet run...) puts the runs on a 'run' axis")
    add_view_flags(parser)
    parser.add_argument("--format", "-f", choices=FORMATS, help="output format (default: from OUT's suffix)")
    parser.add_argument("--output", "-o", metavar="OUT", help="output file, or - for stdout (text formats)")
    add_cluster_flags(parser, "compute --reduce")


def _format(args: argparse.Namespace) -> str:
    """The output format: --format, else -o's suffix, else txt for stdout and svg for a file."""
    out = args.output
    if args.format:
        fmt = args.format
    elif out and out != "-":
        suffix = Path(out).suffix.lower().lstrip(".")
        fmt = {"htm": "html", "text": "txt", "ans": "ansi"}.get(suffix, suffix)
        if fmt not in FORMATS:
            raise HeatscopeError(f"cannot tell the format from {out!r}: use --format {'|'.join(FORMATS)}")
    else:
        fmt = "txt" if out == "-" else "svg"
    if out == "-" and fmt not in TEXT_FORMATS:
        raise HeatscopeError("-o - writes text formats only; give a file name for png")
    return fmt


# How many cells an overview of a huge slice needs in each format: the image's pixel cap;
# for text and csv, two per character of a 240-column figure and about 100 lines.
OVERVIEW_TARGETS = {"png": (1600, 2400)}
TEXT_OVERVIEW = (200, 480)


def run_export(args: argparse.Namespace) -> int:
    """Evaluate the view, render it in the chosen format, write it; returns the exit status."""
    from heatscope.read.session import Session
    from heatscope.render.file_names import screenshot_name
    from heatscope.sources.opening import resolve_inputs
    from heatscope.views.frame import evaluate

    paths = resolve_inputs(args.paths)
    spec = spec_from_args(args, len(paths))
    if args.cmap:
        from heatscope.colors.colormaps import lut

        lut(args.cmap)
    fmt = _format(args)
    with Engine.from_args(args) as engine:
        # started before any file is open here (its workers are forked from this process)
        cluster = engine.for_input(_local_bytes(paths)) if args.reduce else None
        session = Session(paths, cluster)
        try:
            fig = evaluate(session, spec, target=OVERVIEW_TARGETS.get(fmt, TEXT_OVERVIEW))
        finally:
            session.close()
    for note in fig.info.value.notes:  # what info lists and the TUI shows as a notice
        print(f"heatscope: note: {fig.info.display_path}: {note}", file=sys.stderr)
    for note in fig.notes:
        print(f"heatscope: note: {safe_text(note)}", file=sys.stderr)
    if fig.panels[0].factors != (1, 1):
        rs, cs = fig.panels[0].factors
        print(f"heatscope: note: {fig.info.display_path}: the slice is too large to read whole: an overview "
              f"where each cell is the max of {rs} x {cs} values", file=sys.stderr)
    title = fig.panels[0].spec.title if len(fig.panels) == 1 else f"{fig.info.name}_{len(fig.panels)}_panels"
    out = args.output or f"{screenshot_name(fig.name, title)[: -len('.svg')]}.{fmt}"
    data = render(fig, fmt)
    if out == "-":
        sys.stdout.write(data)
        return 0
    refuse_overwriting_inputs(Path(out), paths)
    try:
        if isinstance(data, bytes):
            Path(out).write_bytes(data)
        else:
            Path(out).write_text(data, encoding="utf-8")
    except OSError as exc:
        raise HeatscopeError(f"cannot write ({exc.strerror or exc})", out) from None
    print(safe_text(out))
    return 0


def _local_bytes(paths: list[Path]) -> int:
    """The size of the local input files (what --workers alone weighs)."""
    return sum(os.path.getsize(p) for p in paths if not is_remote(p))


def refuse_overwriting_inputs(out: Path, inputs: list[Path]) -> None:
    """Never write over an input file (``export run.h5 -o run.h5`` once replaced the run
    with a PNG): the same file by identity, not just by name (links, ../ paths)."""
    if not out.exists():
        return
    for path in inputs:
        if is_remote(path):  # a remote input cannot be written over
            continue
        try:
            same = os.path.samefile(out, path)
        except OSError:
            continue
        if same:
            raise HeatscopeError("refusing to write over an input file; choose another -o", str(out))


def render(fig, fmt: str) -> str | bytes:
    """The figure in ``fmt``."""
    if fmt == "png":
        from heatscope.export.png import to_png

        return to_png(fig)
    from heatscope.export import text_formats

    return {"svg": text_formats.to_svg, "html": text_formats.to_html, "txt": text_formats.to_txt,
            "ansi": text_formats.to_ansi, "csv": text_formats.to_csv}[fmt](fig)
