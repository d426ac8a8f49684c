"""The stats side panel as a Rich renderable (labels from files are shown literally)."""

from __future__ import annotations

import math

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from heatscope.data.stats import LoadStats
from heatscope.data.summary import CursorSummary, SliceSummary
from heatscope.data.text import printable
from heatscope.render.normalize import Norm
from heatscope.render.ticks import format_tick


def fmt(value: float, digits: int = 4) -> str:
    """A number for the panel: NaN as ``-``, compact otherwise."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, float) and math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if abs(value) >= 1e5 or (value != 0 and abs(value) < 1e-3):
        return f"{value:.{digits - 1}e}"
    return f"{value:.{digits}g}" if abs(value) >= 1 else f"{value:.{digits - 1}f}".rstrip("0").rstrip(".") or "0"


def _pairs(rows: list[tuple[str, str]]) -> Table:
    table = Table.grid(padding=(0, 1))
    table.add_column(style="dim", no_wrap=True)
    table.add_column(no_wrap=True, overflow="ellipsis")
    for key, value in rows:
        table.add_row(Text(key), Text(printable(value)))
    return table


def _heading(text: str) -> Text:
    return Text(text, style="bold underline")


def _load_rows(load: LoadStats, prefix: str = "") -> list[tuple[str, str]]:
    return [
        (f"{prefix}MaxVio", fmt(load.max_vio, 3)),
        (f"{prefix}CV", fmt(load.cv, 3)),
        (f"{prefix}entropy", fmt(load.entropy, 3)),
        (f"{prefix}Gini", fmt(load.gini, 3)),
        (f"{prefix}dead <0.1", str(load.dead)),
    ]


def stats_renderable(
    summary: SliceSummary,
    cursor: CursorSummary | None,
    norm: Norm,
    cmap: str,
    scan_note: str = "",
) -> RenderableType:
    """Slice stats, balance metrics, hottest cells, per-row lines, cursor cell, color range."""
    b = summary.basic
    parts: list[RenderableType] = [_heading("Slice")]
    parts.append(_pairs([
        ("min", fmt(b.min)), ("max", fmt(b.max)), ("mean", fmt(b.mean)), ("std", fmt(b.std)),
        ("NaN", str(b.n_nan)), ("Inf", str(b.n_inf)), ("missing", str(b.n_missing)),
    ]))
    if summary.load is not None:
        parts.append(_heading(f"Balance (mean of {summary.load_along})"))
        parts.append(_pairs(_load_rows(summary.load)))
    if summary.hottest:
        parts.append(_heading("Hottest"))
        parts.append(_pairs([(fmt(h.cell.value), f"{h.row_label} · {h.col_label}") for h in summary.hottest]))
    if summary.lines:
        parts.append(_heading("Rows: mean, peak"))
        parts.append(_pairs([(line.label, f"{fmt(line.mean, 3)} @ {line.peak_label}") for line in summary.lines]))
    if cursor is not None:
        parts.append(_heading("Cursor"))
        value = "missing" if cursor.missing else fmt(cursor.value, 5)
        parts.append(_pairs([*cursor.labels, ("value", value)]))
        rb = cursor.row_basic
        rows = [("row mean", fmt(rb.mean)), ("row max", fmt(rb.max))]
        if cursor.row_load is not None:
            rows += _load_rows(cursor.row_load, "row ")[:2]
        parts.append(_pairs(rows))
    parts.append(_heading("Colors"))
    rng = f"{format_tick(norm.vmin)} .. {format_tick(norm.vmax)}"
    color_rows = [("range", f"{norm.mode} {rng}"), ("cmap", cmap)]
    if scan_note:
        color_rows.append(("scan", scan_note))
    parts.append(_pairs(color_rows))
    return Group(*parts)

