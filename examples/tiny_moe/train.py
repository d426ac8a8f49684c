"""Train a tiny MoE language model on CPU twice, with an auxiliary balance loss and with
auxiliary-loss-free bias balancing, logging tokens per expert of every layer at every step
through heatscope's RunWriter; then count, per text domain, which experts each layer routes
held-out text to.

    python examples/tiny_moe/train.py --out runs/   # needs torch (pip install torch==2.13.0)

Writes OUT/tiny_moe_aux_loss.h5 and OUT/tiny_moe_aux_free.h5 (step x layer x expert) and
OUT/tiny_moe_eval.h5 (variant x layer x domain x expert), and prints what the evaluation
shows: how unevenly experts are loaded overall and how much the expert choice depends on the
domain (mutual information between domain and expert, per layer).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from data import DOMAINS, domains  # noqa: E402
from model import TinyMoE  # noqa: E402

from heatscope.samples.writing import add_scale, new_file, write_labelled  # noqa: E402
from heatscope.writer.run_writer import RunWriter  # noqa: E402

VARIANTS = {"aux_loss": "Aux-Loss", "aux_free": "Aux-Loss-Free"}
CONTEXT, BATCH = 128, 24
AUX_COEFF, BIAS_RATE = 0.01, 0.01


def batch(texts: list[bytes], rng: np.random.Generator, size: int) -> torch.Tensor:
    """``size`` windows of CONTEXT + 1 bytes, each from a domain chosen at random."""
    rows = []
    for _ in range(size):
        text = texts[rng.integers(len(texts))]
        start = rng.integers(0, len(text) - CONTEXT - 1)
        rows.append(np.frombuffer(text[start:start + CONTEXT + 1], dtype=np.uint8))
    return torch.from_numpy(np.stack(rows).astype(np.int64))


def train(variant: str, corpus: dict, out: Path, steps: int, seed: int) -> tuple[TinyMoE, float]:
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = TinyMoE(context=CONTEXT)
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.01)
    texts = [train_text for train_text, _ in corpus.values()]
    experts = model.moes()[0].experts
    attrs = {"description": f"tiny MoE LM ({VARIANTS[variant]}), tokens per expert at every training step",
             "default_dataset": "expert_token_counts"}
    started = time.perf_counter()
    with RunWriter(out / f"tiny_moe_{variant}.h5", overwrite=True, attrs=attrs,
                   expert_token_counts={"layer": range(1, len(model.blocks) + 1), "expert": range(experts)}) as run:
        for step in range(steps):
            tokens = batch(texts, rng, BATCH)
            logits = model(tokens[:, :-1])
            loss = F.cross_entropy(logits.reshape(-1, 256), tokens[:, 1:].reshape(-1))
            total = loss + AUX_COEFF * model.aux_loss() if variant == "aux_loss" else loss
            optimizer.zero_grad()
            total.backward()
            optimizer.step()
            if variant == "aux_free":
                model.update_bias(BIAS_RATE)
            run.append(step, expert_token_counts=model.layer_counts().numpy().astype(np.int64))
            if step % 100 == 0 or step == steps - 1:
                print(f"  {variant} step {step}: loss {loss.item():.3f}", flush=True)
    return model, time.perf_counter() - started


@torch.no_grad()
def evaluate(model: TinyMoE, corpus: dict, batches: int, seed: int) -> np.ndarray:
    """layer x domain x expert tokens routed, on held-out text."""
    rng = np.random.default_rng(seed + 1)
    model.eval()
    counts = []
    for _, held_out in corpus.values():
        total = 0
        for _ in range(batches):
            model(batch([held_out], rng, BATCH)[:, :-1])
            total = total + model.layer_counts().numpy()
        counts.append(total)
    model.train()
    return np.stack(counts, axis=1).astype(np.int64)


def mutual_information(counts: np.ndarray) -> float:
    """I(domain; expert) in bits for one layer's domain x expert counts."""
    joint = counts / counts.sum()
    outer = joint.sum(1, keepdims=True) * joint.sum(0, keepdims=True)
    nonzero = joint > 0
    return float((joint[nonzero] * np.log2(joint[nonzero] / outer[nonzero])).sum())


def report(evals: dict[str, np.ndarray]) -> None:
    print("\nheld-out routing (per layer; relative load = load / uniform load):")
    print(f"  {'variant':14} {'layer':>5} {'I(domain;expert) bits':>22} {'max rel. load':>14} {'MaxVio':>7}")
    for variant, counts in evals.items():
        for layer, per_domain in enumerate(counts, start=1):
            overall = per_domain.sum(0)
            rel = per_domain / per_domain.sum(1, keepdims=True) * per_domain.shape[1]
            maxvio = overall.max() / overall.mean() - 1
            print(f"  {VARIANTS[variant]:14} {layer:>5} {mutual_information(per_domain):>22.3f} "
                  f"{rel.max():>14.2f} {maxvio:>7.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("tiny_moe_runs"))
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--eval-batches", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(max(1, min(2, torch.get_num_threads())))
    args.out.mkdir(parents=True, exist_ok=True)
    corpus = domains()
    print("domains: " + ", ".join(f"{name} {(len(a) + len(b)) / 1e6:.1f} MB" for name, (a, b) in corpus.items()))
    evals = {}
    for variant in VARIANTS:
        model, seconds = train(variant, corpus, args.out, args.steps, args.seed)
        print(f"  {variant}: {args.steps} steps in {seconds:.0f} s")
        evals[variant] = evaluate(model, corpus, args.eval_batches, args.seed)
    with new_file(args.out / "tiny_moe_eval.h5") as f:
        f.attrs["description"] = ("tiny MoE LM trained on CPU with an auxiliary loss and aux-loss-free bias "
                                  "balancing: tokens routed per expert on held-out text of each domain")
        f.attrs["default_dataset"] = "expert_token_counts"
        cube = np.stack([evals[v] for v in VARIANTS])
        scales = [add_scale(f, "variant", list(VARIANTS.values())),
                  add_scale(f, "layer", list(range(1, cube.shape[1] + 1))),
                  add_scale(f, "dataset", list(DOMAINS)), add_scale(f, "expert", list(range(cube.shape[3])))]
        write_labelled(f, "expert_token_counts", cube, scales,
                       {"kind": "expert_token_counts", "long_name": "Tokens routed to expert", "units": "tokens"})
    report(evals)
    print(f"\nwrote {', '.join(str(args.out / n) for n in ('tiny_moe_aux_loss.h5', 'tiny_moe_aux_free.h5', 'tiny_moe_eval.h5'))}")


if __name__ == "__main__":
    main()
