"""heatscope.capture on Megatron-core's TopKRouter (megatron-core 0.16, CPU).

What runs on CPU: building TopKRouter (use_cpu_initialization, no expert bias: the bias
buffers are allocated with torch.cuda.current_device()) and its routing. What does not:
TopKRouter.forward, whose gating moves the weight to torch.cuda.current_device() and whose
router_gating_linear names te_general_gemm, defined only when Transformer Engine imports
(NameError without it). The test points those two at the CPU (monkeypatch); the routing,
top-k and routing map are Megatron's own code. Routers sit where Megatron puts them,
``decoder.layers.N.mlp.router``, and see sequence-first ``[seq, batch, hidden]`` input."""

import warnings

import h5py
import numpy as np

from tests.capture_models import require

torch = require("torch")
require("megatron.core")


def _model(monkeypatch, layers=3, experts=8, topk=2):
    from megatron.core.process_groups_config import ProcessGroupCollection
    from megatron.core.transformer.moe import moe_utils
    from megatron.core.transformer.moe.router import TopKRouter
    from megatron.core.transformer.transformer_config import TransformerConfig

    monkeypatch.setattr(torch.cuda, "current_device", lambda: "cpu")
    monkeypatch.setattr(moe_utils, "te_general_gemm", None, raising=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        config = TransformerConfig(num_layers=layers, hidden_size=32, num_attention_heads=4, num_moe_experts=experts,
                                   moe_router_topk=topk, use_cpu_initialization=True, add_bias_linear=False,
                                   moe_router_load_balancing_type="none")
    groups = ProcessGroupCollection(tp=None, cp=None, tp_cp=None, tp_dp_cp=None)
    torch.manual_seed(0)

    class Layer(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.mlp = torch.nn.Module()
            self.mlp.router = TopKRouter(config, pg_collection=groups)

    class Decoder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.decoder = torch.nn.Module()
            self.decoder.layers = torch.nn.ModuleList(Layer() for _ in range(layers))

        def forward(self, hidden, attention_mask=None):  # hidden: [seq, batch, hidden]
            outs = []
            for layer in self.decoder.layers:
                outs.append(layer.mlp.router(hidden))
                hidden = torch.tanh(hidden * 1.3)
            return outs

    return Decoder().eval()


def test_megatron_topk_router_counts_equal_its_routing_map(tmp_path, monkeypatch):
    import heatscope

    model = _model(monkeypatch)
    hidden = torch.randn(6, 3, 32)  # seq 6 x batch 3
    mask = torch.ones(3, 6, dtype=torch.long)
    mask[2, 2:] = 0  # batch row 2: 2 tokens, then padding
    with heatscope.capture(model, tmp_path / "m.h5", variant="mcore", max_tokens=18) as cap, cap.dataset("x"):
        with torch.no_grad():
            outs = model(hidden, attention_mask=mask)
    keep = mask.t().reshape(-1).bool()  # Megatron's rows are sequence-major
    with h5py.File(tmp_path / "m.h5", "r") as f:
        counts = f["expert_token_counts"][0, :, 0]
        assert f["layer"][()].tolist() == [0, 1, 2]
        assert f["expert_token_counts"].attrs["model_class"] == "Decoder"
        assert f["expert_token_counts"].attrs["tokens"].tolist() == [[14]]
        sample = f["routing_sample"][0, 0]
    x = hidden
    for i, (_, routing_map) in enumerate(outs):
        assert counts[i].tolist() == routing_map[keep].sum(0).tolist()
        router = model.decoder.layers[i].mlp.router
        logits = x.reshape(-1, 32) @ router.weight.t()
        own = logits.softmax(-1).topk(2, dim=-1).indices[keep]  # independent: top-2 of the softmax
        assert counts[i].tolist() == np.bincount(own.reshape(-1).numpy(), minlength=8).tolist()
        x = torch.tanh(x * 1.3)
        grid = routing_map.reshape(6, 3, 8)  # seq x batch x expert
        for position, (s, b) in {0: (0, 0), 7: (1, 1), 13: (1, 2)}.items():  # the sample is batch-major
            assert sorted(sample[position, i].tolist()) == torch.nonzero(grid[s, b]).reshape(-1).tolist()
        assert sample[14:18, i].tolist() == [[-1, -1]] * 4  # batch row 2's padding
    assert counts.sum(axis=1).tolist() == [14 * 2] * 3


def test_megatron_causal_mask_counts_every_token(tmp_path, monkeypatch):
    """Megatron's [batch, 1, seq, seq] attention mask is the causal mask, not padding."""
    import heatscope

    model = _model(monkeypatch, layers=1)
    causal = torch.triu(torch.ones(6, 6, dtype=torch.bool), 1).expand(3, 1, 6, 6)
    with heatscope.capture(model, tmp_path / "m.h5") as cap, cap.dataset("x"), torch.no_grad():
        model(torch.randn(6, 3, 32), attention_mask=causal)
    with h5py.File(tmp_path / "m.h5", "r") as f:
        assert f["expert_token_counts"][0, 0, 0].sum() == 18 * 2
