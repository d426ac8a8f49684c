"""Speed as users feel it (issue: speed measured the way users feel it). Prints numbers.

heatscope runs in a real terminal (tmux) at 160x48 and 80x24; every byte it writes is
recorded with its arrival time and the screen is rebuilt with a terminal emulator, so a
key's latency is from the moment the key was sent to the moment the terminal had the frame
showing its effect (key -> frame), and to the frame where the stats panel shows it (key ->
stats). Keys come at key-repeat rate (every 33 ms), at least 100 per scenario. First paint
is compared in the same run with a floor app (Textual + h5py + numpy opening the same file
and reading the same slice, then painting a static text) and a Textual hello-world.

Every step scenario (``]`` / ``[``) also runs its floor (``step_floor_app.py``: a Line-API
widget repainting as many cells as heatscope draws for that view, laid out here by
heatscope's own headless layout, with new colors on every key, nothing else) with the same
keys and the same test of when a frame shows a key, right after heatscope: step figures
are ratios heatscope / floor measured side by side (absolute times move with the machine's
load, the ratio much less). ``--repeat N`` runs each step pair N times, alternating which
goes first, and prints the spread.

usage: pip install ".[bench]"   (pyte; tmux must be installed: apt install tmux)
       python benchmarks/terminal_bench.py [--keys 120] [--launches 7] [--only NAME] [--repeat 1]
"""

from __future__ import annotations

import argparse
import re
import shlex
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np
from heatscope.read.session import Session
from heatscope.render.grid import frame_models, layout_view
from heatscope.render.screen_layout import heatmap_box, stats_width
from heatscope.views.frame import make_frame
from heatscope.views.panels import overview_target, read_panels
from heatscope.views.resolve import resolve
from heatscope.views.spec import ViewSpec

sys.path.insert(0, str(Path(__file__).resolve().parent))
from terminal import Terminal, shows  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "sample_runs"
KEY_INTERVAL = 0.033  # key repeat
PY = shlex.quote(sys.executable)
APP_RUNNING = r"\bq\s+quit\b"  # the key hints: the app's own frame
DATASETS = ["Wikipedia (en)", "Github", "DM Mathematics"]


def in_stats(size, pattern: str) -> Callable[[list[str]], bool]:
    regex = re.compile(pattern)
    first = size[0] - stats_width(size[0])
    return lambda lines: any(regex.search(line[first:]) for line in lines)


@dataclass
class Scenario:
    name: str
    cmd: str
    size: tuple[int, int]
    ready: str  # on screen once the app is ready
    keys: list[str]
    frame: list[Callable] = field(default_factory=list)  # per key: the screen shows its effect
    stats: list[Callable] = field(default_factory=list)  # per key: the stats panel shows it
    running: str | None = APP_RUNNING  # on screen once keys are handled
    floor: Scenario | None = None  # the step floor: the same keys and frame tests


def bounce(start: int, low: int, high: int, count: int) -> list[tuple[str, int]]:
    """(key direction, value after it) going up and down between ``low`` and ``high``."""
    out, value, up = [], start, True
    for _ in range(count):
        if value == high:
            up = False
        elif value == low:
            up = True
        value += 1 if up else -1
        out.append(("+" if up else "-", value))
    return out


def wide_file(directory: Path) -> Path:
    path = directory / "wide.h5"
    rng = np.random.default_rng(0)
    with h5py.File(path, "w") as f:
        d = f.create_dataset("expert_load", shape=(32, 61, 256), dtype="f4", chunks=(1, 61, 256))
        for s in range(32):
            d[s] = rng.gamma(2.0, 0.5, (61, 256)).astype("f4")
        d.attrs["dims"] = ["step", "layer", "expert"]
        d.attrs["kind"] = "relative_expert_load"
    return path


def drawn_map(path: Path, size: tuple[int, int]):
    """heatscope's layout of the view it opens ``path`` on, on a ``size`` screen."""
    session = Session([path])
    try:
        session.open_all()
        state = resolve(session, ViewSpec()).state
        panels = read_panels(session, state, target=overview_target(*size))
        frame = make_frame(state, panels, None, session.names)
        _, _, width, height = heatmap_box(*size)
        return layout_view(frame_models(frame), state.cursor, width, height, frame.per_row, state.zoom)
    finally:
        session.close()


def with_floor(s: Scenario, path: Path, title: str, start: int, steps: int) -> Scenario:
    """``s`` with its floor: as many cells as heatscope draws for the view, in the same
    glyphs and place, repainted with new colors on every key (``step_floor_app.py``)."""
    layout = drawn_map(path, s.size)
    geo = layout.geometry
    glyph = "▌" if geo.half_cols else "▀" if geo.half_rows else " " * int(geo.col_chars)
    x, _, width, _ = heatmap_box(*s.size)
    cmd = (f"{PY} {shlex.quote(str(REPO / 'benchmarks' / 'step_floor_app.py'))} --x {x} --width {width} "
           f"--label {layout.map_x} --lines {geo.height} --cols {geo.width // len(glyph)} --glyph {shlex.quote(glyph)} "
           f"--title {shlex.quote(title)} --start {start} --steps {steps}")
    s.floor = Scenario(f"floor of {s.name} ({geo.height} x {geo.width // len(glyph)} cells {glyph!r})", cmd, s.size,
                       title.format(start), s.keys, s.frame, running=None)
    return s


def scenarios(n: int, wide: Path) -> list[Scenario]:
    load = shlex.quote(str(SAMPLES / "expert_load.h5"))
    out = []
    for size in ((160, 48), (80, 24)):
        seq = bounce(9, 1, 26, n)
        out.append(with_floor(Scenario(
            f"] [ layer step, 3x64, {size[0]}x{size[1]}", f"{PY} -m heatscope {load}", size,
            "Aux-Loss-Free Layer 9", [("]" if d == "+" else "[") for d, _ in seq],
            [shows(rf"Aux-Loss-Free Layer {v}\b") for _, v in seq],
            [in_stats(size, rf"\blayer\s+{v}\s") for _, v in seq]), SAMPLES / "expert_load.h5",
            "Aux-Loss-Free Layer {}", 9, 27))
        seq = bounce(0, 0, 31, n)
        out.append(with_floor(Scenario(
            f"] [ step, 61x256, {size[0]}x{size[1]}", f"{PY} -m heatscope {shlex.quote(str(wide))}",
            size, "Step 0", [("]" if d == "+" else "[") for d, _ in seq],
            [shows(rf"\bStep {v}\b") for _, v in seq],
            [in_stats(size, rf"\bstep\s+{v}\s") for _, v in seq]), wide, "Step {}", 0, 32))
        seq = bounce(1, 1, 64, n)
        out.append(Scenario(f"cursor left/right, 3x64, {size[0]}x{size[1]}", f"{PY} -m heatscope {load}", size,
                            "Aux-Loss-Free Layer 9", [("Right" if d == "+" else "Left") for d, _ in seq],
                            [], [in_stats(size, rf"\bexpert\s+{v}\s") for _, v in seq]))
        out.append(Scenario(f"cursor l/h, 3x64, {size[0]}x{size[1]}", f"{PY} -m heatscope {load}", size,
                            "Aux-Loss-Free Layer 9", [("l" if d == "+" else "h") for d, _ in seq],
                            [], [in_stats(size, rf"\bexpert\s+{v}\s") for _, v in seq]))
    size = (160, 48)
    variants = ["Aux-Loss-Based", "Aux-Loss-Free"]
    out.append(Scenario("} { variant (not prefetched), 160x48", f"{PY} -m heatscope {load}", size,
                        "Aux-Loss-Free Layer 9", ["}" if i % 2 else "{" for i in range(n)],
                        [shows(rf"{variants[i % 2]} Layer 9\b") for i in range(n)],
                        [in_stats(size, rf"\bvariant\s+{variants[i % 2]}\s") for i in range(n)]))
    seq = bounce(0, 0, 11, n)  # 4 panels x 3 datasets
    out.append(Scenario("cursor up/down through facets layer=9,18 variant, 160x48",
                        f"{PY} -m heatscope {load}", size, "Aux-Loss-Free Layer 9",
                        [("Down" if d == "+" else "Up") for d, _ in seq], [],
                        [in_stats(size, rf"\bdataset\s+{re.escape(DATASETS[v % 3])}\s") for _, v in seq],))
    out[-1].setup = ["f", *"layer=9,18 variant", "Enter"]
    out[-1].setup_ready = "Aux-Loss-Based Layer 18"
    steps = [str(s) for s in range(0, 41 * 50, 50)]
    seq = bounce(0, 0, 40, n)
    training = shlex.quote(str(SAMPLES / "training_balance.h5"))
    out.append(Scenario("cursor up/down in the step x layer MaxVio view, 160x48",
                        f"{PY} -m heatscope {training} --reduce expert=maxvio", size, "MaxVio over 64 experts",
                        [("Down" if d == "+" else "Up") for d, _ in seq], [],
                        [in_stats(size, rf"\bstep\s+{steps[v]}\s") for _, v in seq]))
    return out


def first_match(frames, sent_ns: int, predicates) -> tuple[float | None, bool]:
    """Key -> the first frame showing this key's state or a later key's (the app shows the
    newest state when keys come faster than frames); True when it was a later key's."""
    for frame in frames:
        if frame.time_ns >= sent_ns:
            for k, predicate in enumerate(predicates):
                if predicate(frame.screen):
                    return (frame.time_ns - sent_ns) / 1e6, k > 0
    return None, False


def first_change(frames, sent_ns: int, columns: slice) -> float | None:
    """Key -> the first frame after the key that changed the map area (cursor moves)."""
    before = None
    for frame in frames:
        area = [line[columns] for line in frame.screen]
        if frame.time_ns >= sent_ns and before is not None and area != before:
            return (frame.time_ns - sent_ns) / 1e6
        before = area
    return None


def figures(values: list) -> tuple[float, float, float] | None:
    """(median, p90, max) ms of the keys that were shown."""
    got = sorted(v for v, _ in values if v is not None)
    return (statistics.median(got), got[int(len(got) * 0.9)], got[-1]) if got else None


def summary(label: str, values: list) -> str:
    got = figures(values)
    if got is None:
        return f"{label}: no frame"
    shown = sum(1 for v, _ in values if v is not None)
    missed = len(values) - shown
    later = sum(1 for v, superseded in values if v is not None and superseded)
    notes = [f"{missed} never shown"] if missed else []
    notes += [f"{later} shown by a later key's frame"] if later else []
    return (f"{label} median {got[0]:5.1f} ms  p90 {got[1]:5.1f}  "
            f"max {got[2]:5.1f}  ({shown} keys{', ' + ', '.join(notes) if notes else ''})")


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f}x" + (f" ({min(values):.2f}-{max(values):.2f})" if len(values) > 1 else "")


def run_pair(s: Scenario, repeat: int) -> None:
    """heatscope and its floor side by side, ``repeat`` times (alternating which goes first):
    each time both figures and their ratios, then the ratios' median and range."""
    print(s.name, f"vs {s.floor.name}")
    ratios: dict[str, list[float]] = {"median": [], "p90": []}
    for i in range(repeat):
        order = [s, s.floor] if i % 2 == 0 else [s.floor, s]
        got = {id(x): run_scenario(x) for x in order}
        heat, floor = got[id(s)], got[id(s.floor)]
        print("  " + summary("heatscope key -> frame", heat["frame"]))
        print("  " + summary("floor     key -> frame", floor["frame"]))
        print("  " + summary("heatscope key -> stats", heat["stats"]))
        print(f"  written: heatscope {output(heat)}; floor {output(floor)}")
        h, f = figures(heat["frame"]), figures(floor["frame"])
        if h and f:
            ratios["median"].append(h[0] / f[0])
            ratios["p90"].append(h[1] / f[1])
            print(f"  heatscope / floor: median {h[0] / f[0]:.2f}x  p90 {h[1] / f[1]:.2f}x")
    if ratios["median"]:
        print(f"  over {len(ratios['median'])} runs: heatscope / floor median {spread(ratios['median'])}, "
              f"p90 {spread(ratios['p90'])}")


def run_scenario(s: Scenario) -> dict[str, list]:
    term = Terminal(s.cmd, s.size)
    try:
        term.start()
        term.wait_for(shows(re.escape(s.ready)))
        if s.running:
            term.wait_for(shows(s.running))  # the heatmap shows before the app runs (first_frame.py)
        for key in getattr(s, "setup", []):
            term.key(key)
            time.sleep(0.02)
        if getattr(s, "setup", None):
            term.wait_for(shows(re.escape(s.setup_ready)))
        time.sleep(1.0)  # prefetch and the first scans settle
        sent = []
        for key in s.keys:
            sent.append(term.key(key))
            time.sleep(KEY_INTERVAL)
        time.sleep(1.5)
        frames = term.frames()
    finally:
        term.close()
    map_area = slice(0, s.size[0] - stats_width(s.size[0]))
    if s.frame:
        frame = [first_match(frames, t, s.frame[i:i + 8]) for i, t in enumerate(sent)]
    else:
        frame = [(first_change(frames, t, map_area), False) for t in sent]
    stats = [first_match(frames, t, s.stats[i:i + 8]) for i, t in enumerate(sent)] if s.stats else []
    during = [f for f in frames if f.time_ns >= sent[0]]
    return {"frame": frame, "stats": stats, "frames": len(during), "bytes": sum(f.size for f in during),
            "keys": len(sent)}


def output(result: dict) -> str:
    """What the app wrote while the keys came: frames and bytes per key."""
    keys = result["keys"]
    return f"{result['frames'] / keys:.2f} frames, {result['bytes'] / keys / 1000:.1f} kB per key"


def first_paints(launches: int) -> None:
    """Launch -> first frame showing the data, per app, interleaved launches. For heatscope
    also launch -> the app's own first frame (key hints at the bottom: keys are handled from
    then on; the heatmap before it is drawn by the command line while Textual starts)."""
    load = SAMPLES / "expert_load.h5"
    apps = {
        "heatscope": (f"{PY} -m heatscope {shlex.quote(str(load))}", "Aux-Loss-Free Layer 9", APP_RUNNING),
        "floor (textual+h5py+numpy, same slice)": (
            f"{PY} {shlex.quote(str(REPO / 'benchmarks' / 'floor_app.py'))} {shlex.quote(str(load))} "
            "relative_expert_load", "floor-ready", None),
        "hello (textual)": (f"{PY} {shlex.quote(str(REPO / 'benchmarks' / 'minimal_app.py'))}", "minimal-ready", None),
    }
    times = {name: [] for name in apps}
    live = []
    rss = {name: [] for name in apps}
    for _ in range(launches):  # interleaved: every app sees the same machine load
        for name, (cmd, ready, app_frame) in apps.items():
            term = Terminal(cmd, (160, 48), rss=True)
            try:
                started = term.start()
                frame = term.wait_for(shows(re.escape(ready)))
                times[name].append((frame.time_ns - started) / 1e9)
                if app_frame:
                    live.append((term.wait_for(shows(app_frame)).time_ns - started) / 1e9)
                time.sleep(0.3)
                term.key("q" if name == "heatscope" else "C-q")
                rss[name].append(term.peak_rss_mb())
            finally:
                term.close()
    med = {name: statistics.median(t) for name, t in times.items()}
    print(f"\nfirst paint, tmux 160x48, median of {launches} launches (release -> frame showing it):")
    for name, value in med.items():
        print(f"  {name:42} {value:.3f} s   peak RSS {max(rss[name]):6.1f} MB")
    print(f"  {'heatscope, app running (key hints shown)':42} {statistics.median(live):.3f} s")
    heat, floor, hello = med.values()
    rss_heat, rss_floor = max(rss["heatscope"]), max(next(iter(list(rss.values())[1:2])))
    print(f"  heatscope / floor {heat / floor:.2f}x (target <= 1.15x), heatscope / hello {heat / hello:.2f}x; "
          f"app running / floor {statistics.median(live) / floor:.2f}x; "
          f"peak RSS heatscope / floor {rss_heat / rss_floor:.2f}x (target <= 1.5x)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--keys", type=int, default=120)
    ap.add_argument("--launches", type=int, default=7)
    ap.add_argument("--only", help="run the scenarios whose name contains this")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each step scenario and its floor")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wide = wide_file(Path(tmp))
        for s in scenarios(a.keys, wide):
            if a.only and a.only not in s.name:
                continue
            if s.floor is not None:
                run_pair(s, a.repeat)
                continue
            result = run_scenario(s)
            print(s.name)
            print("  " + summary("key -> frame", result["frame"]))
            print("  " + summary("key -> stats", result["stats"]))
    if not a.only:
        first_paints(a.launches)


if __name__ == "__main__":
    main()
