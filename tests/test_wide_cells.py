"""Cells grown wider than two characters still name their cells: a click on any character
(and line) of a wide cell picks it, the cursor marks the whole cell, each tick label sits
centred in the cell it names, and the stats panel, the profile strip, zoom, facets side by
side and diffs all follow. A 3 x 4 slice at 120 x 30 used 8 of 48 free columns."""

import re

import h5py
import numpy as np
import pytest

from tests.tui_helpers import heatmap_text, make_app, screen_text, settle


@pytest.fixture
def small(tmp_path):
    path = tmp_path / "small.h5"
    with h5py.File(path, "w") as f:
        f["m"] = np.arange(12, dtype="f8").reshape(3, 4)
    return path


@pytest.fixture
def stack(tmp_path):
    path = tmp_path / "stack.h5"
    with h5py.File(path, "w") as f:
        f["m"] = (np.arange(24, dtype="f8") ** 2).reshape(2, 3, 4)
    return path


async def _click(pilot, app, x: int, y: int, panel: int = 0) -> None:
    """Click character ``x`` of map line ``y`` of ``panel``."""
    layout = app.heatmap.grid_layout
    pad = app.heatmap.styles.padding.left
    await pilot.click("#heatmap", offset=(pad + layout.map_xs[panel] + x, layout.map_ys[panel] + y))
    await settle(pilot, rounds=1)


def _value(app) -> str:
    return re.search(r"value\s+(\S+)", screen_text(app)).group(1)


async def test_a_click_on_any_character_of_a_wide_cell_picks_it(small):
    app = make_app(small)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        layout = app.heatmap.grid_layout
        geo = layout.geometry
        assert (geo.col_chars, geo.row_lines) == (12, 8)  # 48 of 48 columns, 24 of 24 lines
        for x in range(geo.width):  # every character of the middle row
            await _click(pilot, app, x, 11)
            assert app.state.cursor == (1, x // 12), x
        assert _value(app) == "7"
        for y in range(geo.height):  # every line of the last column
            await _click(pilot, app, 47, y)
            assert app.state.cursor == (y // 8, 3), y
            assert _value(app) == str(4 * (y // 8) + 3)
        await _click(pilot, app, 30, 12)  # row 1, column 2: its cell bracketed on the row's middle line
        lines = heatmap_text(app).splitlines()
        map_x, map_y = layout.map_x, layout.map_y
        marked = [y for y in range(geo.height) if "[" in lines[map_y + y]]
        assert marked == [11] and lines[map_y + 11][map_x + 24:map_x + 36] == "[" + " " * 10 + "]"
        assert lines[map_y + 11][:map_x].strip() == "1"  # the row's label on that line
        ticks = lines[map_y + geo.height]
        assert [m.start() - map_x for m in re.finditer(r"\S+", ticks)] == [5, 17, 29, 41]  # centred in 12
        assert ticks.split() == ["0", "1", "2", "3"]


async def test_profile_strip_and_zoom_with_wide_cells(small):
    app = make_app(small)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await _click(pilot, app, 40, 20)
        assert app.state.cursor == (2, 3)
        await pilot.press("v")  # the strip takes a third of the height: the map re-fits, still wide
        await settle(pilot)
        geo = app.heatmap.grid_layout.geometry
        assert geo.col_chars == 12 and 1 < geo.row_lines < 8
        text = screen_text(app)
        assert "every axis0 across axis1s" in text and "━━ 2" in text  # the cursor's row drawn heavy
        await _click(pilot, app, 13, 0)
        assert app.state.cursor == (0, 1) and "━━ 0" in screen_text(app) and _value(app) == "1"
        await pilot.press("plus")  # already one data cell per (grown) cell: nothing to zoom into
        await settle(pilot)
        assert app.state.zoom == 0 and app.heatmap.grid_layout.zoom_levels == 1
        await pilot.press("z")
        await settle(pilot)
        assert app.state.zoom == 0 and app.heatmap.grid_layout.geometry.col_chars == 12


async def test_facets_side_by_side_share_the_width_and_clicks_pick_their_panel(stack):
    app = make_app(stack, facet="axis0")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        layout = app.heatmap.grid_layout
        geo = layout.geometry
        share = (app.heatmap.content_region.width + 3) // 2 - 3
        assert layout.columns == 2 and geo.col_chars > 2 and layout.map_x + geo.width <= share
        assert layout.map_xs[1] - layout.map_xs[0] == share + 3
        middle = int(geo.row_lines * 3 // 2)  # a line of row 1 in every layout
        for x in range(geo.width):
            await _click(pilot, app, x, middle, panel=1)
            col = int(x / geo.col_chars)
            assert app.state.cursor == (3 + int(middle / geo.row_lines), col), x
        assert _value(app) == str((12 + 4 * int(middle / geo.row_lines) + 3) ** 2)


async def test_a_diff_grows_its_cells_and_names_the_difference(stack):
    app = make_app(stack, diff="axis0=0,1")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        geo = app.heatmap.grid_layout.geometry
        assert (geo.col_chars, geo.row_lines) == (12, 8)
        for x in (12, 17, 23):  # characters of row 2, column 1
            await _click(pilot, app, x, 16)
            assert app.state.cursor == (2, 1)
            assert _value(app) == str((12 + 9) ** 2 - 9 ** 2)


def _stat(app, name: str) -> str | None:
    found = re.search(rf"▏ {name}\s+(.+?)\s*$", screen_text(app), re.M)  # the stats panel's row
    return found.group(1) if found else None


async def test_the_stats_cell_line_counts_data_cells_not_characters(small, tmp_path):
    """A wide cell is one data cell: no "cell" line (not "max of 12 axis1s"). Wide columns
    over aggregated rows name only the rows a cell holds, and the value is their maximum."""
    app = make_app(small)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await _click(pilot, app, 35, 20)
        assert app.state.cursor == (2, 2) and _stat(app, "value") == "10" and _stat(app, "cell") is None
    tall = tmp_path / "tall.h5"
    with h5py.File(tall, "w") as f:
        f["m"] = np.arange(600, dtype="f8").reshape(200, 3)
    app = make_app(tall)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        geo = app.heatmap.grid_layout.geometry
        assert geo.row_group > 1 and geo.col_chars > 2 and app.heatmap.cell_size == (geo.row_group, 1)
        await _click(pilot, app, int(2 * geo.col_chars) - 1, 0)  # the last character of column 1
        assert app.state.cursor == (0, 1)
        assert _stat(app, "cell") == f"max of {geo.row_group} axis0s"
        assert _value(app) == str(3 * (geo.row_group - 1) + 1)
