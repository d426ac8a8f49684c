"""Full garbage collections wait for a pause in the input while the app runs, and Python's
own thresholds come back when it stops."""

from __future__ import annotations

import gc
import time
from pathlib import Path

from heatscope.tui.terminal import collector
from tests.tui_helpers import make_app

SAMPLES = Path(__file__).resolve().parent.parent / "sample_runs"


async def test_full_collections_wait_for_a_pause_and_thresholds_come_back():
    before = gc.get_threshold()
    app = make_app(SAMPLES / "expert_load.h5")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert gc.get_threshold() == (before[0], before[1], collector.HELD)
        idle = app.collector
        pressed = time.monotonic()
        await pilot.press("]")
        assert idle.last_input >= pressed  # input is noticed
        idle.last_input = time.monotonic() + 60  # input "now" for the next minute: the app's timer waits too
        for _ in range(before[2]):  # each middle collection counts toward a full one
            gc.collect(1)
        assert gc.get_count()[2] >= before[2]
        done = idle.collections
        idle.tick()
        assert idle.collections == done and gc.get_count()[2] >= before[2]
        idle.last_input = time.monotonic() - 1.0  # a pause
        idle.tick()
        assert idle.collections == done + 1 and gc.get_count()[2] == 0
        idle.tick()  # nothing due any more
        assert idle.collections == done + 1
    assert gc.get_threshold() == before
