"""Colormaps as lookup tables (no textual, no HDF5): the bottom of the drawing stack."""
