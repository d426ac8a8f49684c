"""heatscope: a terminal inspector for per-layer training tensors stored in HDF5."""

__version__ = "0.1.0"
