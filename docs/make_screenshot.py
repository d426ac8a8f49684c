"""Regenerate the README's screenshots (real exports of the app at 120x30):

- docs/screenshot.svg: the expert-load sample, cursor on DM Mathematics expert 25;
- docs/maxvio.svg: the training sample as a step x layer MaxVio map, with the profile of
  one layer's MaxVio across steps.

usage: python docs/make_screenshot.py
"""

import asyncio
from pathlib import Path

from heatscope.inspector.app import LaunchOptions, create_app

REPO = Path(__file__).resolve().parent.parent


async def _shot(name: str, options: LaunchOptions, *keys: str) -> None:
    app = create_app(options)
    async with app.run_test(size=(120, 30)) as pilot:
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause(0.2)
        await pilot.press(*keys)
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause(0.2)
        (REPO / "docs" / name).write_text(app.export_screenshot(title="heatscope"))


async def main() -> None:
    samples = REPO / "sample_runs"
    await _shot("screenshot.svg", LaunchOptions(paths=[samples / "expert_load.h5"]),
                "down", "down", *(["right"] * 24))
    await _shot("maxvio.svg", LaunchOptions(paths=[samples / "training_balance.h5"], reduce=("expert", "maxvio")),
                *(["right"] * 8), "v", "v")


if __name__ == "__main__":
    asyncio.run(main())
