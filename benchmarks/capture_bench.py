"""Forward-time cost of heatscope.capture on a mid-size MoE model on CPU.

A random-init Qwen3-MoE (241M parameters: 8 layers, 32 experts, top-4, hidden 512) runs the
same padded batch with and without a capture, alternating, after a warm-up. Prints the
median and the fastest forward of each and their ratios (target < 1.1x), and the time spent
inside the capture's hooks per forward, measured directly (robust on a loaded machine,
where forward times vary by several times between runs).

    python benchmarks/capture_bench.py [--forwards 9] [--batch 4] [--seq-len 256] [--threads 1]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import heatscope
import torch
from transformers import Qwen3MoeConfig, Qwen3MoeForCausalLM


def timed(recorder, spent: list[float]) -> None:
    """Wrap the recorder's hook entry points to add their wall time to ``spent[0]``."""
    for name in ("begin", "end", "experts_inputs"):
        inner = getattr(recorder, name)

        def wrapper(*args, inner=inner):
            started = time.perf_counter()
            try:
                return inner(*args)
            finally:
                spent[0] += time.perf_counter() - started
        setattr(recorder, name, wrapper)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forwards", type=int, default=9)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--seq-len", type=int, default=256)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    config = Qwen3MoeConfig(vocab_size=32000, hidden_size=512, intermediate_size=1024, moe_intermediate_size=512,
                            num_hidden_layers=8, num_attention_heads=8, num_key_value_heads=4, head_dim=64,
                            num_experts=32, num_experts_per_tok=4, max_position_embeddings=1024)
    model = Qwen3MoeForCausalLM(config).eval()
    params = sum(p.numel() for p in model.parameters())
    ids = torch.randint(0, config.vocab_size, (args.batch, args.seq_len))
    mask = torch.ones_like(ids)
    mask[-1, args.seq_len // 2:] = 0
    plain, captured, in_hooks = [], [], []
    with tempfile.TemporaryDirectory() as tmp, torch.inference_mode():
        model(input_ids=ids, attention_mask=mask)  # warm-up
        for _ in range(args.forwards):
            started = time.perf_counter()
            model(input_ids=ids, attention_mask=mask)
            plain.append(time.perf_counter() - started)
            cap = heatscope.capture(model, Path(tmp) / "bench.h5", variant="bench", overwrite=True)
            spent = [0.0]
            timed(cap._recorder, spent)
            with cap.dataset("bench"):
                started = time.perf_counter()
                model(input_ids=ids, attention_mask=mask)
                captured.append(time.perf_counter() - started)
            in_hooks.append(spent[0])
            cap.close()  # the copy to the host and the file: once per dataset, not per forward
    a, b = statistics.median(plain), statistics.median(captured)
    hooks = statistics.median(in_hooks)
    print(f"Qwen3-MoE random init, {params / 1e6:.0f}M parameters, {config.num_hidden_layers} MoE layers x "
          f"{config.num_experts} experts, top-{config.num_experts_per_tok}; batch {args.batch} x {args.seq_len} "
          f"tokens (one row half padding); {torch.get_num_threads()} thread(s), {args.forwards} forwards each")
    print(f"forward without capture: median {a * 1000:.1f} ms, fastest {min(plain) * 1000:.1f} ms")
    print(f"forward with capture:    median {b * 1000:.1f} ms, fastest {min(captured) * 1000:.1f} ms")
    print(f"ratio: median {b / a:.3f}x, fastest {min(captured) / min(plain):.3f}x (target < 1.1x)")
    print(f"inside the hooks: median {hooks * 1000:.2f} ms per forward = {hooks / min(plain) * 100:.2f} % of the "
          f"fastest plain forward, i.e. {1 + hooks / min(plain):.4f}x")


if __name__ == "__main__":
    main()
