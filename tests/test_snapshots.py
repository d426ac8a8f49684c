"""Snapshot tests of the seed views at 80x24 and 160x48 (pytest-textual-snapshot).

The sample files are copied with a fixed modified time (the run tree shows it), and times
are shown in UTC, so snapshots do not depend on when or where the repository was cloned.
"""

import os
import shutil
import time

import pytest

from tests.conftest import REPO
from tests.tui_helpers import make_app, settle

FIXED_MTIME = 1_767_225_600  # 2026-01-01 00:00 UTC


@pytest.fixture
def sample(tmp_path, monkeypatch):
    monkeypatch.setattr("heatscope.tui.tree.time.localtime", time.gmtime)

    def copy(name):
        target = tmp_path / name
        shutil.copy(REPO / "sample_runs" / name, target)
        os.utime(target, (FIXED_MTIME, FIXED_MTIME))
        return target

    return copy


TREE_SYNC = 0.35  # the run tree follows the view once a burst of keys is over


async def _settled(pilot):
    await settle(pilot)
    await pilot.pause(TREE_SYNC)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_seed_002_view(snap_compare, sample, size):
    app = make_app(sample("expert_load.h5"))
    assert snap_compare(app, terminal_size=size, run_before=_settled)


def test_seed_002_after_layer_step_and_cursor(snap_compare, sample):
    app = make_app(sample("expert_load.h5"))
    assert snap_compare(app, terminal_size=(160, 48), run_before=_pressing("]", "down", "down", "right"))


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_seed_004_components(snap_compare, sample, size):
    app = make_app(sample("layer_components.h5"))
    assert snap_compare(app, terminal_size=size, run_before=_settled)


def test_seed_003_divergence(snap_compare, sample):
    app = make_app(sample("js_divergence.h5"))
    assert snap_compare(app, terminal_size=(160, 48), run_before=_settled)


def test_seed_002_facets(snap_compare, sample):
    async def facet(pilot):
        await settle(pilot)
        await pilot.press("f")
        await pilot.pause()
        await pilot.press(*"layer=9,18 variant", "enter")
        await settle(pilot)
        await pilot.pause(TREE_SYNC)

    app = make_app(sample("expert_load.h5"))
    assert snap_compare(app, terminal_size=(160, 48), run_before=facet)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_training_maxvio_metric_view(snap_compare, sample, size):
    app = make_app(sample("training_balance.h5"), reduce=("expert", "maxvio"))
    assert snap_compare(app, terminal_size=size, run_before=_settled)


def _pressing(*keys):
    async def run(pilot):  # keys, then wait for workers, the stats/profile timer and the tree
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)
        await pilot.pause(TREE_SYNC)
    return run


def test_divergence_row_profile(snap_compare, sample):
    app = make_app(sample("js_divergence.h5"))
    assert snap_compare(app, terminal_size=(160, 48), run_before=_pressing(*["right"] * 9, "v"))


def test_wide_slice_zoomed_one_to_one(snap_compare, sample):
    app = make_app(sample("expert_load.h5"))
    assert snap_compare(app, terminal_size=(80, 24), run_before=_pressing("z", *["right"] * 40))
