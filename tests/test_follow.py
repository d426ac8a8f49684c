"""Live follow with real writer subprocesses: SWMR appends and close/reopen writers."""

import subprocess
import sys
import time

import h5py
import numpy as np

from heatscope.views.follow import followed_state
from tests.tui_helpers import heatmap_text, make_app, settle

SWMR_WRITER = """
import sys, time, numpy as np
from heatscope.writer.run_writer import RunWriter
path, go, stop = sys.argv[1:4]
with RunWriter(path, expert_token_counts=("layer", "expert"), attrs={{"default_dataset": "expert_token_counts"}}) as run:
    run.append(0, expert_token_counts=np.ones((3, 8), dtype="i8"))
    open(go, "w").close()
    for step in range(1, {steps}):
        time.sleep({pause})
        counts = np.ones((3, 8), dtype="i8"); counts[:, step % 8] = 10
        run.append(step * 10, expert_token_counts=counts)
"""


def _start_writer(tmp_path, steps=200, pause=0.05):
    path, go = tmp_path / "live.h5", tmp_path / "go"
    proc = subprocess.Popen([sys.executable, "-c", SWMR_WRITER.format(steps=steps, pause=pause),
                             str(path), str(go), str(tmp_path / "stop")])
    for _ in range(500):
        if go.exists():
            return proc, path
        time.sleep(0.02)
    proc.kill()
    raise AssertionError("writer did not start")


async def _wait_for(pilot, predicate, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        await settle(pilot, 1)
        if predicate():
            return True
        await pilot.pause(0.1)
    return False


async def test_follow_shows_new_steps_from_a_swmr_writer(tmp_path):
    proc, path = _start_writer(tmp_path)
    try:
        app = make_app(path, follow=True)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert app.following
            first = app.state.info.shape[0]
            assert await _wait_for(pilot, lambda: app.state.info.shape[0] > first + 3)
            # the view was at the newest step, so it follows the newest step
            step_axis = 0
            assert app.state.selection.index[step_axis] == app.state.info.shape[0] - 1
            newest = app.state.info.axes[0].label(app.state.info.shape[0] - 1)
            assert await _wait_for(pilot, lambda: f"Step {app.state.info.axes[0].label(app.state.selection.index[0])}" in heatmap_text(app))
            assert int(newest) >= 30
            # step back: the view stays there while data keeps arriving
            await pilot.press("[", "[")
            await settle(pilot)
            kept = app.state.selection.index[0]
            shape = app.state.info.shape[0]
            assert await _wait_for(pilot, lambda: app.state.info.shape[0] > shape + 2)
            assert app.state.selection.index[0] == kept
            await pilot.press("F")  # toggles follow off
            assert not app.following
    finally:
        proc.kill()


async def test_follow_reopens_a_file_rewritten_by_a_closing_writer(tmp_path):
    path = tmp_path / "run.h5"
    with h5py.File(path, "w") as f:
        d = f.create_dataset("load", data=np.ones((1, 2, 4)), maxshape=(None, 2, 4), chunks=(1, 2, 4))
        d.attrs["dims"] = ["step", "layer", "expert"]
    app = make_app(path, follow=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "Step 0" in heatmap_text(app)
        # a trainer in another process that opens, appends and closes each time
        script = (
            "import sys, h5py\n"
            "for step in range(1, 4):\n"
            "    with h5py.File(sys.argv[1], 'a') as f:\n"
            "        d = f['load']; d.resize((step + 1, 2, 4)); d[step] = step\n"
        )
        done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr  # never locked out by heatscope
        assert await _wait_for(pilot, lambda: app.state.info.shape[0] == 4)
        assert app.state.selection.index[0] == 3
        # the new step's panels are read by a worker after the state moved: wait for that frame
        assert await _wait_for(pilot, lambda: "Step 3" in heatmap_text(app))


def test_followed_state_keeps_or_follows():
    from heatscope.catalog.axes import Axis
    from heatscope.catalog.datasets import DatasetInfo
    from heatscope.views.view_state import initial_state

    def info(n):
        return DatasetInfo("/d", (n, 3, 4), "float32", axes=(Axis("step", n), Axis("layer", 3), Axis("expert", 4)))

    at_end = initial_state(0, info(5), {"step": "4"})
    assert followed_state(at_end, info(9)).selection.index[0] == 8
    in_middle = initial_state(0, info(5), {"step": "2"})
    assert followed_state(in_middle, info(9)).selection.index[0] == 2
    assert followed_state(at_end, info(3)).selection.index[0] == 2  # shrunk: clamped
