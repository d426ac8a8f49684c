"""Pilot tests: keys change the view; the screen shows the right titles, cursor and stats."""

import re

import h5py
import numpy as np

from heatscope.stats.slice_stats import load_stats
from tests.tui_helpers import heatmap_text, make_app, screen_text, settle


async def test_opens_on_seed_002_view_and_steps_layers(load_file):
    app = make_app(load_file)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        text = heatmap_text(app)
        assert "Aux-Loss-Free Layer 9" in text
        assert "Wikipedia (en)" in text and "DM Mathematics" in text
        assert "Relative Expert Load" in text
        assert app.state.selection.index[:2] == (1, 8)
        await pilot.press("]")
        await settle(pilot)
        assert "Aux-Loss-Free Layer 10" in heatmap_text(app)
        await pilot.press("[", "[")
        await settle(pilot)
        assert "Aux-Loss-Free Layer 8" in heatmap_text(app)
        await pilot.press("{")
        await settle(pilot)
        assert "Aux-Loss-Based Layer 8" in heatmap_text(app)
        await pilot.press("}")
        await settle(pilot)
        assert "Aux-Loss-Free Layer 8" in heatmap_text(app)


async def test_cursor_readout_and_stepping_keeps_the_cell(load_file):
    app = make_app(load_file)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("down", "j", *(["right"] * 24))
        await settle(pilot)
        assert app.state.cursor == (2, 24)
        text = screen_text(app)
        assert "dataset DM Mathematics" in text and "expert  25" in text
        assert "value   10" in text
        await pilot.press("]")
        await settle(pilot)
        assert app.state.cursor == (2, 24)
        assert "layer   10" in screen_text(app)


async def test_stats_values_on_known_slice(load_file):
    with h5py.File(load_file) as f:
        rel = f["relative_expert_load"][1, 8].astype(float)
    expected = np.mean([load_stats(r).max_vio for r in rel])
    app = make_app(load_file)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert re.search(rf"MaxVio\s+{expected:.3g}\s", text)
        assert re.search(rf"max\s+{rel.max():.4g}\s", text)
        assert "10  DM Mathematics · 25" in text  # hottest cell with its labels


async def test_goto_transpose_axes_and_help(load_file):
    app = make_app(load_file)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await pilot.press(*"layer 18", "enter")
        await settle(pilot)
        assert "Aux-Loss-Free Layer 18" in heatmap_text(app)
        await pilot.press("g")
        await pilot.press(*"variant Aux-Loss-Based", "enter")
        await settle(pilot)
        assert "Aux-Loss-Based Layer 18" in heatmap_text(app)
        await pilot.press("g")
        await pilot.press(*"layer 99", "enter")
        await settle(pilot)
        assert "Aux-Loss-Based Layer 18" in heatmap_text(app)  # unchanged; error notified
        await pilot.press("t")
        await settle(pilot)
        sel = app.state.selection
        assert (sel.row_axis, sel.col_axis) == (3, 2)
        assert heatmap_text(app).splitlines()[0].strip().startswith("expert")
        await pilot.press("question_mark")
        await pilot.pause()
        assert "choose which stepped axis" in screen_text(app)
        await pilot.press("escape")


async def test_choose_displayed_axes_and_step_axis(load_file):
    app = make_app(load_file)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        # options: rows r x cols c for r != c in order; pick rows layer x columns expert
        labels = [f"rows {r} x columns {c}" for r in ("variant", "layer", "dataset", "expert")
                  for c in ("variant", "layer", "dataset", "expert") if r != c]
        index = labels.index("rows layer x columns expert")
        await pilot.press(*(["down"] * index), "enter")
        await settle(pilot)
        sel = app.state.selection
        assert (sel.row_axis, sel.col_axis) == (1, 3)
        assert "Aux-Loss-Free Wikipedia (en)" in heatmap_text(app)
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("down", "enter")  # stepped axes: variant, dataset -> dataset
        await settle(pilot)
        await pilot.press("]")
        await settle(pilot)
        assert "Aux-Loss-Free Github" in heatmap_text(app)


async def test_colormap_range_and_derived_toggle(samples_dir):
    app = make_app(samples_dir / "training_balance.h5")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.state.derived and app.state.info.kind == "relative_expert_load"
        assert "Relative Expert Load" in heatmap_text(app)
        assert app.state.cmap == "YlOrRd" and app.state.range_mode == "global"
        await pilot.press("c")
        assert app.state.cmap == "Blues"
        await pilot.press("C")
        assert app.state.cmap == "Blues_r"
        await pilot.press("r")
        await settle(pilot)
        assert app.state.range_mode == "slice"
        assert re.search(r"range\s+slice", screen_text(app))
        await pilot.press("u")
        await settle(pilot)
        assert not app.state.derived
        assert "Tokens routed to expert [tokens]" in heatmap_text(app)


async def test_screenshot_saved_where_asked(tmp_path, load_file):
    app = make_app(load_file, screenshot_dir=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await pilot.pause()
    shots = list(tmp_path.glob("*.svg"))
    assert len(shots) == 1
    assert "Aux-Loss-Free_Layer_9" in shots[0].name
    assert "Aux-Loss-Free Layer 9" in shots[0].read_text().replace("&#160;", " ")


async def test_unknown_dataset_exits_2(load_file):
    app = make_app(load_file, dataset="nope")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
    assert app.return_code == 2
