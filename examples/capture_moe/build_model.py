"""A small MoE model directory made locally: a random-init Qwen3-MoE (4 layers, 16 experts,
top-2) and a byte-level BPE tokenizer trained with the ``tokenizers`` library on the given
texts, both saved with ``save_pretrained`` so ``from_pretrained(..., local_files_only=True)``
(and ``heatscope capture``) load them like any Hugging Face checkpoint."""

from __future__ import annotations

from pathlib import Path

VOCAB = 512


def tokenizer(texts: list[str]):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=VOCAB, special_tokens=["<pad>", "<unk>", "<eos>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(texts, trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", unk_token="<unk>", eos_token="<eos>")


def build(out: Path, texts: list[str], seed: int = 0, hidden: int = 128, layers: int = 4, experts: int = 16,
          top_k: int = 2) -> Path:
    """Save a random-init Qwen3-MoE and a tokenizer for ``texts`` in ``out``."""
    import torch
    from transformers import Qwen3MoeConfig, Qwen3MoeForCausalLM

    tok = tokenizer(texts)
    config = Qwen3MoeConfig(vocab_size=len(tok), hidden_size=hidden, intermediate_size=2 * hidden,
                            moe_intermediate_size=hidden // 2, num_hidden_layers=layers, num_attention_heads=4,
                            num_key_value_heads=2, head_dim=hidden // 4, num_experts=experts,
                            num_experts_per_tok=top_k, max_position_embeddings=1024,
                            pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id, bos_token_id=None)
    torch.manual_seed(seed)
    model = Qwen3MoeForCausalLM(config)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    tok.save_pretrained(out)
    return out
