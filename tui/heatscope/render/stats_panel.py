"""The stats side panel as a Rich renderable (labels from files are shown literally)."""

from __future__ import annotations

import math

from rich.console import Group, RenderableType
from rich.text import Text

from heatscope.read.summary import CursorSummary, SliceSummary
from heatscope.render.ticks import format_tick
from heatscope.stats.slice_stats import LoadStats
from heatscope.text import safe_text
from heatscope.views.normalize import Norm


def fmt(value: float, digits: int = 4) -> str:
    """A number for the panel: ``-`` for none, ``NaN`` for NaN (a summary of NaN is NaN,
    never 0), compact otherwise."""
    if value is None:
        return "-"
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, float) and math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if abs(value) >= 1e5 or (value != 0 and abs(value) < 1e-3):
        return f"{value:.{digits - 1}e}"
    return f"{value:.{digits}g}" if abs(value) >= 1 else f"{value:.{digits - 1}f}".rstrip("0").rstrip(".") or "0"


def _pairs(rows: list[tuple[str, str]], columns: int = 1) -> Text:
    """Key/value pairs as aligned plain text, ``columns`` pairs per line (cheap to render)."""
    text = Text(no_wrap=True, overflow="ellipsis")
    key_w = [0] * columns
    val_w = [0] * columns
    rows = [(safe_text(key), safe_text(value)) for key, value in rows]
    for i, (key, value) in enumerate(rows):
        key_w[i % columns] = max(key_w[i % columns], len(key))
        val_w[i % columns] = max(val_w[i % columns], len(value))
    for i, (key, value) in enumerate(rows):
        col = i % columns
        if col == 0 and i:
            text.append("\n")
        text.append(key.ljust(key_w[col] + 1), style="dim")
        text.append(value if col == columns - 1 or i == len(rows) - 1 else value.ljust(val_w[col] + 1))
    return text


def _heading(text: str) -> Text:
    return Text(safe_text(text), style="bold underline")


def _load_rows(load: LoadStats, prefix: str = "") -> list[tuple[str, str]]:
    return [
        (f"{prefix}MaxVio", fmt(load.max_vio, 3)),
        (f"{prefix}CV", fmt(load.cv, 3)),
        (f"{prefix}entropy", fmt(load.entropy, 3)),
        (f"{prefix}Gini", fmt(load.gini, 3)),
        (f"{prefix}dead", fmt(load.dead, 3)),
    ]


def panel_balance(info, panels) -> list[tuple[str, str]]:
    """(mean MaxVio, panel title) for every panel of a load dataset, to compare at a glance."""
    from heatscope.read.summary import summarize

    if not info.value.is_load:
        return []
    rows = []
    for p in panels:
        summary = p.summary if getattr(p, "summary", None) is not None else summarize(info, p.data)
        rows.append((fmt(summary.load.max_vio, 3) if summary.load else "-", p.spec.title))
    return rows


def cursor_renderable(cursor: CursorSummary, run: str = "") -> RenderableType:
    """The cursor cell: what it is (metric views), its labels on every axis, its value (or
    the max of the block it stands for, and where), and its row's statistics."""
    parts: list[RenderableType] = [_heading("Cursor")]
    if cursor.headline:
        parts.append(Text(safe_text(cursor.headline)))
    value = "missing" if cursor.missing else fmt(cursor.value, 5)
    rows = [*([("run", run)] if run else []), *cursor.labels, ("value", value)]
    if cursor.block:
        rows.append(("cell", cursor.block))
    if cursor.peak:
        rows.append(("max at", ", ".join(f"{name} {label}" for name, label in cursor.peak)))
    parts.append(_pairs(rows))
    rb = cursor.row_basic
    if rb is not None:
        rows = [("row mean", fmt(rb.mean)), ("row max", fmt(rb.max))]
        if cursor.row_load is not None:
            rows += [("row MaxVio", fmt(cursor.row_load.max_vio, 3)), ("row CV", fmt(cursor.row_load.cv, 3))]
        parts.append(_pairs(rows, columns=2))
    return Group(*parts)


def slice_renderable(
    summary: SliceSummary,
    norm: Norm,
    cmap: str,
    scan_note: str = "",
    panel_maxvio: list[tuple[str, str]] | None = None,
    panel_title: str = "",
) -> RenderableType:
    """Slice stats, balance metrics (and MaxVio per panel when faceted), per-row lines,
    hottest cells, color range: what does not change when only the cursor moves."""
    b = summary.basic
    parts: list[RenderableType] = [_heading(f"Slice: {panel_title}" if panel_maxvio else "Slice")]
    parts.append(_pairs([
        ("min", fmt(b.min)), ("max", fmt(b.max)), ("mean", fmt(b.mean)), ("std", fmt(b.std)),
    ], columns=2))
    parts.append(_pairs([("NaN", str(b.n_nan)), ("Inf", str(b.n_inf)), ("missing", str(b.n_missing))], columns=3))
    if summary.load is not None:
        parts.append(_heading(f"Balance (mean of {summary.load_along})"))
        parts.append(_pairs(_load_rows(summary.load), columns=2))
    if panel_maxvio:
        parts.append(_heading("MaxVio per panel"))
        parts.append(_pairs(panel_maxvio))
    if summary.lines:
        parts.append(_heading("Rows: mean @ peak"))
        parts.append(_pairs([(line.label, f"{fmt(line.mean, 3)} @ {line.peak_label}") for line in summary.lines]))
    if summary.hottest:
        parts.append(_heading("Hottest"))
        parts.append(_pairs([(fmt(h.cell.value), f"{h.row_label} · {h.col_label}") for h in summary.hottest]))
    parts.append(_heading("Colors"))
    rng = f"{format_tick(norm.vmin)} .. {format_tick(norm.vmax)}"
    color_rows = [("range", f"{norm.mode} {rng}"), ("cmap", cmap)]
    if scan_note:
        color_rows.append(("scan", scan_note))
    parts.append(_pairs(color_rows))
    return Group(*parts)
