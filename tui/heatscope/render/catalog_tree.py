"""The ``heatscope info`` listing of a file as a Rich tree (names always shown literally)."""

from __future__ import annotations

import posixpath

from rich.text import Text

from heatscope.catalog.datasets import Catalog, DatasetInfo
from heatscope.text import format_number, safe_text


def _range_text(d: DatasetInfo) -> str:
    lo, hi = d.value.valid_min, d.value.valid_max
    if lo is None and hi is None:
        return ""
    return f"  range {format_number(lo) if lo is not None else '..'}..{format_number(hi) if hi is not None else ''}"


def dataset_line(d: DatasetInfo) -> Text:
    """One dataset: name, shape with axis names, dtype, kind and viewability."""
    line = Text()
    line.append(safe_text(d.name), style="bold" if d.viewable else "dim")
    if d.link:
        line.append(f" {safe_text(d.link)}", style="italic")
    line.append(f"  {safe_text(d.shape_text())}", style="cyan")
    line.append(f"  {safe_text(d.dtype)}", style="magenta")
    if d.viewable:
        line.append(f"  {d.kind}", style="green")
        if d.is_scale:
            line.append("  scale", style="dim")
        line.append(f"  viewable  cmap {safe_text(d.value.colormap)}{_range_text(d)}", style="")
    else:
        role = "scale, " if d.is_scale else ""
        line.append(f"  {role}not viewable: {safe_text(d.reason or '')}", style="yellow")
    return line


def catalog_lines(catalog: Catalog, title: str | None = None) -> list[Text]:
    """The listing as lines (a tree of groups and datasets, then notes on skipped links).

    Lines are returned separately so callers print them unwrapped: long shapes stay on
    one line whatever the terminal width, and piped output is never cropped.
    """
    viewable = [d for d in catalog.datasets if d.viewable and not d.is_scale]
    heading = Text(safe_text(title or str(catalog.path)), style="bold")
    heading.append(f"  ({len(catalog.datasets)} datasets, {len(viewable)} viewable)", style="dim")
    children: dict[str, list[tuple[str, Text]]] = {}
    for group in catalog.groups:
        label = Text(safe_text(posixpath.basename(group)) + "/", style="bold blue")
        children.setdefault(posixpath.dirname(group), []).append((group, label))
    for d in catalog.datasets:
        children.setdefault(posixpath.dirname(d.path), []).append(("", dataset_line(d)))
    lines = [heading]

    def emit(path: str, indent: str) -> None:
        items = children.get(path, [])
        for i, (child, label) in enumerate(items):
            last = i == len(items) - 1
            lines.append(Text(indent + ("└── " if last else "├── "), style="dim") + label)
            if child:
                emit(child, indent + ("    " if last else "│   "))

    emit("/", "")
    lines.extend(Text("note: " + safe_text(n), style="yellow") for n in catalog.notes)
    lines.extend(Text(f"note: {d.display_path}: {safe_text(n)}", style="yellow")
                 for d in catalog.datasets for n in d.value.notes)
    return lines
