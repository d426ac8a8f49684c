"""Reading a byte range of one rank's JSON Lines file, and putting the ranges back together.

A span ``[start, end)`` holds the lines that start in it: it skips the rest of the line it
starts in (that line belongs to the span before) and reads its last line to its end, so
spans of a file cut anywhere hold every line once. Its result is what the sequential read
would have added for those lines (counts per cell, records per cell, damage), with line
numbers relative to the span; the damaged records whose step is unknown before its first
and after its last valid record are left to ``FileStitch``, which knows the steps of the
spans around it. One span per file is the single-process import; many spans on dask
workers give the same cells, the same skipped lines and the same numbers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from heatscope.importers.megatron_cells import RankCells, json_problem, record_ids
from heatscope.importers.output import MAX_SKIPPED_KEPT, ImportReport, Progress

MakeParse = Callable[[], tuple[Callable, dict]]  # -> (parse a line, the counters it fills)


@dataclass
class Span:
    """What the lines of one span add (steps as logged: the step offset is the client's)."""

    lines: int = 0  # lines starting in the span, blank ones too (for line numbers)
    records: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line in the span, reason)
    skipped_count: int = 0
    cells: dict[tuple[int, str, int], list] = field(default_factory=dict)  # (step, block, layer) -> [counts, n, rep]
    damaged: list[tuple[tuple[int, int], str | None, int | None]] = field(default_factory=list)
    head: list[tuple[str | None, int | None]] = field(default_factory=list)  # unknown steps, before `first`
    first: int | None = None  # step of the first valid record
    last: int | None = None  # step of the last valid record
    tail: list[tuple[str | None, int | None]] = field(default_factory=list)  # unknown steps, after `last`
    counters: dict = field(default_factory=dict)


def read_span(path: str | Path, start: int, end: int | None, make_parse: MakeParse, step_key: str,
              repeats: bool, advance: Callable[[int], None] | None = None) -> Span:
    """The lines of ``path`` starting in ``[start, end)`` (``end`` None: to the end of the file).
    ``repeats``: a cell may have several records of one rank (router traces' microbatches)."""
    parse, counters = make_parse()
    span = Span(counters=counters)
    cells = span.cells
    with open(path, "rb") as fh:
        if start:
            fh.seek(start - 1)
            fh.readline()  # the end of the line the span starts in (or the newline before it)
        at = fh.tell()
        for raw in fh:
            if end is not None and at >= end:
                break
            at += len(raw)
            span.lines += 1
            if advance is not None:
                advance(len(raw))
            if not raw.strip():
                continue
            span.records += 1
            text = raw.decode("utf-8", "replace")
            try:
                parsed = parse(text)
            except (ValueError, TypeError) as exc:
                span.skipped_count += 1
                if len(span.skipped) < MAX_SKIPPED_KEPT:
                    reason = json_problem(exc, text) if isinstance(exc, json.JSONDecodeError) else str(exc)
                    span.skipped.append((span.lines, reason))
                step, block, layer = record_ids(text, step_key)
                if step is not None:
                    span.damaged.append(((step, step), block, layer))
                else:
                    span.tail.append((block, layer))
                continue
            if parsed is None:
                continue
            step, block, layer, counts = parsed
            if span.first is None:
                span.first, span.head, span.tail = step, span.tail, []
            else:  # damaged records between the last step and this one
                span.damaged.extend(((span.last, step), b, n) for b, n in span.tail)
                span.tail.clear()
            span.last = step
            cell = cells.get((step, block, layer))
            if cell is None:
                cells[(step, block, layer)] = [counts.astype(np.int64), 1, False]
            elif not repeats:
                cell[2] = True  # logged twice by this rank: the cell is missing
            else:
                if cell[0].size < counts.size:
                    cell[0] = np.pad(cell[0], (0, counts.size - cell[0].size))
                cell[0][:counts.size] += counts
                cell[1] += 1
    if span.first is None:
        span.head, span.tail = span.tail, []
    return span


class FileStitch:
    """The spans of one rank's file, taken in order, added to ``cells`` as the sequential
    read adds them; ``finish`` after the last span."""

    def __init__(self, path: Path, rank: int, stage: int, part: int, cells: RankCells, report: ImportReport,
                 step_offset: int, counters: dict) -> None:
        self.path, self.rank, self.stage, self.part = path, rank, stage, part
        self.cells, self.report, self.offset, self.counters = cells, report, step_offset, counters
        self.lines, self.last, self.pending = 0, None, []

    def _damage(self, steps, block, layer) -> None:
        if steps is not None:
            steps = (steps[0] + self.offset, steps[1] + self.offset)
        self.cells.damage(self.stage, self.part, steps, block, layer)

    def add(self, span: Span) -> None:
        for number, reason in span.skipped:
            self.report.skip(f"{self.path}:{self.lines + number}", reason)
        self.report.skipped_count += span.skipped_count - len(span.skipped)
        self.report.lines += span.records
        self.lines += span.lines
        for name, n in span.counters.items():
            self.counters[name] = self.counters.get(name, 0) + n
        for steps, block, layer in span.damaged:
            self._damage(steps, block, layer)
        if span.first is None:
            self.pending.extend(span.head)
        else:
            low = span.first if self.last is None else self.last
            for block, layer in self.pending + span.head:
                self._damage((low, span.first), block, layer)
            self.pending, self.last = list(span.tail), span.last
        for (step, block, layer), (counts, n, repeated) in span.cells.items():
            self.cells.merge((step + self.offset, block, self.stage, layer, self.part), self.rank, counts, n, repeated)

    def finish(self) -> None:
        for block, layer in self.pending:
            self._damage(None if self.last is None else (self.last, self.last), block, layer)


def read_rank_files(files: list[tuple[int, Path]], label: str, report: ImportReport, cells: RankCells,
                    make_parse: MakeParse, place: Callable[[int], tuple[int, int] | None], step_key: str,
                    step_offset: int = 0, engine=None) -> dict:
    """Read every line of the per-rank ``files`` into ``cells``: ``make_parse()`` gives the
    function turning a line into ``(step, block, layer, counts)`` (None: not counted;
    ValueError: invalid) and the counters it fills, ``place`` a rank into ``(stage, part)``
    (None: its file is not read). On ``engine``'s cluster (for this input size) the files
    are read in spans by its workers. Returns the counters summed; damage is reported."""
    placed = [(rank, path, place(rank)) for rank, path in files]
    report.files += len(files)
    sizes = [path.stat().st_size for _, path, _ in placed]
    total = sum(size for size, (_, _, where) in zip(sizes, placed) if where is not None)
    cluster = engine.for_input(total) if engine is not None else None
    counters: dict = {}
    stitches, items, owners, lengths = [], [], [], []
    span_bytes = cluster.span_bytes(total) if cluster is not None else None
    for size, (rank, path, where) in zip(sizes, placed):
        if where is None:
            continue
        owner = len(stitches)
        stitches.append(FileStitch(path, rank, *where, cells, report, step_offset, counters))
        starts = range(0, size, span_bytes) if span_bytes and size > span_bytes else [0]
        for start in starts:
            end = start + span_bytes if span_bytes and start + span_bytes < size else None
            items.append((path, start, end))
            owners.append(owner)
            lengths.append((size if end is None else end) - start)
    repeats = cells.microbatch_records
    with Progress(label, sum(sizes)) as progress:
        progress.advance(sum(sizes) - total)  # files not read
        if cluster is None:
            for (path, start, end), owner in zip(items, owners):
                stitches[owner].add(read_span(path, start, end, make_parse, step_key, repeats, progress.advance))
        else:
            tasks = [(str(path.resolve()), start, end, make_parse, step_key, repeats) for path, start, end in items]
            for owner, span in zip(owners, cluster.ordered(read_span, tasks, lengths, progress.advance)):
                stitches[owner].add(span)
    for stitch in stitches:
        stitch.finish()
    return counters
