"""heatscope: a terminal inspector for per-layer training tensors stored in HDF5."""

__version__ = "0.1.0"


def __getattr__(name: str):
    """``heatscope.capture``: imported (with torch) only when used."""
    if name == "capture":
        import importlib

        return importlib.import_module("heatscope.capture")
    raise AttributeError(f"module 'heatscope' has no attribute {name!r}")
