"""Benchmark of the inspector (issue: the inspector TUI). Prints numbers; not a test.

1. Launch to first painted heatmap in a real terminal (tmux, 160x48), next to a minimal
   Textual app measured in the same run (median of N launches each).
2. Keypress-to-repaint for a layer step, median over many presses, in-process (headless
   Textual at 160x48): from the step action the key runs until the new slice is read (in
   the worker thread), handed back to the event loop, laid out and every heatmap line
   rendered to strips. Keys come at key-repeat rate (about 30 per second). Slices: 3x64 (the expert-load sample) and 61x256 (a
   generated file, step x 61 layers x 256 experts).

usage: python benchmarks/tui_bench.py [--runs 7] [--presses 60]
"""

from __future__ import annotations

import argparse
import asyncio
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import h5py
import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def first_paint(cmd: str, expect: str, size=(160, 48), timeout=20.0) -> float:
    """Seconds from starting ``cmd`` in a private tmux server until ``expect`` is on screen."""
    name = "hsb-" + uuid.uuid4().hex[:8]
    tmux = ["tmux", "-L", name]
    t0 = time.perf_counter()
    subprocess.run(tmux + ["new-session", "-d", "-s", name, "-x", str(size[0]), "-y", str(size[1]), cmd], check=True)
    try:
        while time.perf_counter() - t0 < timeout:
            screen = subprocess.run(tmux + ["capture-pane", "-p", "-t", name], capture_output=True, text=True).stdout
            if expect in screen:
                return time.perf_counter() - t0
            time.sleep(0.003)
        raise RuntimeError(f"never saw {expect!r}")
    finally:
        subprocess.run(tmux + ["kill-server"], capture_output=True)


def big_slice_file(directory: Path) -> Path:
    path = directory / "wide.h5"
    rng = np.random.default_rng(0)
    with h5py.File(path, "w") as f:
        d = f.create_dataset("expert_load", shape=(32, 61, 256), dtype="f4", chunks=(1, 61, 256))
        for s in range(32):
            d[s] = rng.gamma(2.0, 0.5, (61, 256)).astype("f4")
        d.attrs["dims"] = ["step", "layer", "expert"]
        d.attrs["kind"] = "relative_expert_load"
    return path


async def step_latency(path: Path, presses: int) -> list[float]:
    """Seconds from a step action until the new slice is on the heatmap, strips rendered.

    The action is what the ] and [ bindings run; the slice is read by the worker thread
    and the message handled by the app's event loop, exactly as for a real key press.
    """
    from tests.tui_helpers import make_app, settle

    app = make_app(path)
    times = []
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        axis = app.state.step_axis
        size = app.state.info.axes[axis].size
        for i in range(presses):
            position = app.state.selection.index[axis]
            delta = 1 if (i // (size - 1)) % 2 == 0 else -1
            if not 0 <= position + delta < size:
                delta = -delta
            t0 = time.perf_counter()
            app.action_step(delta)
            while app.panels is None or app.panels[0].spec.selection != app.state.selection:
                await asyncio.sleep(0)
            heatmap = app.heatmap
            for y in range(heatmap.content_region.height):
                heatmap.render_line(y)
            times.append(time.perf_counter() - t0)
            await asyncio.sleep(0.03)  # the next key comes at key-repeat rate (~30 per second)
    return times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--presses", type=int, default=60)
    a = ap.parse_args()
    py = shlex.quote(sys.executable)
    sample = shlex.quote(str(REPO / "sample_runs" / "expert_load.h5"))
    heat, mini = [], []
    for _ in range(a.runs):  # interleaved so both see the same machine load
        mini.append(first_paint(f"{py} {shlex.quote(str(REPO / 'benchmarks' / 'minimal_app.py'))}", "minimal-ready"))
        heat.append(first_paint(f"{py} -m heatscope {sample}", "Aux-Loss-Free Layer 9"))
    m_heat, m_mini = statistics.median(heat), statistics.median(mini)
    print(f"first paint (tmux 160x48, median of {a.runs}): heatscope {m_heat:.3f}s, "
          f"minimal Textual app {m_mini:.3f}s, ratio {m_heat / m_mini:.2f}x (target <= 1.8x)")
    with tempfile.TemporaryDirectory() as tmp:
        wide = big_slice_file(Path(tmp))
        for label, path, target in (("3x64", REPO / "sample_runs" / "expert_load.h5", 16),
                                     ("61x256", wide, 33)):
            t = asyncio.run(step_latency(path, a.presses))
            print(f"layer step {label}: median {statistics.median(t) * 1000:.1f} ms, "
                  f"p90 {sorted(t)[int(len(t) * 0.9)] * 1000:.1f} ms over {len(t)} presses (target < {target} ms)")


if __name__ == "__main__":
    main()
