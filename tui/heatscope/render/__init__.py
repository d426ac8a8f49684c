"""Headless rendering: colormaps, normalization, cell geometry and panels as Rich renderables.

Nothing in this package imports textual; the TUI and ``heatscope export`` share it.
"""
