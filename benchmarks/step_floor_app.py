"""The floor for a step: what any Textual app pays to repaint a heatmap's cells on a key.

A Line-API widget (``render_line`` -> ``Strip``) drawing a title (``Step N``) and a block
of colored cells, as many as heatscope draws for the same view, in the same glyphs (half
blocks with two truecolor colors, or whole cells with one) and where heatscope draws them.
``]`` and ``[`` show the next or previous step's colors and the title, nothing else
happens. The colors are new on every step (seeded gamma-distributed values, each step
scaled to its own range, on a 256-color viridis-like ramp), so a frame writes about as
many distinct colors as heatscope's. Every color's style is made once at startup and
Textual's ANSI color filter is off (every style here is truecolor): the floor pays only
for turning cells into strips, Textual's compositor and the terminal. Used by
terminal_bench.py, which lays the view out as heatscope does and passes its geometry.

usage: python benchmarks/step_floor_app.py --x X --width W --label L --lines N --cols N
           --glyph '▌'|'▀'|' '|'  ' [--title 'Step {}'] [--start 0] [--steps 32]
"""

from __future__ import annotations

import argparse

import numpy as np
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

RAMP = np.array([[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]], float)
HALF = ("▌", "▀")


def ramp() -> np.ndarray:
    """256 packed 0xRRGGBB colors along ``RAMP``."""
    t = np.linspace(0, len(RAMP) - 1, 256)
    rgb = np.stack([np.interp(t, np.arange(len(RAMP)), RAMP[:, k]) for k in range(3)], axis=1).astype(np.int64)
    return (rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]


def step_keys(rng, lines: int, cols: int, glyph: str) -> np.ndarray:
    """One step's (lines, cols) cell keys, fg << 24 | bg (fg 0: none): two colors per
    character in half blocks, one otherwise."""
    values = rng.gamma(2.0, 0.5, (lines, cols, 2 if glyph in HALF else 1))
    levels = ((values - values.min()) / (values.max() - values.min()) * 255).astype(int)
    colors = ramp()[levels]
    return (colors[..., 0] << 24) | colors[..., 1] if glyph in HALF else colors[..., 0]


def look(key: int, glyph: str) -> Segment:
    fg, bg = key >> 24, key & 0xFFFFFF
    rgb = lambda c: Color.from_rgb(c >> 16, (c >> 8) & 255, c & 255)  # noqa: E731
    return Segment(glyph, Style(color=rgb(fg) if fg else None, bgcolor=rgb(bg)))


class Cells(Widget):
    """The title and the cells of one step; a step repaints those lines only."""

    def __init__(self, keys: list[list[list[int]]], looks: dict[int, Segment], opts) -> None:
        super().__init__()
        self.keys, self.looks, self.opts = keys, looks, opts
        self.step = opts.start
        self.base: Style | None = None  # the widget's style, under every cell

    def show(self, step: int) -> None:
        self.step = max(0, min(len(self.keys) - 1, step))
        self.refresh(Region(0, 0, self.size.width, self.opts.lines + 1))

    def render_line(self, y: int) -> Strip:
        o, width = self.opts, self.size.width
        if self.base is None:
            self.base = self.rich_style
        base = self.base
        if y == 0:
            title = o.title.format(self.step).center(o.cols * len(o.glyph)).rstrip()
            segments = [Segment(" " * o.label, base), Segment(title, base + Style(bold=True))]
            length = o.label + len(title)
        elif y <= o.lines:
            looks = self.looks
            segments = [Segment(f"{y:>{o.label - 1}} ", base)] + [looks[k] for k in self.keys[self.step][y - 1]]
            length = o.label + o.cols * len(o.glyph)
        else:
            segments, length = [], 0
        return Strip(segments + [Segment(" " * max(0, width - length), base)], width)


class StepFloor(App):
    BINDINGS = [Binding("right_square_bracket", "step(1)"), Binding("left_square_bracket", "step(-1)"),
                Binding("ctrl+q", "quit")]

    def __init__(self, opts) -> None:
        super().__init__(ansi_color=True)  # every style is truecolor: no conversion filter
        self.opts = opts
        rng = np.random.default_rng(0)
        steps = [step_keys(rng, opts.lines, opts.cols, opts.glyph) for _ in range(opts.steps)]
        self.looks = {k: look(k, opts.glyph) for k in np.unique(np.concatenate([s.ravel() for s in steps])).tolist()}
        self.keys = [s.tolist() for s in steps]

    def compose(self) -> ComposeResult:
        cells = Cells(self.keys, self.looks, self.opts)
        cells.styles.width, cells.styles.margin = self.opts.width, (0, 0, 0, self.opts.x)  # where heatscope draws
        yield cells

    def action_step(self, delta: int) -> None:
        cells = self.query_one(Cells)
        cells.show(cells.step + delta)


def main() -> None:
    ap = argparse.ArgumentParser()
    for name in ("x", "width", "label", "lines", "cols"):
        ap.add_argument(f"--{name}", type=int, required=True)
    ap.add_argument("--glyph", choices=[*HALF, " ", "  "], required=True)
    ap.add_argument("--title", default="Step {}")
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--steps", type=int, default=32)
    StepFloor(ap.parse_args()).run()


if __name__ == "__main__":
    main()
