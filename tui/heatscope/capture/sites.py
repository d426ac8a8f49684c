"""Where a model's routing decisions can be read: one site per MoE layer.

Hugging Face transformers 5.x: every MoE block hands the experts it selected to its experts
module, ``self.experts(hidden_states, top_k_index, top_k_weights)`` (``router_indices`` for
GPT-OSS). Those indices are the selection the model computes with, whichever code chose
them: the router module in 5.2x (``(router_logits, weights, indices)``), DeepSeek-V2/V3's
``route_tokens_to_experts`` method in 5.0 (no module to hook there), with DeepSeek-V3's
``e_score_correction_bias`` and group-limited top-k applied. So the site is the experts
module, read by a forward pre-hook. Megatron-core: ``TopKRouter`` returns ``(probs,
routing_map)``, the boolean token x expert map after token dropping; its input is
sequence-first ``[seq, batch, hidden]``.

No torch import here: modules are recognized by their class and the module they come from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from heatscope.errors import HeatscopeError

TESTED = ("Mixtral", "OLMoE", "Qwen2-MoE", "Qwen3-MoE", "DeepSeek-V2", "DeepSeek-V3", "GPT-OSS",
          "Megatron-core TopKRouter")
HF_EXPERTS = re.compile(r"(Experts|NaiveMoe)$")
LAYER_NUMBER = re.compile(r"(?:^|\.)(\d+)(?:\.|$)")


@dataclass(frozen=True)
class Site:
    """One MoE layer: the module to hook, how its selection is read, its layer index."""

    name: str  # the module's name in the model, e.g. model.layers.3.mlp.experts
    module: object
    layer: int
    num_experts: int
    style: str  # "indices": a (tokens, k) index tensor given to the experts; "map": a routing map
    token_order: str  # "batch" (rows are batch-major) or "sequence" (Megatron: sequence-major)


def _layer_of(name: str) -> int | None:
    """The layer index in a module name: the last all-digit component (``layers.3.mlp``)."""
    numbers = LAYER_NUMBER.findall(name)
    return int(numbers[-1]) if numbers else None


def _site(name: str, module) -> Site | None:
    cls = type(module)
    origin = cls.__module__
    if origin.startswith("transformers.models.") and HF_EXPERTS.search(cls.__name__):
        experts = getattr(module, "num_experts", None)
        if isinstance(experts, int) and experts > 0:
            return Site(name, module, _layer_of(name), experts, "indices", "batch")
    if origin.startswith("megatron.core.") and cls.__name__ == "TopKRouter":
        return Site(name, module, _layer_of(name), int(module.num_experts), "map", "sequence")
    return None


def find_sites(model) -> list[Site]:
    """Every routing site of ``model`` in layer order; refuses a model without one, a site
    whose name holds no layer index, two sites of one layer, or layers with different numbers
    of experts (one expert axis)."""
    sites = [site for name, module in model.named_modules() if (site := _site(name, module)) is not None]
    model_class = type(model).__name__
    if not sites:
        raise HeatscopeError(f"no MoE router found in {model_class}: heatscope capture reads the routing of "
                             f"{', '.join(TESTED)} (the experts modules of transformers 5.x MoE models, "
                             "Megatron-core's TopKRouter)")
    for site in sites:
        if site.layer is None:
            raise HeatscopeError(f"the MoE module {site.name!r} has no layer index in its name", model_class)
    layers = [site.layer for site in sites]
    if len(set(layers)) != len(layers):
        raise HeatscopeError(f"two MoE modules of one layer ({', '.join(s.name for s in sites)})", model_class)
    experts = sorted({site.num_experts for site in sites})
    if len(experts) > 1:
        raise HeatscopeError(f"the MoE layers have different numbers of experts ({experts})", model_class)
    return sorted(sites, key=lambda site: site.layer)


def dense_layers(model, sites: list[Site]) -> list[int]:
    """The model's layers without a router (DeepSeek's ``first_k_dense_replace`` layers,
    Qwen-MoE's ``mlp_only_layers``), from its config's layer count; [] when it has none."""
    config = getattr(model, "config", None)
    total = getattr(config, "num_hidden_layers", None)
    if not isinstance(total, int):
        return []
    routed = {site.layer for site in sites}
    return [layer for layer in range(total) if layer not in routed]
