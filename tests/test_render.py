"""Headless rendering units: normalization, range modes, ticks, geometry, panel lines."""

from fractions import Fraction

import numpy as np
import pytest

from heatscope.catalog.values import ValueInfo
from heatscope.render.geometry import aggregate_max, fit_geometry
from heatscope.render.heatmap_panel import HeatmapModel, layout_heatmap
from heatscope.render.ticks import place_labels
from heatscope.stats.scan import ScanResult
from heatscope.views.normalize import Norm, available_modes, compute_norm, default_mode


def test_ticks_are_round_and_inside_float32_ranges():
    assert Norm(0, 10).ticks(6) == [0, 2, 4, 6, 8, 10]
    assert Norm(float(np.float32(0.1)), float(np.float32(0.6))).ticks(6) == [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]
    assert Norm(0.11, 0.17).ticks(6) == [0.12, 0.14, 0.16]
    assert Norm(0.01, 1000, log=True).ticks(6) == [0.01, 0.1, 1.0, 10.0, 100.0, 1000.0]


def test_norm_maps_and_clips():
    n = Norm(0.0, 10.0)
    out = n(np.array([-1.0, 0.0, 5.0, 12.0, np.nan, np.inf]))
    assert out[:4].tolist() == [0.0, 0.0, 0.5, 1.0] and np.isnan(out[4]) and out[5] == 1.0


def test_range_modes():
    values = np.array([[1.0, 2.0, 3.0], [4.0, 100.0, np.nan]])
    file_info = ValueInfo(valid_min=0.0, valid_max=10.0)
    assert available_modes(file_info)[0] == "file" and default_mode(file_info) == "file"
    assert "file" not in available_modes(ValueInfo()) and default_mode(ValueInfo()) == "global"
    assert default_mode(ValueInfo(center=0.14)) == "diverging"
    n = compute_norm("file", values, file_info)
    assert (n.vmin, n.vmax) == (0.0, 10.0)
    n = compute_norm("slice", values, ValueInfo())
    assert (n.vmin, n.vmax) == (1.0, 100.0)
    n = compute_norm("global", values, ValueInfo())
    assert "pending" in n.note and (n.vmin, n.vmax) == (1.0, 100.0)
    scan = ScanResult(10, 0, -5.0, 500.0, 3.0, {})
    n = compute_norm("global", values, ValueInfo(), scan)
    assert (n.vmin, n.vmax, n.note) == (-5.0, 500.0, "")
    n = compute_norm("percentile", values, ValueInfo())
    assert n.vmin == pytest.approx(np.percentile([1, 2, 3, 4, 100], 2))
    n = compute_norm("diverging", np.array([[0.13, 0.16]]), ValueInfo(center=0.14))
    assert n.vmin == pytest.approx(0.12) and n.vmax == pytest.approx(0.16)
    n = compute_norm("log", values, ValueInfo())
    assert n.log and (n.vmin, n.vmax) == (1.0, 100.0)
    n = compute_norm("slice", values, ValueInfo(), vmin=0.0, vmax=50.0)
    assert (n.vmin, n.vmax) == (0.0, 50.0)
    n = compute_norm("slice", np.full((2, 2), np.nan), ValueInfo())
    assert n.vmin < n.vmax  # all-NaN slice: a usable range, no crash
    n = compute_norm("slice", np.full((2, 2), 3.0), ValueInfo())
    assert n.vmin < 3.0 < n.vmax  # constant slice widened


def test_geometry_prefers_square_cells_then_packs():
    g = fit_geometry(3, 64, 200, 20, grow=False)
    assert (g.col_chars, g.row_lines, g.aggregated) == (2, 1, False)
    g = fit_geometry(3, 64, 33, 20)
    assert g.half_cols and not g.aggregated and g.width == 32
    g = fit_geometry(28, 7, 30, 16)
    assert g.half_rows and g.height == 14 and not g.aggregated
    g = fit_geometry(61, 256, 60, 20)
    assert g.aggregated and g.width <= 60 and g.height <= 20
    assert g.aggregated
    g = fit_geometry(3, 64, 40, 20, allow_half=False)
    assert not g.half_cols and g.col_group == 2


def test_fitted_rows_grow_into_free_lines_within_the_aspect():
    # the expert-load slice at 160 x 48 beside the tree: experts 1 character wide, so a row
    # may be 2 lines (4 times as tall as wide on screen), not 13
    g = fit_geometry(3, 64, 72, 41)
    assert (g.col_chars, g.row_lines, g.height) == (1, 2, 6)
    assert [g.label_row(y) for y in range(6)] == [0, None, 1, None, 2, None]
    g = fit_geometry(3, 64, 200, 41)  # 3 characters a column fit: up to 6 lines a row
    assert (g.col_chars, g.row_lines, g.width, g.height) == (3, 6, 192, 18)
    assert [g.label_row(y) for y in range(6)] == [None, None, 0, None, None, None]  # the middle line
    # layer_components (28 x 7, wide labelled columns): 1.5 lines a row fill 42 lines
    g = fit_geometry(28, 7, 63, 42, max_col_chars=9)
    assert (g.col_chars, g.row_lines, g.height) == (9, Fraction(3, 2), 42)
    assert [g.line_rows(y) for y in range(4)] == [(0, 0), (0, 1), (1, 1), (2, 2)]
    assert [g.label_row(y) for y in range(4)] == [0, None, 1, 2]
    assert fit_geometry(28, 7, 63, 42, allow_half=False, max_col_chars=9).row_lines == 1  # whole lines only
    assert fit_geometry(28, 7, 63, 41, max_col_chars=9).row_lines == 1  # 42 lines do not fit
    assert fit_geometry(3, 64, 33, 20).row_lines == 1  # packed columns: already 2 data cells a character


def test_fitted_cells_grow_in_both_directions_within_the_aspect():
    """One rule for both axes: each axis drawn a cell per index takes its share of the room,
    then the longer side of the cell is cut back until it is at most 4 times the shorter on
    screen (a character is half as wide as a line is tall: c characters x h half lines)."""
    g = fit_geometry(3, 4, 48, 24)  # 3 x 4 floats at 120 x 30: both sides bound by the room
    assert (g.col_chars, g.row_lines, g.width, g.height) == (12, 8, 48, 24)
    g = fit_geometry(28, 2, 80, 28)  # few columns: 8 characters (4 x a line), not 40-character bars
    assert (g.col_chars, g.row_lines, g.width) == (8, 1, 16)
    g = fit_geometry(1, 8, 80, 40)  # one row: 10 characters x 20 lines, not the 40 lines there are
    assert (g.col_chars, g.row_lines) == (10, 20)
    g = fit_geometry(28, 7, 30, 16)  # rows packed two a line keep that; columns grow to 4 x half a line
    assert (g.col_chars, g.row_lines, g.width, g.height) == (4, Fraction(1, 2), 28, 14)
    g = fit_geometry(3, 4, 48, 23, allow_half=False)  # monochrome: whole lines
    assert (g.col_chars, g.row_lines) == (12, 7)
    g = fit_geometry(3, 4, 48, 24, grow=False)  # an export's fit: cells as fitted
    assert (g.col_chars, g.row_lines) == (2, 1)
    g = fit_geometry(3, 500, 80, 40)  # aggregated columns keep half a character; rows 4 x that: a line
    assert g.col_group > 1 and (g.col_chars, g.row_lines) == (Fraction(1, 2), 1)
    g = fit_geometry(3, 500, 80, 40, allow_half=False)  # a character each: rows up to 2 lines
    assert g.col_group > 1 and (g.col_chars, g.row_lines) == (1, 2)


def test_aggregate_max_keeps_the_hot_cell_and_nan_blocks():
    a = np.ones((4, 6))
    a[1, 4] = 9.0
    a[2:4, 0:2] = np.nan
    out = aggregate_max(a, 2, 2)
    assert out.shape == (2, 3) and out[0, 2] == 9.0 and np.isnan(out[1, 0])


def test_place_labels_never_overlap_or_overflow():
    line = place_labels(12, [(0, "aaa"), (2, "bbb"), (10, "ccc")])
    assert line == "aaa bbb  ccc"[:12] or line.startswith("aaa bbb")
    assert len(line) == 12


def _model(values, **kw):
    rows, cols = values.shape
    base = dict(values=values, row_labels=tuple(f"r{i}" for i in range(rows)),
                col_labels=tuple(str(i + 1) for i in range(cols)), row_name="dataset",
                col_name="expert", title="Aux-Loss-Free Layer 9", value_title="Relative Expert Load",
                norm=Norm(0.0, 10.0), cmap="YlOrRd")
    base.update(kw)
    return HeatmapModel(**base)


def test_panel_lines_title_labels_ticks_colorbar():
    layout = layout_heatmap(_model(np.ones((3, 64))), 100, 20)
    text = ["".join(s.text for s in line) for line in layout.lines]
    assert "Aux-Loss-Free Layer 9" in text[0] and text[0].lstrip().startswith("dataset")
    assert [t.split()[0] if t.strip() else "" for t in text[1:7]] == ["r0", "", "r1", "", "r2", ""]  # 2 lines a row
    tick_line = text[7]
    assert layout.geometry.col_chars == 1  # 64 x 2 columns do not fit in 100
    assert tick_line.split()[:3] == ["1", "5", "9"]  # every 4 experts
    assert any("Relative Expert Load" in t for t in text)
    assert any(t.split() == ["0", "2", "4", "6", "8", "10"] for t in text)
    # the cell of expert 9 starts where its tick label starts
    assert tick_line.index(" 9 ") + 1 == layout.map_x + 8


def test_cursor_cell_is_marked_and_colors_are_truecolor():
    values = np.zeros((3, 8))
    values[2, 5] = 10.0
    layout = layout_heatmap(_model(values, cursor=(2, 5)), 60, 20)
    geo = layout.geometry
    assert (geo.col_chars, geo.row_lines) == (6, 5)  # cells grown to 6 x 5: the cursor on the row's middle line only
    lines = [layout.lines[layout.map_y + y][2:] for y in range(geo.height) if geo.line_rows(y)[0] == 2]
    assert [line[5].text for line in lines] == ["      ", "      ", "[    ]", "      ", "      "]
    cells = lines[2]
    assert cells[0].style.bgcolor.triplet == (255, 255, 204)  # YlOrRd at 0
    assert all(line[5].style.bgcolor.triplet == (128, 0, 38) for line in lines)  # hot cell, darkest red


def test_a_line_two_tall_rows_share_is_drawn_in_half_blocks():
    values = np.array([[0.0], [10.0], [np.nan]]) * np.ones((1, 7))
    layout = layout_heatmap(_model(values), 80, 10)  # 3 rows in 4 lines of 7 wide columns
    geo = layout.geometry
    assert (geo.col_chars, geo.row_lines, geo.height) == (10, Fraction(3, 2), 5)
    cells = [layout.lines[layout.map_y + y][2] for y in range(geo.height)]
    assert [c.text for c in cells] == [" " * 10, "▀" * 10, " " * 10, "×" * 10, "×" * 10]  # NaN: on both lines
    assert cells[1].style.color.triplet == (255, 255, 204) and cells[1].style.bgcolor.triplet == (128, 0, 38)
    labels = ["".join(s.text for s in layout.lines[layout.map_y + y][:1]).strip() for y in range(geo.height)]
    assert labels == ["r0", "", "r1", "r2", ""]


def test_grid_places_panels_side_by_side_when_they_fit():
    from heatscope.render.grid import layout_grid

    models = [_model(np.full((3, 8), float(i)), title=f"Panel {i}") for i in range(4)]
    wide = layout_grid(models, 120, 40)
    assert wide.columns >= 2 and len(set(wide.map_xs)) == wide.columns
    first_line = "".join(s.text for s in wide.lines[0])
    assert "Panel 0" in first_line and "Panel 1" in first_line
    text = ["".join(s.text for s in line) for line in wide.lines]
    assert sum("Relative Expert Load" in t for t in text) == 1  # one legend for all panels
    narrow = layout_grid(models, 30, 40)
    assert narrow.columns == 1 and narrow.map_xs == [narrow.map_x] * 4
    assert narrow.map_ys == sorted(narrow.map_ys) and len(set(narrow.map_ys)) == 4
    # a preferred row length (the inner facet) is kept or the panels stack
    assert layout_grid(models, 120, 40, per_row=2).columns == 2
    assert layout_grid(models, 40, 40, per_row=2).columns == 1



def test_stacked_facets_share_the_free_lines():
    """Each stacked panel grows its rows into its share of the free lines, never into the
    whole height: 4 expert-load panels at 160 x 48 take 2 lines a row and still fit; 12 do
    not fit at a line a row, so they stay a line a row (they used to grow as if alone)."""
    from heatscope.render.grid import layout_grid

    four = [_model(np.ones((3, 64)), title=f"Panel {i}") for i in range(4)]
    grid = layout_grid(four, 124, 45)
    assert grid.columns == 1 and grid.geometry.row_lines == 2 and len(grid.lines) <= 45
    grid = layout_grid(four * 3, 124, 45)
    assert grid.geometry.row_lines == 1 and len(grid.lines) == 12 * 5 + 3  # title, 3 rows, ticks; legend
    side = layout_grid([_model(np.ones((3, 8)), title=f"P{i}") for i in range(4)], 120, 40, per_row=2)
    assert side.columns == 2 and side.geometry.row_lines == 5 and len(side.lines) <= 40  # 2 x 2 panels


def test_panels_side_by_side_share_the_width():
    """Panels side by side each grow their cells into their share of the width (they kept
    the width of an ungrown panel, 2-character cells in a third of the screen); exports,
    which lay a figure out at its own width, keep the ungrown panels."""
    from heatscope.render.grid import GAP, layout_grid

    models = [_model(np.full((3, 8), float(i)), title=f"P{i}") for i in range(4)]
    side = layout_grid(models, 120, 40, per_row=2)
    share = (120 + GAP) // 2 - GAP
    geo = side.geometry
    assert side.columns == 2 and side.map_xs[1] == share + GAP + side.map_x
    assert geo.col_chars == (share - side.map_x) // 8 == 6 and side.map_x + geo.width <= share
    assert max(sum(seg.cell_length for seg in line) for line in side.lines) <= 120
    export = layout_grid(models, 120, None, per_row=2)
    assert export.columns == 2 and export.geometry.col_chars == 2 and export.geometry.row_lines == 1

def test_ranges_near_the_float64_limit_draw_without_warnings(recwarn):
    values = np.array([[1e308, -1e308], [0.0, 1.0]])
    norm = compute_norm("slice", values, ValueInfo())
    assert norm(np.array([1e308, 0.0, -1e308])).tolist() == [1.0, 0.5, 0.0]
    layout = layout_heatmap(_model(values, norm=norm), 80, 20)
    assert layout.lines and not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]
