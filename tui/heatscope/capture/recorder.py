"""Counting the experts a live model selects, on its own device.

One int64 counter per MoE layer lives on the device the routing happens on; every forward
adds its selections with ``index_add_`` (weight 1 per selection, 0 for padding), so nothing
is read back during a forward. ``torch.bincount`` is not used: on CUDA it reads the input's
minimum and maximum back to the host (to check it and size its output), a sync per layer. The counters are copied to the
host once, when a dataset ends, in one transfer.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import torch

from heatscope.capture.masks import ForwardTokens
from heatscope.capture.sites import Site
from heatscope.errors import HeatscopeError


def _indices(site: Site, args: tuple, kwargs: dict) -> torch.Tensor:
    """The (tokens, k) integer expert indices handed to an experts module."""
    for value in (*args[1:], *kwargs.values()):
        if isinstance(value, torch.Tensor) and value.ndim == 2 and not value.is_floating_point() \
                and value.dtype != torch.bool:
            return value
    raise HeatscopeError(f"no (tokens, k) expert indices among the inputs of {type(site.module).__name__}",
                         site.name)


class Recorder:
    """The counters of one dataset at a time, fed by hooks on the routing sites."""

    def __init__(self, sites: list[Site], max_tokens: int = 0) -> None:
        self.sites = sites
        self.max_tokens = max_tokens
        self.top_k: int | None = None
        self.forward: ForwardTokens | None = None
        self.dataset: str | None = None
        self._hf = any(site.style == "indices" for site in sites)  # transformers: a mask is a padding mask
        self._reset()

    def _reset(self) -> None:
        self._counts: list[torch.Tensor | None] = [None] * len(self.sites)
        self._tokens: torch.Tensor | None = None  # non-padding tokens, on the device
        self._unmasked = 0  # tokens of forwards without a mask (known on the host)
        self._sample: torch.Tensor | None = None  # token x layer x slot, -1 = not recorded
        self._sample_ids: torch.Tensor | None = None
        self._offset = 0  # token positions of this dataset seen before the current forward

    # hooks --------------------------------------------------------------------------------

    def begin(self, model, args: tuple, kwargs: dict) -> None:
        if self.dataset is None:
            raise HeatscopeError("a forward pass outside cap.dataset(NAME): say which dataset its tokens "
                                 "belong to, e.g. `with cap.dataset('Github'): model(**batch)`")
        self.forward = ForwardTokens(model, args, kwargs, padding_only=self._hf)

    def end(self) -> None:
        if self.forward is not None and self.forward.rows is not None:
            self._offset += self.forward.rows
        self.forward = None

    def experts_inputs(self, slot: int, args: tuple, kwargs: dict) -> None:
        site = self.sites[slot]
        indices = _indices(site, args, kwargs)
        weights = self._weights(site, indices.shape[0], indices.device)
        self._add(slot, indices, weights)
        self._record_sample(slot, indices, weights, None)

    def router_outputs(self, slot: int, args: tuple, output) -> None:
        site = self.sites[slot]
        routing_map = output[1]  # Megatron-core TopKRouter: (probs, routing_map [tokens, experts])
        weights = self._weights(site, routing_map.shape[0], routing_map.device)
        selected = routing_map.to(torch.int64)
        self.top_k = int(site.module.topk)
        counts = self._counter(slot, routing_map.device)
        counts += (selected if weights is None else selected * weights[:, None]).sum(0)
        if self.max_tokens:
            top = torch.topk(selected, self.top_k, dim=-1)
            indices = torch.where(top.values > 0, top.indices, -1)
            batch = args[0].shape[1] if args and args[0].ndim == 3 else 1  # input: [seq, batch, hidden]
            self._record_sample(slot, indices, weights, batch)

    # counting ---------------------------------------------------------------------------------

    def _weights(self, site: Site, rows: int, device) -> torch.Tensor | None:
        if self.forward is None:
            raise HeatscopeError("a MoE layer ran outside a forward of the captured model: call the model "
                                 "given to heatscope.capture() (its forward carries the attention mask)", site.name)
        first = self.forward.rows is None
        if first:
            self.forward.rows = rows
        weights = self.forward.weights(rows, site.token_order, device)
        if first:
            if weights is None:
                self._unmasked += rows
            else:
                self._tokens = weights.sum() if self._tokens is None else self._tokens + weights.sum()
        return weights

    def _counter(self, slot: int, device) -> torch.Tensor:
        if self._counts[slot] is None:
            self._counts[slot] = torch.zeros(self.sites[slot].num_experts, dtype=torch.int64, device=device)
        return self._counts[slot]

    def _add(self, slot: int, indices: torch.Tensor, weights: torch.Tensor | None) -> None:
        k = int(indices.shape[1])
        if self.top_k is None:
            self.top_k = k
        elif k != self.top_k:
            raise HeatscopeError(f"selects {k} experts per token, an earlier layer {self.top_k}", self.sites[slot].name)
        counts = self._counter(slot, indices.device)
        flat = indices.reshape(-1)
        add = torch.ones_like(flat, dtype=torch.int64) if weights is None else weights.repeat_interleave(k)
        counts.index_add_(0, flat, add)

    def _record_sample(self, slot: int, indices: torch.Tensor, weights, batch: int | None) -> None:
        """The first ``max_tokens`` token positions of the dataset (batch-major), each layer's
        selected experts; padding positions stay -1."""
        n = min(indices.shape[0], self.max_tokens - self._offset)
        if n <= 0:
            return
        if self.sites[slot].token_order == "sequence" and batch:  # [seq, batch] rows -> batch-major
            indices = indices.reshape(-1, batch, indices.shape[1]).transpose(0, 1).reshape(-1, indices.shape[1])
            weights = None if weights is None else weights.reshape(-1, batch).t().reshape(-1)
        if self._sample is None:
            self._sample = torch.full((self.max_tokens, len(self.sites), indices.shape[1]), -1, dtype=torch.int64,
                                      device=indices.device)
        rows = indices[:n].to(device=self._sample.device, dtype=torch.int64)
        if weights is not None:
            rows = torch.where(weights[:n, None].to(self._sample.device) > 0, rows, -1)
        self._sample[self._offset:self._offset + n, slot] = rows
        ids = self.forward.ids
        if slot == 0 and ids is not None:
            if self._sample_ids is None:
                self._sample_ids = torch.full((self.max_tokens,), -1, dtype=torch.int64, device=self._sample.device)
            flat = ids.reshape(-1)[:n].to(device=self._sample.device, dtype=torch.int64)
            if weights is not None:
                flat = torch.where(weights[:n].to(self._sample.device) > 0, flat, -1)
            self._sample_ids[self._offset:self._offset + n] = flat

    # datasets ---------------------------------------------------------------------------------

    @contextmanager
    def running(self, name: str):
        """Count the forwards of the block as dataset ``name``; the counts are kept only if
        the block finishes."""
        if self.dataset is not None:
            raise HeatscopeError(f"cap.dataset({name!r}) inside cap.dataset({self.dataset!r}): one at a time")
        self.dataset = name
        self._reset()
        try:
            yield
        finally:
            self.dataset = None

    def collect(self) -> tuple[np.ndarray, int, np.ndarray | None, np.ndarray | None]:
        """This dataset's counts (layer x expert, -1 for a layer that never ran), tokens counted,
        and the routing sample with its token ids: one copy to the host."""
        if all(c is None for c in self._counts):
            raise HeatscopeError(f"no MoE layer ran in cap.dataset({self.dataset!r}): run the model inside it")
        device = next(c for c in self._counts if c is not None).device
        experts = self.sites[0].num_experts
        parts = [torch.full((experts,), -1, dtype=torch.int64, device=device) if c is None else c.to(device)
                 for c in self._counts]
        parts.append((self._tokens.to(device) if self._tokens is not None else
                      torch.zeros((), dtype=torch.int64, device=device)).reshape(1))
        sizes = [experts * len(self.sites), 1]
        for extra in (self._sample, self._sample_ids):
            if extra is not None:
                parts.append(extra.to(device).reshape(-1))
                sizes.append(extra.numel())
        host = torch.cat([p.reshape(-1) for p in parts]).cpu().numpy()
        pieces = np.split(host, np.cumsum(sizes)[:-1])
        counts = pieces[0].reshape(len(self.sites), experts)
        tokens = int(pieces[1][0]) + self._unmasked
        sample = sample_ids = None
        if self._sample is not None:
            sample = pieces[2].reshape(tuple(self._sample.shape))
            if self._sample_ids is not None:
                sample_ids = pieces[3]
        elif self.max_tokens:
            sample = np.full((self.max_tokens, len(self.sites), self.top_k or 1), -1, dtype=np.int64)
        if sample is not None and sample_ids is None:
            sample_ids = np.full(self.max_tokens, -1, dtype=np.int64)
        return counts, tokens, sample, sample_ids
