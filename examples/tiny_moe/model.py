"""A tiny byte-level MoE language model: pre-norm transformer blocks whose feed-forward is a
top-k mixture of experts with sigmoid routing scores (DeepSeek-V3's router). Two ways to keep
experts balanced: an auxiliary loss (``E * sum_i f_i * P_i``), or no loss and a per-expert
bias added to the scores only when choosing experts, nudged after every step towards the
under-loaded experts (auxiliary-loss-free balancing)."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


class MoE(nn.Module):
    def __init__(self, dim: int, hidden: int, experts: int, topk: int) -> None:
        super().__init__()
        self.topk, self.experts = topk, experts
        self.router = nn.Linear(dim, experts, bias=False)
        self.up = nn.Parameter(torch.randn(experts, dim, hidden) * dim ** -0.5)
        self.down = nn.Parameter(torch.randn(experts, hidden, dim) * hidden ** -0.5)
        self.register_buffer("bias", torch.zeros(experts))  # aux-loss-free balancing only
        self.counts = torch.zeros(experts)  # tokens routed per expert in the last forward
        self.aux = torch.zeros(())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        flat = x.reshape(-1, x.shape[-1])
        scores = torch.sigmoid(self.router(flat))
        chosen = torch.topk(scores + self.bias, self.topk, dim=-1).indices
        gates = scores.gather(1, chosen)
        gates = gates / gates.sum(-1, keepdim=True)
        counts = torch.bincount(chosen.reshape(-1), minlength=self.experts)
        self.counts = counts.detach().float()
        fraction = counts.float() / chosen.numel()
        probs = (scores / scores.sum(-1, keepdim=True)).mean(0)
        self.aux = self.experts * (fraction * probs).sum()
        out = torch.zeros_like(flat)
        for expert in range(self.experts):
            token, slot = (chosen == expert).nonzero(as_tuple=True)
            if token.numel():
                h = F.gelu(flat[token] @ self.up[expert]) @ self.down[expert]
                out.index_add_(0, token, h * gates[token, slot, None])
        return out.reshape_as(x)


class Block(nn.Module):
    def __init__(self, dim: int, heads: int, hidden: int, experts: int, topk: int) -> None:
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.moe = MoE(dim, hidden, experts, topk)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        h = self.norm1(x)
        x = x + self.attn(h, h, h, attn_mask=mask, need_weights=False)[0]
        return x + self.moe(self.norm2(x))


class TinyMoE(nn.Module):
    def __init__(self, *, layers=4, dim=96, heads=4, hidden=192, experts=16, topk=2, context=128) -> None:
        super().__init__()
        self.embed = nn.Embedding(256, dim)
        self.position = nn.Parameter(torch.zeros(context, dim))
        self.blocks = nn.ModuleList(Block(dim, heads, hidden, experts, topk) for _ in range(layers))
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, 256, bias=False)
        self.register_buffer("mask", torch.triu(torch.full((context, context), float("-inf")), diagonal=1))

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        n = tokens.shape[1]
        x = self.embed(tokens) + self.position[:n]
        for block in self.blocks:
            x = block(x, self.mask[:n, :n])
        return self.head(self.norm(x))

    def moes(self) -> list[MoE]:
        return [block.moe for block in self.blocks]

    def layer_counts(self) -> torch.Tensor:
        """Tokens per expert of every MoE layer in the last forward: layers x experts."""
        return torch.stack([moe.counts for moe in self.moes()])

    def aux_loss(self) -> torch.Tensor:
        return torch.stack([moe.aux for moe in self.moes()]).mean()

    @torch.no_grad()
    def update_bias(self, rate: float) -> None:
        """Aux-loss-free balancing: raise the bias of under-loaded experts, lower the others'."""
        for moe in self.moes():
            moe.bias += rate * torch.sign(moe.counts.mean() - moe.counts)
