"""Argument parsing shared by the subcommands: errors are one line and exit status 2."""

from __future__ import annotations

import argparse

from heatscope import __version__
from heatscope.errors import HeatscopeError


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, like every other input error
        raise HeatscopeError(message)


def base_parser() -> Parser:
    parser = Parser(
        prog="heatscope",
        description="Terminal inspector for per-layer training tensors in HDF5 files.",
        epilog="Subcommands: 'heatscope info PATH...' lists the datasets of files or directories; "
        "'heatscope export PATH ...' writes a view as svg/png/html/txt/ansi/csv (see 'heatscope export --help'); "
        "'heatscope import megatron DIR -o run.h5' converts Megatron-LM tokens-per-expert logs.",
    )
    parser.add_argument("--version", action="version", version=f"heatscope {__version__}")
    return parser
