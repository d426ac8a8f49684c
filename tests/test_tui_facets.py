"""Pilot tests for facets (f) and diffs (d): panels, titles, cursor across panels, stats."""

import re

from tests.tui_helpers import answer, heatmap_text, make_app, screen_text, settle


async def test_facet_layers_by_variant_like_seed_002(load_file):
    app = make_app(load_file)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await answer(pilot, "f", "layer=9,18 variant")
        assert app.state.n_panels() == 4
        titles = [line.strip() for line in heatmap_text(app).splitlines() if "Layer" in line]
        assert [t.split("  ")[-1].strip() for t in titles] == [
            "Aux-Loss-Based Layer 9", "Aux-Loss-Free Layer 9", "Aux-Loss-Based Layer 18", "Aux-Loss-Free Layer 18"]
        assert heatmap_text(app).count("Relative Expert Load") == 1  # one shared colorbar
        screen = screen_text(app)
        assert "MaxVio per panel" in screen
        assert re.search(r"6\.5\s+Aux-Loss-Free Layer 9", screen)
        # the cursor runs down through the panels: 3 rows each
        await pilot.press(*(["down"] * 5))
        await settle(pilot)
        assert app.state.cursor_panel()[:2] == (1, 2)
        assert "variant Aux-Loss-Free" in screen_text(app) and "dataset DM Mathematics" in screen_text(app)
        # faceted axes are not stepped: ] says so instead of changing the panels
        await pilot.press("]")
        await settle(pilot)
        assert app.state.n_panels() == 4
        await answer(pilot, "f", "")
        assert app.state.n_panels() == 1


async def test_facet_errors_are_notified_not_fatal(load_file):
    app = make_app(load_file)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await answer(pilot, "f", "expert")
        assert app.state.facets == ()
        await answer(pilot, "f", "depth")
        assert app.state.facets == () and app.is_running


async def test_diff_of_variants_shows_expert_25(load_file):
    app = make_app(load_file)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await answer(pilot, "d", "variant=Aux-Loss-Based,Aux-Loss-Free")
        text = heatmap_text(app)
        assert "Aux-Loss-Free minus Aux-Loss-Based Layer 9" in text
        assert "Relative Expert Load difference" in text
        screen = screen_text(app)
        assert re.search(r"7\.5\s+DM Mathematics · 25", screen)  # strongest positive cell
        assert "range diverging -7.5 .. 7.5" in screen
        assert "MaxVio" not in screen  # no balance metrics on a signed difference
        assert app.state.cmap == "RdBu_r"
        await pilot.press("]")
        await settle(pilot)
        assert "Aux-Loss-Free minus Aux-Loss-Based Layer 10" in heatmap_text(app)
        await pilot.press("d")  # clears
        await settle(pilot)
        assert app.state.diff is None and "Aux-Loss-Free Layer 10" in heatmap_text(app)


async def test_diff_against_another_open_file(tmp_path, samples_dir):
    import shutil

    import h5py

    a, b = tmp_path / "run_a.h5", tmp_path / "run_b.h5"
    shutil.copy(samples_dir / "expert_load.h5", a)
    shutil.copy(samples_dir / "expert_load.h5", b)
    with h5py.File(b, "a") as f:
        f["relative_expert_load"][1, 8, 2, 40] += 4.0
    app = make_app(a, b)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        assert app.state.file_index == 0
        app.open_dataset(1, app.session.files[1].catalog.find("relative_expert_load"))
        await settle(pilot)
        await answer(pilot, "d", "file=run_a.h5")
        assert app.state.minus_file == 0
        text = heatmap_text(app)
        assert "difference: run_b minus run_a" in text
        assert re.search(r"4\s+DM Mathematics · 41", screen_text(app))
        await pilot.press("d")  # d again clears
        await settle(pilot)
        assert app.state.minus_file is None


async def test_facets_sit_side_by_side_on_a_wide_screen(samples_dir):
    app = make_app(samples_dir / "js_divergence.h5", dataset="js_divergence_per_prompt")
    async with app.run_test(size=(240, 50)) as pilot:
        await settle(pilot)
        await answer(pilot, "f", "prompt=0:3")
        layout = app.heatmap.grid_layout
        assert layout.columns >= 2
        first = heatmap_text(app).splitlines()[0]
        assert "Prompt 0" in first and "Prompt 1" in first
        # the cursor moves into the next panel, drawn to the right
        await pilot.press("down", "down", "down")
        await settle(pilot)
        assert app.state.cursor_panel()[0] == 1
