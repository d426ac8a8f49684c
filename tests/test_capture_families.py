"""heatscope.capture on tiny random-init models of every transformers family it reads: the
counts equal two independent counts of the same forwards, (a) the indices each router module
returned (hooked by the test) and (b) the family's own selection rule re-applied to the
router logits the model returns with output_router_logits, both leaving padding out."""

import h5py
import numpy as np
import pytest

from tests.capture_models import FAMILIES, VOCAB, require, routers, select, tiny_model

torch = require("torch")
require("transformers")


def _batches(seed: int):
    """Two batches with right padding (attention_mask 0) on some rows."""
    g = torch.Generator().manual_seed(seed)
    out = []
    for rows, length, cut in [(3, 9, 4), (2, 6, 1)]:
        ids = torch.randint(3, VOCAB, (rows, length), generator=g)
        mask = torch.ones(rows, length, dtype=torch.long)
        mask[-1, cut:] = 0
        ids[-1, cut:] = 0
        out.append((ids, mask))
    return out


def _independent(family, model, batches):
    """Counts per MoE layer from the routers' returned indices and from the re-applied rule."""
    sites = routers(model)
    returned = {layer: np.zeros(r.num_experts, np.int64) for layer, r in sites}
    rule = {layer: np.zeros(r.num_experts, np.int64) for layer, r in sites}
    seen = {}
    hooks = [r.register_forward_hook(lambda m, a, o, layer=layer: seen.__setitem__(layer, o[2].clone()))
             for layer, r in sites]
    try:
        for ids, mask in batches:
            with torch.no_grad():
                out = model(input_ids=ids, attention_mask=mask, output_router_logits=True)
            keep = mask.reshape(-1).bool()
            for (layer, router), logits in zip(sites, out.router_logits, strict=True):
                returned[layer] += np.bincount(seen[layer][keep].reshape(-1).numpy(), minlength=router.num_experts)
                picked = select(family, router, logits.reshape(-1, router.num_experts))
                rule[layer] += np.bincount(picked[keep].reshape(-1).numpy(), minlength=router.num_experts)
    finally:
        for hook in hooks:
            hook.remove()
    return returned, rule


@pytest.mark.parametrize("family", FAMILIES)
def test_capture_equals_the_routers_selection(family, tmp_path):
    import heatscope

    model = tiny_model(family)
    data = {"alpha": _batches(1), "beta": _batches(2)}
    path = tmp_path / "eval.h5"
    with heatscope.capture(model, path, variant="v0") as cap:
        expected = {}
        for name, batches in data.items():
            with cap.dataset(name):
                expected[name] = _independent(family, model, batches)
    layers = [layer for layer, _ in routers(model)]
    with h5py.File(path, "r") as f:
        counts = f["expert_token_counts"]
        assert [d.label for d in counts.dims] == ["variant", "layer", "dataset", "expert"]
        assert counts.dims[1][0][()].tolist() == layers  # the model's own layer indices
        assert [v.decode() for v in counts.dims[2][0][()]] == ["alpha", "beta"]
        attrs = counts.attrs
        assert attrs["kind"] == "expert_token_counts" and attrs["model_class"] == type(model).__name__
        assert attrs["top_k"] == model.config.num_experts_per_tok
        tokens = sum(int(m.sum()) for _, m in _batches(1))
        assert attrs["tokens"].tolist() == [[tokens, sum(int(m.sum()) for _, m in _batches(2))]]
        data_ = counts[()]
    assert data_.dtype == np.int64
    for d, name in enumerate(data):
        returned, rule = expected[name]
        for i, layer in enumerate(layers):
            assert data_[0, i, d].tolist() == returned[layer].tolist() == rule[layer].tolist(), (family, name, layer)
    assert (data_[0, :, 0].sum(axis=1) == tokens * model.config.num_experts_per_tok).all()


def test_dense_first_layers_are_not_moe_layers(tmp_path):
    import heatscope

    model = tiny_model("deepseek_v3")  # first_k_dense_replace=1
    with heatscope.capture(model, tmp_path / "e.h5") as cap, cap.dataset("x"), torch.no_grad():
        model(input_ids=torch.randint(3, VOCAB, (2, 5)))
    with h5py.File(tmp_path / "e.h5", "r") as f:
        assert f["layer"][()].tolist() == [1, 2]
        assert f["expert_token_counts"].attrs["dense_layers"].tolist() == [0]


def test_deepseek_v3_counts_the_bias_corrected_group_limited_selection(tmp_path):
    """With a strong e_score_correction_bias the selection is not the top-k of the logits:
    the capture follows the bias (experts 4-7 take every token), as the model does."""
    import heatscope

    model = tiny_model("deepseek_v3", seed=3)
    for _, router in routers(model):
        router.e_score_correction_bias.zero_()
        router.e_score_correction_bias[4:8] = 5.0  # group 1 of 4 groups x 4 experts
    ids = torch.randint(3, VOCAB, (4, 8))
    logits_topk = {}
    hooks = [r.register_forward_hook(lambda m, a, o, layer=layer: logits_topk.__setitem__(
        layer, np.bincount(o[0].topk(m.top_k, dim=-1).indices.reshape(-1).numpy(), minlength=16)))
        for layer, r in routers(model)]
    with heatscope.capture(model, tmp_path / "e.h5") as cap, cap.dataset("x"), torch.no_grad():
        model(input_ids=ids)
    for hook in hooks:
        hook.remove()
    with h5py.File(tmp_path / "e.h5", "r") as f:
        counts = f["expert_token_counts"][0, :, 0]
    expected = np.zeros(16, np.int64)
    expected[4:8] = ids.numel()
    for i, layer in enumerate([1, 2]):
        assert counts[i].tolist() == expected.tolist()
        assert logits_topk[layer].tolist() != expected.tolist()  # what top-k of the logits would have said
