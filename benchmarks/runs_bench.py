"""Browsing many runs (issue: browse runs quickly). Prints numbers; not a test.

Generates, in the system temp directory, N runs laid out as ``runs/runNNNN/metrics.h5``
(each a small step x layer x expert token-count file) and measures in a real terminal
(tmux 160x48), from the terminal side:
- launch to the first heatmap (median of a few launches);
- ``n``: key to the next run's name in the title, when the next run is already open;
- ``R``: key to the run table on screen with its first summaries filled, and to every run read;
- the peak RSS of the process after the table read every run (/usr/bin/time).

usage: python benchmarks/runs_bench.py [--runs 2000] [--launches 5] [--keys 20]
"""

from __future__ import annotations

import argparse
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import h5py
import numpy as np

STEPS, LAYERS, EXPERTS = 20, 8, 32


def make_runs(root: Path, count: int) -> None:
    if root.exists() and len(list(root.glob("run*/metrics.h5"))) == count:
        return
    shutil.rmtree(root, ignore_errors=True)
    rng = np.random.default_rng(0)
    for i in range(count):
        (root / f"run{i:04d}").mkdir(parents=True)
        with h5py.File(root / f"run{i:04d}" / "metrics.h5", "w") as f:
            d = f.create_dataset("expert_token_counts", data=rng.integers(1, 100, (STEPS, LAYERS, EXPERTS)),
                                 chunks=(1, LAYERS, EXPERTS))
            d.attrs.update(kind="expert_token_counts", dims=["step", "layer", "expert"])


class Terminal:
    def __init__(self, cmd: str, size=(160, 48)) -> None:
        self.name = "hsr-" + uuid.uuid4().hex[:8]
        self.tmux = ["tmux", "-L", self.name]
        self.t0 = time.perf_counter()
        subprocess.run(self.tmux + ["new-session", "-d", "-s", self.name, "-x", str(size[0]), "-y", str(size[1]),
                                    cmd], check=True)

    def screen(self) -> str:
        return subprocess.run(self.tmux + ["capture-pane", "-p", "-t", self.name], capture_output=True,
                              text=True).stdout

    def wait(self, predicate, timeout: float = 60.0) -> float:
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            if predicate(self.screen()):
                return time.perf_counter() - start
            time.sleep(0.003)
        raise RuntimeError("the screen never showed it")

    def keys(self, *keys: str) -> None:
        subprocess.run(self.tmux + ["send-keys", "-t", self.name, *keys])

    def close(self) -> None:
        subprocess.run(self.tmux + ["kill-server"], capture_output=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=2000)
    ap.add_argument("--launches", type=int, default=5)
    ap.add_argument("--keys", type=int, default=20)
    a = ap.parse_args()
    root = Path(tempfile.gettempdir()) / "heatscope-bench" / f"runs{a.runs}"
    t = time.perf_counter()
    make_runs(root, a.runs)
    print(f"{a.runs} runs in {root} ready in {time.perf_counter() - t:.1f} s")
    py = shlex.quote(sys.executable)
    firsts = []
    for _ in range(a.launches):
        term = Terminal(f"{py} -m heatscope {shlex.quote(str(root))}")
        try:
            firsts.append(term.wait(lambda s: "run0000 · Step 0" in s))
        finally:
            term.close()
    print(f"launch to first heatmap: median {statistics.median(firsts):.3f} s over {a.launches} (target < 1 s)")
    rss_file = root.parent / "runs_bench.rss"
    term = Terminal(f"/usr/bin/time -f %M -o {shlex.quote(str(rss_file))} {py} -m heatscope {shlex.quote(str(root))}")
    try:
        term.wait(lambda s: "run0000 · Step 0" in s)
        time.sleep(1.0)  # the first files are open; the prefetch settles
        steps = []
        for i in range(1, a.keys + 1):  # forth and back over the 8 runs opened at launch
            target = i % 14 if i % 14 <= 7 else 14 - i % 14
            term.keys("n" if (i - 1) % 14 < 7 else "p")
            steps.append(term.wait(lambda s, n=f"run{target:04d} · Step 0": n in s))
            time.sleep(0.05)
        steps.sort()
        print(f"n/p to the next run's title (already open): median {statistics.median(steps) * 1000:.0f} ms, "
              f"p90 {steps[int(len(steps) * 0.9)] * 1000:.0f} ms over {len(steps)} keys (target < 50 ms)")
        term.keys("R")
        shown = term.wait(lambda s: re.search(r"run0000 .*\d\.\d", s) is not None)
        print(f"R to the run table with its first summaries: {shown:.3f} s")
        done = term.wait(lambda s: f"{a.runs} runs ·" in s, timeout=600)
        print(f"every run read and summarized: {shown + done:.1f} s")
        term.keys("Escape")
        time.sleep(0.5)
        term.keys("q")
        for _ in range(200):
            if rss_file.exists() and rss_file.read_text().strip():
                break
            time.sleep(0.05)
        print(f"peak RSS after opening all {a.runs} runs: {int(rss_file.read_text().split()[-1]) / 1024:.1f} MB")
    finally:
        term.close()
        rss_file.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
