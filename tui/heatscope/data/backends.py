"""Which library an HDF5 object comes from: h5py (local files, fsspec file objects) or
h5pyd (HSDS domains, ``data.hsds``). Kept apart so the catalog can ask without importing
the remote modules."""

from __future__ import annotations


def is_hsds(obj: object) -> bool:
    """An h5pyd object (file, group, dataset) rather than an h5py one."""
    return type(obj).__module__.startswith("h5pyd")
