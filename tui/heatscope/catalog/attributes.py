"""Reading an object's attributes once, safely.

The attribute names are listed with one HDF5 call; values are read only when asked for,
and an attribute h5py cannot read (an odd type written by other software) reads as absent
rather than raising.
"""

from __future__ import annotations

import h5py


class Attributes:
    """The attributes of one HDF5 object: ``name in attrs`` and ``attrs.get(name)``."""

    def __init__(self, obj: h5py.HLObject) -> None:
        try:  # on a damaged object even listing attributes can fail
            self._attrs = obj.attrs
            self.names = frozenset(self._attrs.keys())
        except (OSError, RuntimeError, TypeError, ValueError, KeyError):
            self._attrs, self.names = None, frozenset()

    def __contains__(self, name: str) -> bool:
        return name in self.names

    def get(self, name: str, default=None):
        if name not in self.names:
            return default
        try:
            return self._attrs[name]
        except (OSError, RuntimeError, TypeError, ValueError, KeyError):
            return default
