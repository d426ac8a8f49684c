"""Capture expert load from a live PyTorch model: ``heatscope.capture(model, path, ...)``.

The only part of heatscope that imports torch (and, for ``heatscope capture``, transformers);
``import heatscope`` does not import this package until ``heatscope.capture`` is used. The
package is itself callable, so ``heatscope.capture(model, "eval.h5")`` works whether the name
resolves to this module or to :func:`capture`."""

from __future__ import annotations

import sys
import types


def capture(model, path, variant: str | None = None, *, max_tokens: int = 0, overwrite: bool = False):
    """A :class:`~heatscope.capture.session.Capture` of ``model``'s routing into ``path``."""
    from heatscope.capture.session import Capture

    return Capture(model, path, variant, max_tokens=max_tokens, overwrite=overwrite)


class _CallableModule(types.ModuleType):
    def __call__(self, *args, **kwargs):
        return capture(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
