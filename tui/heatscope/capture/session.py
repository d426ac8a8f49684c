"""``heatscope.capture(model, path, variant=...)``: hooks on a live model's routing sites
that count the experts it selects, per dataset, written to ``path`` on close."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from heatscope.capture.recorder import Recorder
from heatscope.capture.sites import dense_layers, find_sites
from heatscope.capture.store import Layout, Variant, check_fits, check_output, read_capture, write_capture
from heatscope.errors import HeatscopeError


def _default_variant(model) -> str:
    name = str(getattr(getattr(model, "config", None), "name_or_path", "") or "").rstrip("/\\")
    return os.path.basename(name) or type(model).__name__


class Capture:
    """Counts, per dataset, the experts every MoE layer of ``model`` selects.

        cap = heatscope.capture(model, "eval.h5", variant="aux-free")
        with cap.dataset("Github"):
            model(**batch)  # any number of forwards; padding (attention_mask == 0) is not counted
        cap.close()  # writes eval.h5; or `with heatscope.capture(...) as cap:`

    The attention mask reaches the counters through a forward pre-hook on ``model`` (so call
    ``model`` itself, not one of its submodules); ``max_tokens`` also records the experts of
    the first ``max_tokens`` token positions of each dataset. Hooks are removed on close, and
    when the ``with`` block raises (then nothing is written)."""

    def __init__(self, model, path, variant: str | None = None, *, max_tokens: int = 0,
                 overwrite: bool = False) -> None:
        if max_tokens < 0:
            raise HeatscopeError(f"max_tokens must be 0 or more, got {max_tokens}")
        self.path = Path(path)
        self.variant = str(variant) if variant is not None else _default_variant(model)
        self.sites = find_sites(model)
        self.model_class = type(model).__name__
        self.dense = dense_layers(model, self.sites)
        self._overwrite = overwrite  # the file is replaced on close, not before
        check_output(self.path, overwrite)
        if not overwrite:
            check_fits(self.path, self._layout(None, max_tokens), self.variant, read_capture(self.path))
        self._recorder = Recorder(self.sites, max_tokens)
        self._results: dict[str, tuple] = {}
        self.written: list[str] = []  # what close() wrote, as "name: axis=n x ..."
        self._handles = [
            model.register_forward_pre_hook(lambda m, a, k: self._recorder.begin(m, a, k), with_kwargs=True),
            model.register_forward_hook(lambda m, a, o: self._recorder.end(), always_call=True),
        ]
        for slot, site in enumerate(self.sites):
            if site.style == "indices":
                self._handles.append(site.module.register_forward_pre_hook(
                    lambda m, a, k, slot=slot: self._recorder.experts_inputs(slot, a, k), with_kwargs=True))
            else:
                self._handles.append(site.module.register_forward_hook(
                    lambda m, a, o, slot=slot: self._recorder.router_outputs(slot, a, o)))

    def _layout(self, top_k, max_tokens: int) -> Layout:
        return Layout(self.model_class, [s.layer for s in self.sites], self.sites[0].num_experts, top_k, max_tokens)

    @property
    def closed(self) -> bool:
        return not self._handles

    @contextmanager
    def dataset(self, name: str):
        """Count the forwards run in the block as dataset ``name`` (again: added to it)."""
        if self.closed:
            raise HeatscopeError("this capture is closed")
        with self._recorder.running(str(name)):
            yield self
            counts, tokens, sample, ids = self._recorder.collect()
        if name in self._results:
            old = self._results[name]
            counts = np.where((old[0] < 0) | (counts < 0), -1, old[0] + counts)
            tokens += old[1]
            sample, ids = old[2], old[3]  # the first positions were recorded the first time
        self._results[name] = (counts, tokens, sample, ids)

    def remove_hooks(self) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def close(self) -> list[str]:
        """Remove the hooks and write the file; returns what was written."""
        was_open = not self.closed
        self.remove_hooks()
        if not was_open:
            return []
        if not self._results:
            raise HeatscopeError("nothing captured: run the model inside `with cap.dataset(NAME):`", str(self.path))
        names = list(self._results)
        parts = list(zip(*(self._results[n] for n in names), strict=True))
        sample = None if parts[2][0] is None else np.stack(parts[2])
        variant = Variant(self.variant, names, np.stack(parts[0], axis=1), np.asarray(parts[1], dtype=np.int64),
                          sample, None if sample is None else np.stack(parts[3]))
        layout = self._layout(self._recorder.top_k, self._recorder.max_tokens)
        self.written = write_capture(self.path, layout, variant, self.dense, replace=self._overwrite)
        return self.written

    @property
    def tokens(self) -> dict[str, int]:
        """Tokens counted per dataset so far (padding excluded)."""
        return {name: int(result[1]) for name, result in self._results.items()}

    @property
    def top_k(self) -> int | None:
        """Experts selected per token (known after the first forward)."""
        return self._recorder.top_k

    def __enter__(self) -> Capture:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.remove_hooks()
