"""The key table, shared by the help screen, the README and the tests."""

from __future__ import annotations

KEYS: list[tuple[str, str]] = [
    ("arrows / h j k l", "move the cell cursor"),
    ("PageUp / PageDown", "move the cursor a page of rows"),
    ("Home / End", "first / last column"),
    ("] / [", "next / previous index on the step axis (layer)"),
    ("} / {", "next / previous index on the second stepped axis (variant)"),
    ("x", "choose which stepped axis [ and ] step"),
    ("g", "go to: 'layer 18', 'variant Aux-Loss-Free', 'layer=9, variant=1'"),
    ("z", "zoom: fit the screen <-> one data cell per character (the window follows the cursor)"),
    ("+ / -", "zoom in / out one level (kept across steps)"),
    ("t", "transpose rows and columns"),
    ("a", "choose the two displayed axes"),
    ("m", "metric view: a statistic over an axis (MaxVio over experts...); m again returns to the slice"),
    ("f", "facet: one panel per label, e.g. 'layer=9,18 variant' (empty clears)"),
    ("d", "diff: 'variant=Aux-Loss-Based,Aux-Loss-Free' shows B minus A (d again clears)"),
    ("c / C", "next colormap / reverse the colormap"),
    ("r", "next color range mode (file, global, slice, percentile, log, diverging)"),
    ("u", "token counts: relative load <-> raw counts"),
    ("F", "follow: show new steps as a writer adds them (also --follow)"),
    ("n / p", "next / previous run (file), keeping dataset, selection and cursor"),
    ("o", "sort runs by name or by modified time"),
    ("R", "run table: every run with steps, newest step and a summary of this view; sortable, Enter opens"),
    ("b", "show / hide the run tree"),
    ("tab", "move focus between tree and heatmap; Enter opens a dataset"),
    ("s", "save an SVG screenshot (current directory or --screenshot-dir)"),
    ("E", "the 'heatscope export' command that draws this view: shown and copied to the clipboard"),
    ("ctrl+p", "command palette: open dataset, go to, colormap, range mode, screenshot"),
    ("?", "this help"),
    ("q", "quit"),
]
