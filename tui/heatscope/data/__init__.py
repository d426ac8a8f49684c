"""Headless data layer: opening HDF5 files, discovering datasets and axes, lazy slices, stats.

Nothing in this package imports textual; the TUI and the export command both build on it.
"""
