"""Rows grown taller than a line still name their cells: a click on any of a row's lines
picks that row (on a line two rows share, the upper one, whose half is drawn on top), and
the cursor, the row's label, the stats panel and the profile strip all follow it."""

import re

from tests.tui_helpers import heatmap_text, make_app, screen_text, settle

DATASETS = ["Wikipedia (en)", "Github", "DM Mathematics"]


async def _click(pilot, app, x: int, y: int) -> None:
    """Click the map's cell character ``x`` of map line ``y``."""
    layout = app.heatmap.grid_layout
    await pilot.click("#heatmap", offset=(app.heatmap.styles.padding.left + layout.map_x + x, layout.map_y + y))
    await settle(pilot)


async def test_a_click_on_any_line_of_a_tall_row_names_that_row(load_file):
    app = make_app(load_file)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        layout = app.heatmap.grid_layout
        assert layout.geometry.row_lines == 2  # 3 datasets x 64 experts at 160 x 48: 2 lines a row
        rel = app.model.frame.panels[0].values
        for y in range(6):
            row = y // 2
            await _click(pilot, app, 10, y)
            assert app.state.cursor == (row, 10)
            text = screen_text(app)
            assert f"dataset {DATASETS[row]}" in text and "expert  11" in text
            assert re.search(rf"row max\s+{rel[row].max():.2g}\s", text)
            lines = heatmap_text(app).splitlines()
            label, other = lines[layout.map_y + 2 * row], lines[layout.map_y + 2 * row + 1]
            assert label.strip().startswith(DATASETS[row]) and other[:layout.map_x].strip() == ""
            assert label[layout.map_x + 10] == "●" and other[layout.map_x + 10] == " "  # cursor on the label line
        await pilot.press("v")  # the profile strip takes a third of the height: the map re-fits
        await settle(pilot)
        assert "dataset DM Mathematics across experts" in screen_text(app)
        assert app.heatmap.grid_layout.geometry.row_lines == 2
        await _click(pilot, app, 3, 3)
        assert app.state.cursor == (1, 3) and "dataset Github across experts" in screen_text(app)


async def test_on_a_line_two_rows_share_a_click_picks_the_upper_row(samples_dir):
    app = make_app(samples_dir / "layer_components.h5")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        layout = app.heatmap.grid_layout
        assert layout.geometry.row_lines * 2 == 3  # 28 layers in 42 lines
        labels = [line[:layout.map_x].strip() for line in heatmap_text(app).splitlines()[layout.map_y:][:6]]
        assert labels == ["0", "", "1", "2", "", "3"]  # the shared lines carry no label
        for y, row in enumerate([0, 0, 1, 2, 2, 3]):
            await _click(pilot, app, 12, y)
            assert app.state.cursor == (row, 1)
            text = screen_text(app)
            assert re.search(rf"layer\s+{row}\s", text) and re.search(r"component\s+attn\.k", text)


async def test_a_zoomed_window_of_tall_rows_maps_clicks_from_its_origin(load_file):
    app = make_app(load_file)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("end", "+")  # two-character experts: a window that follows the cursor to 64
        await settle(pilot)
        layout = app.heatmap.grid_layout
        geo, (r0, c0) = layout.geometry, layout.origin
        assert geo.col_chars == 2 and geo.row_lines == 2 and r0 == 0 and c0 > 0
        await _click(pilot, app, 2 * 3 + 1, 5)  # the right half of the window's 4th expert, lower line of row 2
        assert app.state.cursor == (2, c0 + 3)
        assert f"expert  {c0 + 4}" in screen_text(app) and "dataset DM Mathematics" in screen_text(app)
