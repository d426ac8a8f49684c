"""Argument parsing shared by the subcommands: errors are one line and exit status 2."""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence

from heatscope import __version__
from heatscope.errors import HeatscopeError


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, like every other input error
        raise HeatscopeError(message)

    def parse_args(self, args: Sequence[str] | None = None, namespace=None):
        """As argparse, except that a number after a numeric option is its value even when
        it starts with a dash (``--vmin -inf``, ``--vmin -1e3``), which argparse would
        take for an option."""
        return super().parse_args(None if args is None else _attach_numbers(list(args)), namespace)


def is_number(text: str) -> bool:
    """Whether ``text`` parses as a float (``-inf`` and ``1e3`` do)."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def _attach_numbers(argv: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(argv):
        if argv[i] in NUMBER_OPTIONS and i + 1 < len(argv) and argv[i + 1].startswith("-") and is_number(argv[i + 1]):
            out.append(f"{argv[i]}={argv[i + 1]}")
            i += 2
            continue
        out.append(argv[i])
        i += 1
    return out


NUMBER_OPTIONS = ("--vmin", "--vmax")


def finite_float(text: str) -> float:
    """An argparse type: a finite number (``1e999``, ``inf`` and ``nan`` are refused)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
    return value


def parse_reduce(text: str | None) -> tuple[str, str] | None:
    """``--reduce expert=maxvio`` -> ``("expert", "maxvio")``."""
    if text is None:
        return None
    axis, sep, stat = text.partition("=")
    if not sep or not axis.strip() or not stat.strip():
        raise HeatscopeError(f"--reduce wants AXIS=STAT (e.g. expert=maxvio), got {text!r}")
    return axis.strip(), stat.strip().lower()


def base_parser() -> Parser:
    parser = Parser(
        prog="heatscope",
        description="Terminal inspector for per-layer training tensors in HDF5 files.",
        epilog="Subcommands: 'heatscope info PATH...' lists the datasets of files or directories; "
        "'heatscope export PATH ...' writes a view as svg/png/html/txt/ansi/csv (see 'heatscope export --help'); "
        "'heatscope import megatron|sglang|tensor SRC -o run.h5' converts Megatron-LM router traces and "
        "tokens-per-expert logs, SGLang expert distribution dumps and .npy/.npz/.safetensors/.pt files; "
        "'heatscope serve [PATH ...]' serves the inspector to a browser. PATHs may be URLs (s3://, https://, "
        "hdf5:// on HSDS with --hsds ENDPOINT or HS_ENDPOINT).",
    )
    parser.add_argument("--version", action="version", version=f"heatscope {__version__}")
    return parser
