"""Snapshot tests of the seed views at 80x24 and 160x48 (pytest-textual-snapshot)."""

import pytest

from tests.conftest import REPO
from tests.tui_helpers import make_app, settle

SAMPLES = REPO / "sample_runs"


async def _settled(pilot):
    await settle(pilot)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_seed_002_view(snap_compare, size):
    app = make_app(SAMPLES / "expert_load.h5")
    assert snap_compare(app, terminal_size=size, run_before=_settled)


def test_seed_002_after_layer_step_and_cursor(snap_compare):
    app = make_app(SAMPLES / "expert_load.h5")
    assert snap_compare(app, terminal_size=(160, 48), press=["]", "down", "down", "right"], run_before=_settled)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_seed_004_components(snap_compare, size):
    app = make_app(SAMPLES / "layer_components.h5")
    assert snap_compare(app, terminal_size=size, run_before=_settled)


def test_seed_003_divergence(snap_compare):
    app = make_app(SAMPLES / "js_divergence.h5")
    assert snap_compare(app, terminal_size=(160, 48), run_before=_settled)
