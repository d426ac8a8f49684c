"""Big-file benchmark (issue: on the training node). Prints numbers; not a test.

Generates, in the system temp directory (never in the repo), a ~10 GB file and a ~10 MB
file with the same layout: expert_load = step x 61 layers x 256 experts, float32, chunked
(16, 61, 256). For each, in a real terminal (tmux 160x48): the time from launch to the
first painted heatmap, and the peak RSS of the process after the first paint plus a few
seconds of the background global-range scan (measured by /usr/bin/time).

usage: python benchmarks/big_file_bench.py [--gb 10] [--runs 5] [--keep]
"""

from __future__ import annotations

import argparse
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

LAYERS, EXPERTS, CHUNK = 61, 256, 16
REPO = Path(__file__).resolve().parent.parent


def make_file(path: Path, steps: int) -> None:
    if path.exists() and h5py.File(path, "r")["expert_load"].shape[0] == steps:
        return
    rng = np.random.default_rng(0)
    base = rng.gamma(2.0, 0.5, (CHUNK, LAYERS, EXPERTS)).astype("f4")
    with h5py.File(path, "w") as f:
        d = f.create_dataset("expert_load", shape=(steps, LAYERS, EXPERTS), dtype="f4",
                             chunks=(CHUNK, LAYERS, EXPERTS))
        d.attrs["dims"] = ["step", "layer", "expert"]
        d.attrs["kind"] = "relative_expert_load"
        for start in range(0, steps, CHUNK):
            stop = min(steps, start + CHUNK)
            d[start:stop] = base[: stop - start] * (1.0 + 0.01 * (start // CHUNK % 50))


def run_once(path: Path, size=(160, 48), settle: float = 3.0) -> tuple[float, int]:
    """(seconds to first heatmap, peak RSS in kB)."""
    name = "hsb-" + uuid.uuid4().hex[:8]
    tmux = ["tmux", "-L", name]
    rss_file = path.parent / f"{name}.rss"
    cmd = (f"/usr/bin/time -f %M -o {shlex.quote(str(rss_file))} "
           f"{shlex.quote(sys.executable)} -m heatscope {shlex.quote(str(path))}")
    t0 = time.perf_counter()
    subprocess.run(tmux + ["new-session", "-d", "-s", name, "-x", str(size[0]), "-y", str(size[1]), cmd], check=True)
    try:
        first = None
        while time.perf_counter() - t0 < 30:
            screen = subprocess.run(tmux + ["capture-pane", "-p", "-t", name], capture_output=True, text=True).stdout
            if "Step 0" in screen:
                first = time.perf_counter() - t0
                break
            time.sleep(0.003)
        if first is None:
            raise RuntimeError("the heatmap never appeared")
        time.sleep(settle)
        subprocess.run(tmux + ["send-keys", "-t", name, "q"])
        for _ in range(200):
            if rss_file.exists() and rss_file.read_text().strip():
                break
            time.sleep(0.05)
        return first, int(rss_file.read_text().split()[-1])
    finally:
        subprocess.run(tmux + ["kill-server"], capture_output=True)
        rss_file.unlink(missing_ok=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gb", type=float, default=10.0)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--keep", action="store_true", help="keep the generated files for the next run")
    a = ap.parse_args()
    directory = Path(tempfile.gettempdir()) / "heatscope-bench"
    directory.mkdir(exist_ok=True)
    per_step = LAYERS * EXPERTS * 4
    files = {"10 MB": (directory / "small.h5", max(CHUNK, int(10e6 // per_step))),
             f"{a.gb:g} GB": (directory / "big.h5", int(a.gb * 1e9 // per_step))}
    try:
        for label, (path, steps) in files.items():
            t = time.perf_counter()
            make_file(path, steps)
            print(f"{label}: {path} ({path.stat().st_size / 1e9:.2f} GB, {steps} steps) ready in "
                  f"{time.perf_counter() - t:.1f} s")
        results = {label: [] for label in files}
        for _ in range(a.runs):  # interleaved, so both see the same machine load
            for label, (path, _) in files.items():
                results[label].append(run_once(path))
        rows = {label: (statistics.median(t for t, _ in r), max(m for _, m in r)) for label, r in results.items()}
        print(f"{'file':>8}  {'first heatmap':>14}  {'peak RSS':>9}")
        for label, (first, rss) in rows.items():
            print(f"{label:>8}  {first:13.3f}s  {rss / 1024:7.1f} MB")
        (s_first, s_rss), (b_first, b_rss) = rows.values()
        print(f"ratio big/small: first heatmap {b_first / s_first:.2f}x (target <= 1.2x), "
              f"peak RSS {b_rss / s_rss:.2f}x (target <= 1.2x and < 150 MB)")
    finally:
        if not a.keep:
            for path, _ in files.values():
                path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
