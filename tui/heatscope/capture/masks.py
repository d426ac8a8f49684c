"""The tokens of one forward pass: which rows a router sees are padding, read once from the
top model's ``attention_mask`` by a forward pre-hook (transformers models take it as a keyword
or as the second positional argument, ``forward(input_ids, attention_mask, ...)``)."""

from __future__ import annotations

import inspect

import torch

from heatscope.errors import HeatscopeError


def _argument(model, name: str, args: tuple, kwargs: dict):
    if name in kwargs:
        return kwargs[name]
    try:
        bound = inspect.signature(model.forward).bind_partial(*args)
    except (TypeError, ValueError):
        return None
    return bound.arguments.get(name)


class ForwardTokens:
    """One top-level forward: its padding mask (``(batch, sequence)``, 0 = padding) and input
    ids, and the per-row weights the routers' rows are counted with, built once per layout."""

    def __init__(self, model, args: tuple, kwargs: dict, padding_only: bool = True) -> None:
        mask = _argument(model, "attention_mask", args, kwargs)
        ids = _argument(model, "input_ids", args, kwargs)
        if mask is not None and (not isinstance(mask, torch.Tensor) or mask.ndim != 2):
            if padding_only:  # transformers: the mask says what is padding, in a shape not read here
                shape = tuple(mask.shape) if isinstance(mask, torch.Tensor) else type(mask).__name__
                raise HeatscopeError(f"attention_mask of shape {shape}: heatscope capture reads a 2-D (batch, "
                                     "sequence) padding mask (0 = padding) to leave padding uncounted")
            mask = None  # Megatron's [batch, 1, seq, seq] mask is the causal mask: no padding in it
        self.mask = None if mask is None else mask != 0
        self.ids = ids if isinstance(ids, torch.Tensor) and ids.ndim == 2 else None
        self.rows: int | None = None  # tokens the first router saw
        self._weights: dict = {}

    def weights(self, rows: int, order: str, device) -> torch.Tensor | None:
        """int64 (rows,): 1 for a token, 0 for padding, in the router's row order ("batch":
        batch-major as transformers flattens, "sequence": Megatron's [seq, batch]); None
        without a mask (every row counts)."""
        if self.mask is None:
            return None
        key = (rows, order, str(device))
        if key not in self._weights:
            batch, length = self.mask.shape
            if rows % batch or rows // batch > length:
                raise HeatscopeError(f"a router saw {rows} tokens, which do not fit the attention_mask of "
                                     f"shape {(batch, length)}")
            mask = self.mask[:, length - rows // batch:]  # with a cache, the mask covers past tokens too
            mask = mask.reshape(-1) if order == "batch" else mask.t().reshape(-1)
            self._weights[key] = mask.to(device=device, dtype=torch.int64)
        return self._weights[key]

    def batch_size(self, rows: int) -> int | None:
        if self.mask is not None:
            return int(self.mask.shape[0])
        return int(self.ids.shape[0]) if self.ids is not None else None
