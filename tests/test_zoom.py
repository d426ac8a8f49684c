"""Zoom: fit <-> one data cell per character, a window that follows the cursor, kept across steps."""

from fractions import Fraction

import h5py
import numpy as np
import pytest

from heatscope.render.geometry import fit_geometry
from heatscope.render.zoom import one_to_one, zoom_levels
from tests.tui_helpers import heatmap_text, make_app, settle


def test_levels_go_from_fit_to_single_cells_then_wide_cells():
    levels = zoom_levels(fit_geometry(61, 256, 46, 16))
    assert levels[0].aggregated
    groups = [(g.row_group, g.col_group) for g in levels]
    assert groups == sorted(groups, reverse=True) and groups[-1] == (1, 1)
    assert levels[one_to_one(levels)].col_chars == 1 and not levels[one_to_one(levels)].aggregated
    assert levels[-1].col_chars == 2
    small = zoom_levels(fit_geometry(3, 8, 100, 20))  # already two characters per cell
    assert len(small) == 1 and one_to_one(small) == 0


def test_zooming_in_never_narrows_a_grown_cell():
    """Cells grown wider than a character (an axis drawn a cell per index) keep their width
    at every level; aggregated rows unpack to a line each (they went back to 1 character)."""
    levels = zoom_levels(fit_geometry(200, 3, 80, 40))  # rows max-pooled, 3 columns 4 characters wide
    assert levels[0].row_group > 1 and levels[0].col_chars == 4
    assert [g.col_chars for g in levels] == [4] * len(levels) and levels[-1].row_group == 1
    assert levels[one_to_one(levels)] == levels[-1] and levels[-1].row_lines == 1
    packed = zoom_levels(fit_geometry(28, 7, 30, 16))  # rows two a line, columns 4 characters
    assert [(g.col_chars, g.row_lines) for g in packed] == [(4, Fraction(1, 2)), (4, 1)]


@pytest.fixture
def wide(tmp_path):
    path = tmp_path / "wide.h5"
    with h5py.File(path, "w") as f:
        values = np.arange(4 * 61 * 256, dtype="f4").reshape(4, 61, 256)
        d = f.create_dataset("load", data=values)
        d.attrs["dims"] = ["step", "layer", "expert"]
    return path


async def test_z_draws_every_expert_and_the_window_follows_the_cursor(wide):
    app = make_app(wide)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.heatmap.grid_layout.geometry.aggregated
        await pilot.press("z")
        await settle(pilot)
        layout = app.heatmap.grid_layout
        assert not layout.geometry.aggregated and layout.geometry.col_chars == 1
        assert "zoom" in heatmap_text(app) and "(1:1)" in heatmap_text(app)
        for _ in range(100):
            await pilot.press("right")
        await settle(pilot)
        assert app.state.cursor == (0, 100)  # one expert per key now
        layout = app.heatmap.grid_layout
        assert layout.origin[1] <= 100 < layout.origin[1] + layout.geometry.n_cols  # still on screen
        await pilot.press("]")  # the zoom level is kept across steps
        await settle(pilot)
        assert app.state.zoom > 0 and not app.heatmap.grid_layout.geometry.aggregated
        await pilot.press("z")
        await settle(pilot)
        assert app.state.zoom == 0 and app.heatmap.grid_layout.geometry.aggregated


async def test_plus_and_minus_step_through_the_levels(wide):
    app = make_app(wide)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        groups = []
        for _ in range(6):
            groups.append(app.heatmap.cell_size)
            await pilot.press("plus")
            await settle(pilot)
        assert groups[0][1] > groups[1][1] >= groups[2][1]
        assert app.heatmap.cell_size == (1, 1)
        for _ in range(8):
            await pilot.press("minus")
            await settle(pilot)
        assert app.state.zoom == 0 and app.heatmap.cell_size == groups[0]
