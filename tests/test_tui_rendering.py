"""Rendering edge cases: NaN/Inf/fill cells, monochrome, a 28x7 map at 80x24, literal names."""

import re

import h5py
import numpy as np

from tests.tui_helpers import heatmap_text, make_app, screen_text, settle


def _nasty(path):
    data = np.arange(48, dtype=np.float32).reshape(4, 12)
    data[0, 1] = np.nan
    data[1, 2] = np.inf
    data[2, 3] = -9999
    with h5py.File(path, "w") as f:
        d = f.create_dataset("[b]m[i]\x1b[31m", data=data)
        d.attrs["_FillValue"] = np.float32(-9999)
        d.attrs["long_name"] = "[red]value[/red]"
        d.dims[0].label = "row"
        d.dims[1].label = "col"


async def test_nan_inf_and_fill_render_and_are_counted(tmp_path):
    _nasty(tmp_path / "n.h5")
    app = make_app(tmp_path / "n.h5")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        text = heatmap_text(app)
        assert "××" in text  # NaN glyph (2-char cells)
        assert "··" in text  # fill value glyph
        assert "++" in text  # +Inf glyph
        screen = screen_text(app)
        assert "NaN 1 Inf 1 missing 1" in screen
        assert "[red]value[/red]" in text  # long_name shown literally
        assert "[b]m[i]\\x1b[31m" in screen  # dataset name escaped, never interpreted
        await pilot.press("right")
        await settle(pilot)
        assert re.search(r"col\s+1\s.*\n.*value\s+NaN\s", screen_text(app))  # the cell holds NaN: said so


async def test_monochrome_uses_shading_glyphs(tmp_path, samples_dir):
    app = make_app(samples_dir / "expert_load.h5", mono=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        text = heatmap_text(app)
        assert any(g in text for g in "░▒▓█")
        assert "▌" not in text and "▀" not in text  # no two-color half blocks without color


async def test_component_map_fully_visible_at_80x24(samples_dir):
    app = make_app(samples_dir / "layer_components.h5")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        layout = app.heatmap.grid_layout
        geo = layout.geometry
        assert (geo.n_rows, geo.n_cols) == (28, 7)
        assert not geo.aggregated and geo.shown_rows == 28
        assert layout.map_y + geo.height <= app.heatmap.content_region.height
        screen = screen_text(app)
        for label in ("attn.q", "attn.k", "mlp.down", "mlp.g", " 0 ", "26 "):  # mlp.gate cut at the edge
            assert label in screen, label
        assert "Score" in screen


async def test_load_map_at_80x24_keeps_every_expert(load_file):
    app = make_app(load_file)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        geo = app.heatmap.grid_layout.geometry
        assert geo.n_cols == 64 and geo.col_group == 1  # every expert drawn: half blocks
        assert "Aux-Loss-Free Layer 9" in screen_text(app)


async def test_wide_data_is_aggregated_with_max_and_says_so(tmp_path):
    data = np.ones((61, 256), np.float32)
    data[30, 201] = 50.0  # one hot expert must survive aggregation
    with h5py.File(tmp_path / "w.h5", "w") as f:
        d = f.create_dataset("load", data=data)
        d.attrs["dims"] = ["layer", "expert"]
    app = make_app(tmp_path / "w.h5")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        layout = app.heatmap.grid_layout
        assert layout.geometry.aggregated
        assert any("max of" in n for n in layout.notes)
        assert "max of" in heatmap_text(app)
        assert "50 30 · 201" in screen_text(app)  # the hottest cell is still reported exactly
