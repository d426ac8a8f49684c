"""Answers to the prompts quote names from files and text typed; both show literally.

Issue 18: with an axis named ``[link=https://e.invalid]expert`` (valid markup), an error
notification listing the axes raised ``MarkupError`` on screen and the app exited with
status 1, from ``f`` as from ``d`` (also after zooming); text typed at ``g`` such as
``[bold red]zz`` was echoed as ``zz``.
"""

import h5py
import numpy as np
import pytest

from tests.tui_helpers import make_app, screen_text, settle

LINK_AXIS = "[link=https://e.invalid]expert"


def _write(path, axis0: str):
    with h5py.File(path, "w") as f:
        load = f.create_dataset("load", data=np.random.default_rng(0).random((4, 3, 8)))
        load.attrs["dims"] = np.array([axis0, "layer", "expert"], dtype=h5py.string_dtype())
    return path


@pytest.fixture
def link_axis_file(tmp_path):
    return _write(tmp_path / "link.h5", LINK_AXIS)


@pytest.fixture
def plain_file(tmp_path):
    return _write(tmp_path / "plain.h5", "step")


async def _screen_after(path, keys, size=(120, 30)) -> str:
    """The screen after ``keys`` with notifications shown; the app must then quit cleanly."""
    app = make_app(path)
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
        await settle(pilot, 2)
        screen = screen_text(app)
        while len(app.screen_stack) > 1:
            await pilot.press("escape")
        await pilot.press("q")
    assert app._exception is None, app._exception
    assert app.return_code == 0
    return screen


async def test_a_facet_error_listing_a_markup_axis_name(link_axis_file):
    screen = await _screen_after(link_axis_file, ["f", "z", "z", "enter"])
    assert "no axis named 'zz' (axes:" in screen
    assert "[link=https://e.invalid]expert, layer, expert)" in " ".join(screen.split())


async def test_a_diff_error_after_zooming_in_and_out(link_axis_file):
    # d prefills "[link=https://e.invalid]expert=0,1"; the answer is read as the axis "[link"
    keys = ["z", "plus", "plus", "minus", "z", "d", "enter"]
    screen = await _screen_after(link_axis_file, keys, size=(80, 24))
    assert "no axis named '[link'" in screen


async def test_text_typed_at_go_to_is_echoed_as_typed(plain_file):
    screen = await _screen_after(plain_file, ["g", *"[bold red]zz", "enter"])
    assert "has no label or index '[bold red]zz'" in screen
