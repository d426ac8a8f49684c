"""Metric view on the big file (issue: overviews). Prints numbers; not a test.

Uses the ~10 GB file of ``big_file_bench.py`` (step x 61 layers x 256 experts, float32) and
opens it as ``heatscope FILE --reduce expert=maxvio`` in a real terminal (tmux 160x48).
Measured from the terminal side: launch to the first partial result on screen (the first
map row drawn with colors instead of the "not computed yet" dots), the key-to-frame time
of cursor moves while the reduction runs (the stats panel's step label changes), the time
until the reduction finishes, and the peak RSS of the process (/usr/bin/time).

usage: python benchmarks/metric_view_bench.py [--gb 10] [--keys 20] [--keep]
"""

from __future__ import annotations

import argparse
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from big_file_bench import CHUNK, EXPERTS, LAYERS, make_file  # noqa: E402

STEP_LABEL = re.compile(r"step\s+([\d.]+)\s*$")


def _screen(tmux: list[str], name: str) -> str:
    return subprocess.run(tmux + ["capture-pane", "-p", "-t", name], capture_output=True, text=True).stdout


def _cursor_step(screen: str) -> str | None:
    for line in screen.splitlines():
        part = line.rsplit("▏", 1)[-1].strip()
        match = STEP_LABEL.match(part)
        if match:
            return match.group(1)
    return None


def run(path: Path, keys: int, size=(160, 48), timeout: float = 600.0) -> dict:
    name = "hsm-" + uuid.uuid4().hex[:8]
    tmux = ["tmux", "-L", name]
    rss_file = path.parent / f"{name}.rss"
    cmd = (f"/usr/bin/time -f %M -o {shlex.quote(str(rss_file))} {shlex.quote(sys.executable)} "
           f"-m heatscope {shlex.quote(str(path))} --reduce expert=maxvio")
    t0 = time.perf_counter()
    subprocess.run(tmux + ["new-session", "-d", "-s", name, "-x", str(size[0]), "-y", str(size[1]), cmd], check=True)
    result: dict = {}
    try:
        while time.perf_counter() - t0 < 60:
            screen = _screen(tmux, name)
            first_row = next((line for line in screen.splitlines() if re.search(r"▕\s+0 ", line)), "")
            if "MaxVio over" in screen and first_row and "·" not in first_row.split("▏")[0]:
                result["first partial result"] = time.perf_counter() - t0
                break
            time.sleep(0.005)
        latencies = []
        for _ in range(keys):  # cursor moves while the worker reduces
            before = _cursor_step(_screen(tmux, name))
            sent = time.perf_counter()
            subprocess.run(tmux + ["send-keys", "-t", name, "Down"])
            while time.perf_counter() - sent < 5:
                if _cursor_step(_screen(tmux, name)) != before:
                    latencies.append(time.perf_counter() - sent)
                    break
                time.sleep(0.002)
            time.sleep(0.1)
        result["keys"] = latencies
        while time.perf_counter() - t0 < timeout:
            if "reducing" not in _screen(tmux, name):
                result["finished"] = time.perf_counter() - t0
                break
            time.sleep(0.5)
        subprocess.run(tmux + ["send-keys", "-t", name, "q"])
        for _ in range(400):
            if rss_file.exists() and rss_file.read_text().strip():
                break
            time.sleep(0.05)
        result["peak RSS MB"] = int(rss_file.read_text().split()[-1]) / 1024
        return result
    finally:
        subprocess.run(tmux + ["kill-server"], capture_output=True)
        rss_file.unlink(missing_ok=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gb", type=float, default=10.0)
    ap.add_argument("--keys", type=int, default=20)
    ap.add_argument("--keep", action="store_true", help="keep the generated file for the next run")
    a = ap.parse_args()
    directory = Path(tempfile.gettempdir()) / "heatscope-bench"
    directory.mkdir(exist_ok=True)
    path = directory / "big.h5"
    steps = int(a.gb * 1e9 // (LAYERS * EXPERTS * 4))
    t = time.perf_counter()
    make_file(path, steps)
    print(f"{path}: {path.stat().st_size / 1e9:.2f} GB, {steps} steps (chunks of {CHUNK}) ready in "
          f"{time.perf_counter() - t:.1f} s")
    try:
        r = run(path, a.keys)
        keys = sorted(r["keys"])
        print(f"first partial MaxVio map on screen: {r.get('first partial result', float('nan')):.2f} s "
              f"(target < 1 s)")
        if keys:
            print(f"cursor key -> frame while reducing: median {statistics.median(keys) * 1000:.0f} ms, "
                  f"max {keys[-1] * 1000:.0f} ms over {len(keys)} keys")
        print(f"reduction finished after {r.get('finished', float('nan')):.1f} s; "
              f"peak RSS {r['peak RSS MB']:.1f} MB (target < 150 MB)")
    finally:
        if not a.keep:
            path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
