"""What every importer shares: the report of what was read, skipped and assumed; the output
written under a temporary name and renamed only when complete; a progress bar on stderr."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from heatscope.errors import HeatscopeError
from heatscope.sources.signature import HDF5_SIGNATURE

MAX_SKIPPED_KEPT = 1000  # skipped lines beyond this are only counted


@dataclass
class ImportReport:
    """What an import read and wrote; printed by the command and stored as file attributes."""

    found: str = ""  # which format was recognized
    files: int = 0
    lines: int = 0  # records read (lines of JSON Lines, records of a dump, arrays of a file)
    skipped: list[str] = field(default_factory=list)  # "file:line: reason" or "file: key: reason"
    skipped_count: int = 0
    assumptions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # cells marked missing, files not read
    written: list[str] = field(default_factory=list)  # "name: step=3 x layer=4 x expert=8"

    def skip(self, where: str, reason: str) -> None:
        self.skipped_count += 1
        if len(self.skipped) < MAX_SKIPPED_KEPT:
            self.skipped.append(f"{where}: {reason.splitlines()[0][:160] if reason else 'invalid'}")


@contextmanager
def staged_output(output: Path, force: bool, inputs: list[Path] = ()) -> Iterator[Path]:
    """A temporary path beside ``output`` to write to, renamed to ``output`` when the block
    finishes; removed when it fails or is interrupted, so a half-written file never carries
    the final name. An existing ``output`` is refused unless ``force``, and even then
    unless it is an HDF5 file (so no input log or dump is ever replaced)."""
    output = Path(output)
    if output.is_dir():
        raise HeatscopeError("the output is a directory", str(output))
    if output.exists():
        resolved = output.resolve()
        if any(Path(p).resolve() == resolved for p in inputs):
            raise HeatscopeError("the output is one of the inputs", str(output))
        if not force:
            raise HeatscopeError("the output exists; pass --force to replace it", str(output))
        with open(output, "rb") as fh:  # --force replaces an earlier import, never a log or a dump
            if fh.read(8) != HDF5_SIGNATURE:
                raise HeatscopeError("the output exists and is not an HDF5 file: not replaced", str(output))
    if not output.parent.is_dir():
        raise HeatscopeError("no such directory for the output", str(output.parent))
    staging = output.with_name(f".{output.name}.importing-{os.getpid()}")
    try:
        yield staging
        os.replace(staging, output)
    finally:
        if staging.exists():
            staging.unlink()


class Progress:
    """A progress bar on stderr counting bytes, or items with ``unit`` (e.g. "tokens");
    nothing when stderr is not a terminal."""

    def __init__(self, label: str, total: int, unit: str | None = None) -> None:
        self._bar = None
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, DownloadColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
            from rich.progress import Progress as Bar

            from heatscope.text import safe_text

            count = DownloadColumn() if unit is None else MofNCompleteColumn()
            columns = [TextColumn("{task.description}", markup=False), BarColumn(), count]
            if unit is not None:
                columns.append(TextColumn(unit, markup=False))
            self._bar = Bar(*columns, TimeRemainingColumn(), console=Console(stderr=True), transient=True)
            label = safe_text(label)
            self._task = self._bar.add_task(label, total=total)

    def __enter__(self) -> Progress:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()

    def advance(self, amount: int) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, amount)
