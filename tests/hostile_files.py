"""Runs whose every name, attribute, label, file name and directory name is hostile: terminal
escapes (OSC title, SGR, DCS), BEL, C1 controls, bidi overrides, line/paragraph separators,
zero-width characters and Rich markup, also valid markup (a link, a style, a variable). Used
by the hostile-text and fuzz tests.
"""

from __future__ import annotations

import re
from pathlib import Path

import h5py
import numpy as np

PAYLOADS = [
    "\x1b]0;PWNED\x07",  # sets the terminal title
    "\x1b[31mRED\x1b[0m",  # colors the terminal
    "\x9b2J",  # C1 CSI: clears the screen on terminals that take 8-bit controls
    "\x07bell",
    "\u202eevil",  # right-to-left override
    "a\u2028b\u2029c",  # line and paragraph separators
    "[bold red]x",  # Rich markup
    "[link=https://x.invalid]expert",
    "zero\u200bwidth\ufeff",
    "\x1bP+q\x1b\\",  # DCS
    "[/]",  # closing tag with nothing open: a MarkupError if parsed
]
# Names that are valid markup, as the files had them: parsed, they raise (a link
# quoted in an error, "[link=...]expert)") or vanish ("[on red]"), and nothing shows it.
MARKUP_AXIS = "[link=https://e.invalid]expert"
MARKUP_GROUP = "$accent [on red]"
MARKUP_KIND = "[red]relative_expert_load"
MARKUP_TYPED = "[bold red]zz"  # typed at the go-to prompt
# Rich markup must show literally; these must never reach a terminal or an export raw.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
# What Textual itself writes: CSI sequences and the OSC 22 pointer-shape sequence.
TERMINAL_OWN = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\]22;[a-z-]*\x07")


def hostile(i: int, suffix: str = "") -> str:
    """A distinct hostile string."""
    return f"{PAYLOADS[i % len(PAYLOADS)]}{suffix}{i}"


def file_text_leaks(text: str) -> list[str]:
    """Control or invisible characters in output that the program itself did not write."""
    rest = TERMINAL_OWN.sub("", text)
    return sorted({repr(m.group()) for m in re.finditer("[\x1b]|" + UNSAFE.pattern, rest)})


def write_hostile_run(path: Path, seed: int = 0) -> None:
    """A small MoE-shaped run where every piece of text is hostile."""
    rng = np.random.default_rng(seed)
    with h5py.File(path, "w") as f:
        f.attrs["title"] = hostile(1)
        group = f.create_group(hostile(2, "group"))
        variant = group.create_dataset(hostile(3, "variant"), data=np.array([hostile(4), hostile(5)], dtype=h5py.string_dtype()))
        variant.make_scale(hostile(6, "variant"))
        layer = group.create_dataset("layer_scale", data=np.arange(1, 4))
        layer.make_scale(hostile(7, "layer"))
        expert = group.create_dataset("expert_scale", data=np.array([hostile(i, "e") for i in range(8)], dtype=h5py.string_dtype()))
        expert.make_scale(hostile(8, "expert"))
        counts = group.create_dataset(hostile(9, "counts"), data=rng.integers(1, 50, (2, 3, 8)))
        for i, scale in enumerate((variant, layer, expert)):
            counts.dims[i].attach_scale(scale)
        counts.dims[2].label = hostile(10, "expert")
        counts.attrs.update(kind="expert_token_counts", long_name=hostile(11), units=hostile(12),
                            colormap=hostile(13), default_select=f"{hostile(14)}={hostile(15)}")
        flat = f.create_dataset(hostile(16, "flat"), data=rng.normal(size=(4, 5)))
        flat.attrs["dims"] = np.array([hostile(17, "row"), hostile(18, "col")], dtype=h5py.string_dtype())
        flat.attrs[f"{hostile(18, 'col')}_labels"] = np.array([hostile(i, "c") for i in range(5)], dtype=h5py.string_dtype())
        flat.attrs.update(long_name=hostile(19), kind=hostile(20), valid_range=[-2.0, 2.0])
        f.create_dataset(hostile(21, "text"), data=hostile(22))  # a scalar string: its value is listed
        f[hostile(23, "soft")] = h5py.SoftLink(f"/{hostile(24)}")  # dangling: becomes a note
        odd = f.create_group(MARKUP_GROUP).create_dataset("odd", data=rng.normal(size=(3, 4)))
        odd.attrs.update(kind=MARKUP_KIND, dims=np.array(["[$accent]x", MARKUP_AXIS], dtype=h5py.string_dtype()))
        f.attrs["default_dataset"] = counts.name


def write_markup_run(path: Path) -> None:
    """A file whose names are valid markup: the markup axis is the first stepped axis (so
    ``d`` prefills a diff over it, which fails quoting it), a group named
    ``MARKUP_GROUP`` holds a dataset of the unknown kind ``MARKUP_KIND`` (a startup note
    quotes both), and an axis named ``[$accent]x`` reaches the palette's help line."""
    rng = np.random.default_rng(0)
    with h5py.File(path, "w") as f:
        load = f.create_dataset("load", data=rng.random((4, 3, 8)))
        load.attrs["dims"] = np.array([MARKUP_AXIS, "layer", "[$accent]x"], dtype=h5py.string_dtype())
        group = f.create_group(MARKUP_GROUP)
        odd = group.create_dataset("x", data=rng.random((3, 4)))
        odd.attrs["kind"] = MARKUP_KIND
        f.attrs["default_dataset"] = "/load"


def hostile_runs(root: Path) -> list[Path]:
    """Two hostile runs in a hostile directory, with hostile file names."""
    directory = root / hostile(25, "dir")
    directory.mkdir(parents=True)
    paths = [directory / f"{hostile(26 + i, 'run')}.h5" for i in range(2)]
    for seed, path in enumerate(paths):
        write_hostile_run(path, seed)
    return paths
