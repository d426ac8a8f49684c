"""One spec, one evaluator: for every kind of view, the inspector opened with a set of view
flags and ``heatscope export`` given the same flags show the same panels (titles, values,
missing cells), the same colorbar title and color range, and the export command the
inspector prints (key E) draws that view again."""

from __future__ import annotations

import shlex
import shutil

import h5py
import numpy as np
import pytest

from heatscope.cli import main
from heatscope.read.session import Session
from heatscope.sources.opening import resolve_inputs
from heatscope.views.frame import evaluate
from heatscope.views.resolve import view_command
from tests.tui_helpers import answer, command_line, make_app, settle

VIEWS = {
    "plain": ({}, "expert_load.h5"),
    "select": ({"picks": {"layer": "18", "variant": "Aux-Loss-Based"}}, "expert_load.h5"),
    "two facets": ({"facet": ["layer=9,18", "variant"]}, "expert_load.h5"),
    "diff": ({"diff": "variant=Aux-Loss-Based,Aux-Loss-Free", "picks": {"layer": "9"}}, "expert_load.h5"),
    "axes": ({"axes": "layer,expert", "picks": {"dataset": "Github"}}, "expert_load.h5"),
    "metric": ({"reduce": ("expert", "maxvio")}, "training_balance.h5"),
    "profile row": ({"profile": "row", "picks": {"layer": "9", "expert": "25"}}, "expert_load.h5"),
    "profile col": ({"profile": "col", "picks": {"layer": "7"}}, "js_divergence.h5"),
    "colors": ({"cmap": "magma", "range_mode": "slice", "vmin": 0.5, "vmax": 3.0}, "expert_load.h5"),
    "components": ({}, "layer_components.h5"),
}


def _export_frame(paths, words):
    from heatscope.export.command import add_arguments
    from heatscope.parsing import Parser
    from heatscope.views.flags import spec_from_args

    parser = Parser()
    add_arguments(parser)
    args = parser.parse_args([*map(str, paths), *words])
    resolved = resolve_inputs(args.paths)
    session = Session(resolved)
    try:
        return evaluate(session, spec_from_args(args, len(resolved)), target=(200, 480))
    finally:
        session.close()


def _same_frame(shown, exported) -> None:
    assert [p.spec.title for p in shown.panels] == [p.spec.title for p in exported.panels]
    assert shown.value_title == exported.value_title
    assert (shown.norm.vmin, shown.norm.vmax, shown.norm.mode) == (exported.norm.vmin, exported.norm.vmax,
                                                                   exported.norm.mode)
    assert shown.cmap == exported.cmap
    for a, b in zip(shown.panels, exported.panels):
        np.testing.assert_array_equal(a.values, b.values)
        np.testing.assert_array_equal(a.missing, b.missing)
    assert (shown.profile is None) == (exported.profile is None)
    if shown.profile is not None:
        assert shown.profile.title == exported.profile.title
        for (na, va), (nb, vb) in zip(shown.profile.series, exported.profile.series):
            assert na == nb
            np.testing.assert_array_equal(va, vb)


@pytest.mark.parametrize("kind", list(VIEWS))
async def test_inspector_and_export_draw_the_same_view(kind, samples_dir, capsys):
    flags, name = VIEWS[kind]
    path = samples_dir / name
    words = command_line(**flags)
    exported = _export_frame([path], words)
    app = make_app(path, **flags)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, rounds=6)
        shown = app.frame
        assert shown is not None
        _same_frame(shown, exported)
        screen = "\n".join("".join(seg.text for seg in line) for line in app.heatmap.grid_layout.lines)
        command = view_command(app.state, app.session)
    assert exported.value_title in screen or exported.value_title[:30] in screen
    # the txt export of the same flags: the same titles and colorbar title
    assert main(["export", str(path), *words, "--format", "txt", "-o", "-"]) == 0
    text = capsys.readouterr().out
    if exported.profile is not None:  # the chart is drawn instead of the map
        assert exported.profile.title in text
    else:
        for panel in exported.panels:
            assert panel.spec.title in text
        assert exported.value_title[:30] in text
    # the command the inspector prints draws the view the inspector shows
    again = shlex.split(command)
    assert again[:2] == ["heatscope", "export"]
    _same_frame(shown, _export_frame(again[2:3], again[3:]))


async def test_a_diff_of_two_files_is_the_same_view_in_both(samples_dir, tmp_path, capsys):
    a, b = tmp_path / "run_a.h5", tmp_path / "run_b.h5"
    shutil.copy(samples_dir / "expert_load.h5", a)
    shutil.copy(samples_dir / "expert_load.h5", b)
    with h5py.File(b, "a") as f:
        f["relative_expert_load"][1, 8, 2, 40] += 4.0
    exported = _export_frame([a, b], [])
    assert exported.value_title.endswith(" difference: run_b minus run_a")
    app = make_app(a, b)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        app.open_dataset(1, app.session.files[1].catalog.find("relative_expert_load"))
        await settle(pilot)
        await answer(pilot, "d", "file=run_a.h5")
        state = app.state
        assert state.minus_file == 0 and state.file_index == 1
        shown = app.frame
        command = view_command(state, app.session)
    _same_frame(shown, exported)
    again = shlex.split(command)
    assert again[2:4] == [str(a), str(b)]
    _same_frame(shown, _export_frame(again[2:4], again[4:]))
    assert main(["export", str(a), str(b), "--format", "txt", "-o", "-"]) == 0
    assert "difference: run_b minus run_a" in capsys.readouterr().out


async def test_runs_stacked_on_a_run_axis_are_the_same_view(samples_dir, tmp_path):
    runs = []
    for i in range(3):
        run = tmp_path / f"run{i}.h5"
        shutil.copy(samples_dir / "expert_load.h5", run)
        with h5py.File(run, "a") as f:
            f["relative_expert_load"][0, 0, 0, i] += 1.0 + i
        runs.append(run)
    flags = {"facet": ["run"], "picks": {"layer": "1"}}
    exported = _export_frame(runs, command_line(**flags))
    app = make_app(*runs, **flags)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, rounds=6)
        assert app.state.info.stack is not None
        _same_frame(app.frame, exported)
