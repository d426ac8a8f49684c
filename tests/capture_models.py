"""Tiny random-init MoE models of every family heatscope capture reads, built from their
transformers configs (no download), and each family's own selection rule re-applied to its
router logits, for counting independently of the capture."""

from __future__ import annotations

import os

import pytest


def require(name: str):
    """Import an optional package of the capture tests; skip without it, except in CI
    (HEATSCOPE_REQUIRE_TORCH set), where a missing package fails."""
    if os.environ.get("HEATSCOPE_REQUIRE_TORCH"):
        import importlib

        return importlib.import_module(name)
    return pytest.importorskip(name, reason=f"{name} not installed: pip install '.[test,capture]'")


torch = require("torch")

VOCAB = 96
COMMON = dict(vocab_size=VOCAB, hidden_size=32, num_attention_heads=4, num_key_value_heads=2,
              max_position_embeddings=128, pad_token_id=0, bos_token_id=1, eos_token_id=2)
MLA = dict(COMMON, num_key_value_heads=4)  # DeepSeek's latent attention: one key/value head per head


def _config(family: str):
    import transformers as tf

    if family == "mixtral":
        return tf.MixtralConfig(**COMMON, intermediate_size=32, num_hidden_layers=2, num_local_experts=6,
                                num_experts_per_tok=2)
    if family == "olmoe":
        return tf.OlmoeConfig(**COMMON, intermediate_size=32, num_hidden_layers=2, num_experts=8, num_experts_per_tok=2)
    if family == "qwen2_moe":  # layer 1 dense (mlp_only_layers), a shared expert
        return tf.Qwen2MoeConfig(**COMMON, intermediate_size=32, moe_intermediate_size=16,
                                 shared_expert_intermediate_size=16, num_hidden_layers=3, num_experts=8,
                                 num_experts_per_tok=2, mlp_only_layers=[1])
    if family == "qwen3_moe":
        return tf.Qwen3MoeConfig(**COMMON, intermediate_size=32, moe_intermediate_size=16, num_hidden_layers=2,
                                 num_experts=8, num_experts_per_tok=3, head_dim=8)
    if family == "deepseek_v2":  # group-limited greedy top-k, first layer dense
        return tf.DeepseekV2Config(**MLA, intermediate_size=32, moe_intermediate_size=16, num_hidden_layers=3,
                                   n_routed_experts=8, num_experts_per_tok=2, n_shared_experts=1,
                                   first_k_dense_replace=1, topk_method="group_limited_greedy", n_group=4,
                                   topk_group=2, kv_lora_rank=16, q_lora_rank=None, qk_rope_head_dim=8,
                                   qk_nope_head_dim=8, v_head_dim=8)
    if family == "deepseek_v3":  # sigmoid scores + e_score_correction_bias, group-limited, first layer dense
        return tf.DeepseekV3Config(**MLA, intermediate_size=32, moe_intermediate_size=16, num_hidden_layers=3,
                                   n_routed_experts=16, num_experts_per_tok=4, n_shared_experts=1,
                                   first_k_dense_replace=1, n_group=4, topk_group=2, kv_lora_rank=16, q_lora_rank=24,
                                   qk_rope_head_dim=8, qk_nope_head_dim=8, v_head_dim=8)
    if family == "gpt_oss":
        return tf.GptOssConfig(**COMMON, intermediate_size=32, num_hidden_layers=2, num_local_experts=8,
                               num_experts_per_tok=2, head_dim=8, sliding_window=16,
                               layer_types=["sliding_attention", "full_attention"])
    raise KeyError(family)


FAMILIES = ["mixtral", "olmoe", "qwen2_moe", "qwen3_moe", "deepseek_v2", "deepseek_v3", "gpt_oss"]


def tiny_model(family: str, seed: int = 0):
    from transformers import AutoModelForCausalLM

    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_config(_config(family))
    with torch.no_grad():  # some routers start at zeros: random weights make the selection non-trivial
        for name, param in model.named_parameters():
            if name.endswith(("gate.weight", "router.weight", "router.bias")):
                param.normal_(0.0, 1.0)
    return model.eval()


def routers(model) -> list[tuple[int, torch.nn.Module]]:
    """(layer, router module) of every MoE layer, by the families' class names."""
    out = []
    for name, module in model.named_modules():
        if type(module).__name__.endswith(("TopKRouter", "TopkRouter")):
            out.append((int(name.split(".")[2]), module))
    return out


def select(family: str, router, logits: torch.Tensor) -> torch.Tensor:
    """Each family's selection re-applied to the router logits (tokens x experts)."""
    k = router.top_k
    if family == "gpt_oss":
        return logits.topk(k, dim=-1).indices
    if family == "deepseek_v2":
        scores = logits.float().softmax(-1)
        groups = scores.view(len(scores), router.num_group, -1)
        keep = groups.max(-1).values.topk(router.topk_group, dim=-1).indices
        mask = torch.zeros_like(groups[..., 0]).scatter_(1, keep, 1.0).bool()
        return scores.masked_fill(~mask.repeat_interleave(groups.shape[-1], 1), 0.0).topk(k, dim=-1).indices
    if family == "deepseek_v3":
        choice = logits.float().sigmoid() + router.e_score_correction_bias
        groups = choice.view(len(choice), router.num_group, -1)
        keep = groups.topk(2, dim=-1).values.sum(-1).topk(router.topk_group, dim=-1).indices
        mask = torch.zeros_like(groups[..., 0]).scatter_(1, keep, 1.0).bool()
        return choice.masked_fill(~mask.repeat_interleave(groups.shape[-1], 1), float("-inf")).topk(k, dim=-1).indices
    return logits.float().softmax(-1).topk(k, dim=-1).indices


def model_dir(path, family: str = "mixtral", text: str = "the quick brown fox 123 jumps over 456 lazy dogs\n"):
    """A local model directory as from_pretrained reads it: a tiny model and a BPE tokenizer
    (trained on ``text`` with the ``tokenizers`` library), both saved with save_pretrained."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.train_from_iterator([text] * 4, trainers.BpeTrainer(vocab_size=VOCAB, special_tokens=["<pad>", "<unk>"]))
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", unk_token="<unk>")
    tiny_model(family).save_pretrained(path)
    fast.save_pretrained(path)
    return path
