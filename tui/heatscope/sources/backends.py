"""Where a run comes from: a local path or a remote one (``data.remote``, ``data.hsds``),
and which library its HDF5 objects come from: h5py (local files, fsspec file objects) or
h5pyd (HSDS domains). Kept apart so the catalog, the session and the run names can ask
without importing the remote modules."""

from __future__ import annotations


def is_remote(path: object) -> bool:
    """A ``RemotePath`` (or ``HsdsPath``): a run behind a URL, not a local path."""
    return getattr(path, "url", None) is not None


def is_hsds(obj: object) -> bool:
    """An h5pyd object (file, group, dataset) rather than an h5py one."""
    return type(obj).__module__.startswith("h5pyd")
