"""Regenerate docs/screenshot.svg: the inspector on the bundled expert-load sample at 120x30.

usage: python docs/make_screenshot.py
"""

import asyncio
from pathlib import Path

from heatscope.inspector.app import LaunchOptions, create_app

REPO = Path(__file__).resolve().parent.parent


async def main() -> None:
    app = create_app(LaunchOptions(paths=[REPO / "sample_runs" / "expert_load.h5"]))
    async with app.run_test(size=(120, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("down", "down", *(["right"] * 24))
        await pilot.pause(0.3)
        (REPO / "docs" / "screenshot.svg").write_text(app.export_screenshot(title="heatscope"))


if __name__ == "__main__":
    asyncio.run(main())
