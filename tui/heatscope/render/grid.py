"""Several panels on one screen or page: side by side in a grid when they fit at their
natural width, else stacked; one shared legend (axis name, colorbar, notes) at the bottom.

Used by the TUI's heatmap widget and by the text exports, so both lay facets out alike.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rich.segment import Segment

from heatscope.catalog.datasets import DatasetInfo
from heatscope.read.selection import Selection
from heatscope.render.geometry import Geometry
from heatscope.render.heatmap_panel import HeatmapModel, footer_lines, layout_heatmap, row_label_width
from heatscope.views.frame import Frame
from heatscope.views.normalize import Norm

GAP = 3  # columns between panels side by side


@dataclass
class GridLayout:
    """Lines of every panel, where each panel's cells start, and how many panels per row."""

    lines: list[list[Segment]]
    geometry: Geometry
    map_xs: list[int]
    map_ys: list[int]
    notes: list[str]
    columns: int
    origin: tuple[int, int] = (0, 0)  # model cell at each map's top left (a zoomed window)
    zoom_levels: int = 1
    one_to_one: int = 0

    @property
    def map_x(self) -> int:
        return self.map_xs[0]

    @property
    def map_y(self) -> int:
        return self.map_ys[0]


def panel_models(info: DatasetInfo, sel: Selection, panels, norm: Norm, cmap: str, value_title: str,
                 mono: bool = False) -> list[HeatmapModel]:
    """One model per panel (``render.panels.Panel``), sharing labels, scale and label width."""
    row_axis = info.axes[sel.row_axis] if sel.row_axis is not None else None
    col_axis = info.axes[sel.col_axis]
    rs, cs = panels[0].factors  # an overview: each value stands for rs x cs data cells
    rows = tuple(row_axis.label(i) for i in range(0, sel.n_rows, rs)) if row_axis else (info.name,)
    row_name = row_axis.name if row_axis else ""
    cols = tuple(col_axis.label(i) for i in range(0, sel.n_cols, cs))
    return [
        HeatmapModel(values=p.values, missing=p.missing, row_labels=rows, col_labels=cols, row_name=row_name,
                     col_name=col_axis.name, title=p.spec.title, value_title=value_title, norm=norm, cmap=cmap,
                     mono=mono, label_width=row_label_width(rows, row_name), factors=(rs, cs),
                     data_shape=(sel.n_rows, sel.n_cols))
        for p in panels
    ]


def frame_models(frame: Frame, mono: bool = False) -> list[HeatmapModel]:
    """The panels' models of a frame, as the TUI, the first frame and the text exports draw them."""
    return panel_models(frame.info, frame.state.selection, frame.panels, frame.norm, frame.cmap, frame.value_title,
                        mono)


def layout_view(models: list[HeatmapModel], cursor: tuple[int, int], width: int, height: int,
                per_row: int | None = None, zoom: int = 0, origin: tuple[int, int] = (0, 0)) -> GridLayout:
    """``layout_grid`` with the cursor (in data rows, running on through stacked panels, and
    columns) drawn in its panel, at ``zoom`` with a zoomed window at ``origin``."""
    first = models[0]
    panel, row = divmod(cursor[0], first.shape[0])
    here = (row // first.factors[0], cursor[1] // first.factors[1])  # in the model's cells
    placed = [replace(m, cursor=here if i == panel else None, zoom=zoom, origin=origin)
              for i, m in enumerate(models)]
    return layout_grid(placed, width, height, per_row)


def _cells(line: list[Segment]) -> int:
    return sum(s.cell_length for s in line)


def _grow_room(probe, last: HeatmapModel, width: int, height: int | None, stacked: int, blank: bool) -> int:
    """Lines of cells each panel may grow its rows into: its share of the lines that
    ``stacked`` grids rows of panels with rows a line tall and the legend leave free."""
    if height is None:
        return 0
    footer, _ = footer_lines(last, probe.geometry, width, probe.map_x, probe.zoom_note)
    free = height - stacked * len(probe.lines) - len(footer) - (stacked - 1) * blank
    return probe.geometry.height + max(0, free) // stacked


def layout_grid(models: list[HeatmapModel], width: int, height: int | None, per_row: int | None = None,
                blank_between: bool = False) -> GridLayout:
    """Lay ``models`` out in ``width`` columns (``height`` bounds each panel's geometry; None:
    no bound, rows a line each at most, as ``layout_heatmap``).

    ``per_row`` (the inner facet's size) is the preferred number of panels per grid row;
    they sit side by side only when that many fit at the width a single panel would take,
    and then share the width (and the free lines) to grow their cells into.
    """
    if len(models) == 1:
        one = layout_heatmap(replace(models[0], legend=True), width, height)
        return GridLayout(one.lines, one.geometry, [one.map_x], [one.map_y], one.notes, 1, one.origin,
                          one.zoom_levels, one.one_to_one)
    bare = [replace(m, legend=False) for m in models]
    if models[0].zoom:  # every panel shows the same window: the one that follows the cursor
        lead = next((m for m in bare if m.cursor is not None), bare[0])
        origin = layout_heatmap(lead, width, height).origin
        bare = [replace(m, origin=origin) for m in bare]
    probe = layout_heatmap(bare[0], width, height, grow=0)  # rows a line tall at most
    natural = max(_cells(line) for line in probe.lines)
    fit = max(1, (width + GAP) // (natural + GAP))
    columns = per_row if per_row and fit >= per_row else (1 if per_row else min(fit, len(models)))
    # side by side, each panel grows into its share of the width (an export's keep their own)
    panel_w = width if columns == 1 else natural if height is None else (width + GAP) // columns - GAP
    grow = _grow_room(probe, models[-1], width, height, -(-len(models) // columns), blank_between)
    parts = [layout_heatmap(m, panel_w, height, grow) for m in bare]
    lines: list[list[Segment]] = []
    map_xs, map_ys = [], []
    for start in range(0, len(parts), columns):
        row = parts[start:start + columns]
        if start and blank_between:
            lines.append([])
        top = len(lines)
        for j in range(max(len(p.lines) for p in row)):
            merged: list[Segment] = []
            for k, part in enumerate(row):
                cells = part.lines[j] if j < len(part.lines) else []
                if k < len(row) - 1:
                    cells = cells + [Segment(" " * max(0, panel_w + GAP - _cells(cells)))]
                merged.extend(cells)
            lines.append(merged)
        for k, part in enumerate(row):
            map_xs.append(k * (panel_w + GAP) + part.map_x)
            map_ys.append(top + part.map_y)
    geo = parts[-1].geometry
    footer, notes = footer_lines(models[-1], geo, width, parts[-1].map_x, parts[-1].zoom_note)
    lines.extend(footer)
    last = parts[-1]
    return GridLayout(lines, geo, map_xs, map_ys, notes, columns, last.origin, last.zoom_levels, last.one_to_one)
