"""Capture expert load from a Hugging Face MoE model over three text domains, end to end:

    python examples/capture_moe/run.py --out capture_runs   # needs pip install '.[capture]'

Builds two small random-init Qwen3-MoE checkpoints (seeds 0 and 1, one tokenizer) in
OUT/model-seed0 and OUT/model-seed1, writes held-out text of the tiny_moe example's three
domains (English prose, Python code, arithmetic; from the Python installation) to
OUT/texts/, and runs ``heatscope capture`` on each checkpoint into OUT/eval.h5 (variant
axis: seed0, seed1), then prints the commands that show it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tiny_moe"))
sys.path.insert(0, str(HERE))
from build_model import build  # noqa: E402
from data import domains  # noqa: E402
from heatscope.cli import main as heatscope  # noqa: E402

FILES = {"Python docs (English)": "english.txt", "stdlib code": "code.txt", "arithmetic": "arithmetic.txt"}


def write_texts(out: Path, size: int) -> dict[str, Path]:
    """The held-out part of each domain, ``size`` characters at most, as UTF-8 files."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, (_, held_out) in domains().items():
        paths[name] = out / FILES[name]
        paths[name].write_text(held_out.decode("utf-8", errors="replace")[:size], encoding="utf-8")
    return paths


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("capture_runs"))
    parser.add_argument("--tokens", type=int, default=20_000, help="tokens per domain (20000)")
    args = parser.parse_args()
    started = time.perf_counter()
    texts = write_texts(args.out / "texts", size=8 * args.tokens)
    corpus = [path.read_text(encoding="utf-8") for path in texts.values()]
    output = args.out / "eval.h5"
    for seed in (0, 1):
        model_dir = build(args.out / f"model-seed{seed}", corpus, seed=seed)
        argv = ["capture", str(model_dir), *[f"--text={n}={p}" for n, p in texts.items()], "-o", str(output),
                "--variant", f"seed{seed}", "--tokens", str(args.tokens), "--seq-len", "256", "--batch", "8",
                "--max-tokens", "256"]
        if seed == 0:
            argv.append("--force")
        status = heatscope(argv)
        if status:
            return status
    print(f"example done in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
