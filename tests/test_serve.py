"""heatscope serve: the inspector in a real headless Chromium through textual-serve. The page
must show the heatmap (its colormap's colors), the stats panel (text on the right), and a
key press (]) must change the view's title; a non-local address is refused."""

import asyncio
import os
import socket
import subprocess
import sys
import time

import numpy as np
import pytest

from tests.browser import Browser, chromium_path
from tests.conftest import REPO
from tests.remote_servers import free_port

pytest.importorskip("textual_serve", reason="heatscope serve needs the serve extra: pip install 'heatscope[serve]'")
needs_chromium = pytest.mark.skipif(chromium_path() is None and not os.environ.get("HEATSCOPE_REQUIRE_CHROMIUM"),
                                    reason="no chromium (.ci/run installs Debian's chromium)")


def _warm(image: np.ndarray) -> int:
    """Pixels in YlOrRd's orange-to-red range (the heatmap's cells)."""
    r, g, b = image[..., 0].astype(int), image[..., 1].astype(int), image[..., 2].astype(int)
    return int(((r > 200) & (g > 60) & (g < 200) & (b < 120)).sum())


def test_non_local_host_is_refused():
    r = subprocess.run([sys.executable, "-m", "heatscope", "serve", "--host", "0.0.0.0"], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 2 and "is not a local address" in r.stderr and "--public" in r.stderr
    r = subprocess.run([sys.executable, "-m", "heatscope", "serve", "nope.h5"], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 2 and "nope.h5: no such file or directory" in r.stderr


@needs_chromium
def test_served_app_in_chromium(tmp_path):
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "heatscope", "serve", str(REPO / "sample_runs" / "expert_load.h5"),
                               "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert server.poll() is None and time.monotonic() < deadline, "heatscope serve did not start"
            time.sleep(0.2)
        asyncio.run(_drive(f"http://127.0.0.1:{port}/", tmp_path))
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


async def _drive(url, tmp_path):
    async with Browser() as page:
        await page.goto(url)
        await page.wait_for("document.body.classList.contains('-first-byte')")
        await asyncio.sleep(3)  # the app's first frames
        before = await page.screenshot()
        before.save(tmp_path / "before.png")
        image = np.asarray(before)
        height, width, _ = image.shape
        heatmap, stats = image[:, width // 4: 3 * width // 4], image[:, 3 * width // 4:]
        assert _warm(heatmap) > 2000, "no heatmap colors on the page"
        background = np.median(stats.reshape(-1, 3), axis=0)
        text = (np.abs(stats.astype(int) - background).sum(axis=2) > 150).sum()
        assert text > 2000, "no stats panel text on the page"
        await page.evaluate("document.querySelector('textarea') && document.querySelector('textarea').focus()")
        await page.press("]")
        await asyncio.sleep(2)
        after = await page.screenshot()
        after.save(tmp_path / "after.png")
        changed = np.asarray(after)
        title_band = slice(0, height // 12)
        assert (np.abs(changed[title_band, width // 4: 3 * width // 4].astype(int)
                       - image[title_band, width // 4: 3 * width // 4]).sum(axis=2) > 100).sum() > 50, \
            "the title did not change after ]"
