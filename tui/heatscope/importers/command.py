"""``heatscope import megatron DIR -o OUT``: Megatron-LM logs into an HDF5 run file."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from heatscope.errors import HeatscopeError
from heatscope.parsing import Parser


def run_import(argv: Sequence[str]) -> int:
    """``heatscope import megatron DIR -o OUT``: skipped lines are reported with file:line."""
    parser = Parser(prog="heatscope import", description="Import training logs into an HDF5 run file.")
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
    from heatscope.data.text import safe_text

    for line in report.skipped[:50]:
        print(f"heatscope: skipped {safe_text(line)}", file=sys.stderr)
    if len(report.skipped) > 50:
        print(f"heatscope: ... and {len(report.skipped) - 50} more skipped lines", file=sys.stderr)
    print(f"{args.output}: {report.steps} steps x {report.layers} layers x {report.experts} experts"
          + (f" (+{report.mtp_layers} MTP layers)" if report.mtp_layers else "")
          + f" from {report.lines} lines in {report.files} rank files; {len(report.skipped)} skipped")
    for assumption in report.assumptions:
        print(f"assumed: {assumption}")
    return 0


