"""``heatscope capture MODEL_DIR --text NAME=FILE ... -o eval.h5``: run a local Hugging Face
MoE model over text files and write the experts its routers selected, per file.

The model directory is read with ``local_files_only=True`` (config, weights, tokenizer;
never a download). Each text is tokenized whole (no special tokens added), cut to
``--tokens`` and into sequences of ``--seq-len``; the last one is padded and its padding is
masked (not counted)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from heatscope.errors import HeatscopeError
from heatscope.parsing import Parser


def _parser() -> Parser:
    parser = Parser(prog="heatscope capture", description="Count the experts a local MoE model selects per text.")
    parser.add_argument("model", metavar="MODEL_DIR", help="a local model directory (config, weights, tokenizer)")
    parser.add_argument("--text", action="append", required=True, metavar="NAME=FILE",
                        help="a dataset: its name and a UTF-8 text file (repeatable)")
    parser.add_argument("-o", "--output", required=True, metavar="OUT", help="HDF5 file to write (or add a variant to)")
    parser.add_argument("--variant", help="variant label (default: the model directory's name)")
    parser.add_argument("--tokens", type=int, default=100_000, metavar="N", help="tokens per dataset at most (100000)")
    parser.add_argument("--seq-len", type=int, default=512, metavar="L", help="tokens per sequence (512)")
    parser.add_argument("--batch", type=int, default=8, metavar="B", help="sequences per forward (8)")
    parser.add_argument("--device", default="cpu", help="cpu, cuda, cuda:1 ... (cpu)")
    parser.add_argument("--max-tokens", type=int, default=0, metavar="N",
                        help="also record each layer's experts for the first N tokens of each dataset")
    parser.add_argument("--force", action="store_true", help="replace OUT instead of adding a variant to it")
    return parser


def _texts(items: Sequence[str]) -> dict[str, str]:
    texts: dict[str, str] = {}
    for item in items:
        name, sep, file = item.partition("=")
        name = name.strip()
        if not sep or not name or not file:
            raise HeatscopeError("expected NAME=FILE", f"--text {item}")
        if name in texts:
            raise HeatscopeError(f"dataset {name!r} given twice", f"--text {item}")
        path = Path(file)
        if not path.is_file():
            raise HeatscopeError("no such file", str(path))
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise HeatscopeError(f"not UTF-8 text (byte {exc.start})", str(path)) from None
        if not text.strip():
            raise HeatscopeError("empty text: nothing to run the model on", str(path))
        texts[name] = text
    return texts


def _model_dir(raw: str) -> tuple[Path, str]:
    path = Path(raw)
    if not path.is_dir():
        raise HeatscopeError("no such model directory", str(path))
    config = path / "config.json"
    if not config.is_file():
        raise HeatscopeError("no config.json: not a Hugging Face model directory", str(path))
    try:
        model_type = str(json.loads(config.read_text(encoding="utf-8")).get("model_type", ""))
    except (ValueError, UnicodeDecodeError, AttributeError) as exc:
        raise HeatscopeError(f"unreadable config.json ({exc})", str(path)) from None
    return path, model_type


def _load(path: Path, model_type: str, device: str):
    try:
        import torch
        from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer
    except ImportError as exc:
        raise HeatscopeError(f"needs torch and transformers ({exc.name} missing): "
                             "pip install 'heatscope[capture]'") from None
    from transformers.utils import logging

    logging.disable_progress_bar()  # heatscope draws its own, on stderr
    try:
        config = AutoConfig.from_pretrained(path, local_files_only=True)
    except (ValueError, KeyError):
        import transformers

        raise HeatscopeError(f"unknown architecture {model_type!r}: transformers {transformers.__version__} has no "
                             "model of this model_type", str(path)) from None
    try:
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    except (OSError, ValueError, TypeError) as exc:
        raise HeatscopeError(f"no usable tokenizer ({str(exc).splitlines()[0][:160]})", str(path)) from None
    try:
        model = AutoModelForCausalLM.from_pretrained(path, config=config, local_files_only=True)
    except (OSError, ValueError) as exc:
        raise HeatscopeError(f"cannot load the model ({str(exc).splitlines()[0][:160]})", str(path)) from None
    try:
        model = model.to(torch.device(device)).eval()
    except (RuntimeError, AssertionError) as exc:
        raise HeatscopeError(f"device {device!r} unavailable ({str(exc).splitlines()[0][:120]})", "--device") from None
    return model, tokenizer


def batches(ids: list[int], seq_len: int, batch: int, pad: int):
    """(input_ids, attention_mask) batches of ``batch`` sequences of ``seq_len`` tokens; the
    last sequence is padded with ``pad`` and masked."""
    import torch

    rows = [ids[i:i + seq_len] for i in range(0, len(ids), seq_len)]
    for start in range(0, len(rows), batch):
        chunk = rows[start:start + batch]
        input_ids = torch.full((len(chunk), seq_len), pad, dtype=torch.long)
        mask = torch.zeros((len(chunk), seq_len), dtype=torch.long)
        for i, row in enumerate(chunk):
            input_ids[i, :len(row)] = torch.tensor(row, dtype=torch.long)
            mask[i, :len(row)] = 1
        yield input_ids, mask


def run_capture(argv: Sequence[str]) -> int:
    """Parse ``argv``, capture, print what was written and the commands that show it."""
    args = _parser().parse_args(argv)
    for option, value in [("--tokens", args.tokens), ("--seq-len", args.seq_len), ("--batch", args.batch)]:
        if value < 1:
            raise HeatscopeError(f"must be at least 1, got {value}", option)
    path, model_type = _model_dir(args.model)
    texts = _texts(args.text)
    output = Path(args.output)
    from heatscope.importers.output import Progress
    from heatscope.text import safe_text

    model, tokenizer = _load(path, model_type, args.device)
    tokenized = {}
    for name, text in texts.items():
        tokenized[name] = tokenizer(text, add_special_tokens=False)["input_ids"][:args.tokens]
        if not tokenized[name]:
            raise HeatscopeError("the tokenizer made no tokens of it", f"--text {name}")
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    import torch

    from heatscope.capture.session import Capture

    variant = args.variant or path.resolve().name
    device = torch.device(args.device)
    with Capture(model, output, variant, max_tokens=args.max_tokens, overwrite=args.force) as cap:
        total = sum(len(ids) for ids in tokenized.values())
        with Progress(f"capture {variant}", total, unit="tokens") as progress, torch.inference_mode():
            for name, ids in tokenized.items():
                with cap.dataset(name):
                    for input_ids, mask in batches(ids, args.seq_len, args.batch, pad):
                        model(input_ids=input_ids.to(device), attention_mask=mask.to(device))
                        progress.advance(int(mask.sum()))
    for line in cap.written:
        print(f"wrote {safe_text(str(output))}: {safe_text(line)}")
    layers = [site.layer for site in cap.sites]
    print(f"{type(model).__name__}: {len(layers)} MoE layers ({layers[0]}-{layers[-1]}), "
          f"{cap.sites[0].num_experts} experts, top-{cap.top_k}; tokens counted: "
          + ", ".join(f"{safe_text(n)} {count}" for n, count in cap.tokens.items()))
    print(f"show it:    heatscope {safe_text(str(output))}")
    print(f"the figure: heatscope export {safe_text(str(output))} --facet layer={layers[0]}:{layers[-1]} "
          f"--facet variant -o {safe_text(output.with_suffix('.png').name)}")
    return 0
