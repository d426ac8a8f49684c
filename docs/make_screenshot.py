"""Regenerate the README's screenshots (real exports of the app at 120x30):

- docs/screenshot.svg: the expert-load sample, cursor on DM Mathematics expert 25;
- docs/maxvio.svg: the training sample as a step x layer MaxVio map, with the profile of
  one layer's MaxVio across steps;
- docs/runs.svg: a sweep of four runs (the training sample's balancing at four bias update
  rates) as a run x step MaxVio map of layer 9, the runs stacked behind a run axis.

usage: python docs/make_screenshot.py
"""

import asyncio
import tempfile
from pathlib import Path

from textual.worker import WorkerCancelled

from heatscope.samples import training
from heatscope.sources.opening import resolve_inputs
from heatscope.tui.app import create_app
from heatscope.tui.options import LaunchOptions
from heatscope.views.spec import Reduce, ViewSpec

REPO = Path(__file__).resolve().parent.parent


async def _settle(app, pilot, rounds: int = 3) -> None:
    for _ in range(rounds):
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:  # an exclusive worker replaced by a newer one
            pass
        await pilot.pause(0.2)


async def _shot(name: str, options: LaunchOptions, *keys: str) -> None:
    app = create_app(options)
    async with app.run_test(size=(120, 30)) as pilot:
        await _settle(app, pilot)
        await pilot.press(*keys)
        await _settle(app, pilot)
        (REPO / "docs" / name).write_text(app.export_screenshot(title="heatscope"))


async def _runs_shot() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for rate in ("0.01", "0.03", "0.06", "0.12"):
            (Path(tmp) / "sweep" / f"u{rate}").mkdir(parents=True)
            training.write(Path(tmp) / "sweep" / f"u{rate}" / "metrics.h5", update_rate=float(rate))
        app = create_app(LaunchOptions(paths=resolve_inputs([tmp]), spec=ViewSpec(transforms=(Reduce("expert", "maxvio"),))))
        async with app.run_test(size=(120, 30)) as pilot:
            await _settle(app, pilot)
            app.action_stack_runs()  # runs as an axis: each run's MaxVio view, stacked
            await _settle(app, pilot, 4)
            state = app.state
            sel = state.selection.with_display(0, 1).at(2, 8)  # run x step, layer 9
            app.set_state(state.with_selection(sel))
            await pilot.press("R")
            await _settle(app, pilot, 4)
            await pilot.press("escape")
            await pilot.pause(0.4)
            (REPO / "docs" / "runs.svg").write_text(app.export_screenshot(title="heatscope"))


async def main() -> None:
    samples = REPO / "sample_runs"
    await _shot("screenshot.svg", LaunchOptions(paths=[samples / "expert_load.h5"]),
                "down", "down", *(["right"] * 24))
    await _shot("maxvio.svg", LaunchOptions(paths=[samples / "training_balance.h5"], spec=ViewSpec(transforms=(Reduce("expert", "maxvio"),))),
                *(["right"] * 8), "v", "v")
    await _runs_shot()


if __name__ == "__main__":
    asyncio.run(main())
