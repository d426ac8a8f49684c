"""Three text domains available offline, as bytes: English prose (Python's documentation
topics, shipped with every Python as ``pydoc_data``), code (the standard library's own
sources) and generated arithmetic. Each is split into a training and a held-out part."""

from __future__ import annotations

import random
import sysconfig
from pathlib import Path

DOMAINS = ("Python docs (English)", "stdlib code", "arithmetic")
HELD_OUT = 0.1  # the last tenth of each domain is only evaluated on


def english() -> bytes:
    from pydoc_data.topics import topics

    return "\n\n".join(topics[key] for key in sorted(topics)).encode("utf-8")


def code(limit: int = 3_000_000) -> bytes:
    parts, size = [], 0
    for path in sorted(Path(sysconfig.get_paths()["stdlib"]).glob("*.py")):
        text = path.read_bytes()
        parts.append(text)
        size += len(text)
        if size >= limit:
            break
    return b"\n".join(parts)


def arithmetic(size: int = 1_500_000, seed: int = 0) -> bytes:
    rng = random.Random(seed)
    lines, total = [], 0
    while total < size:
        a, b = rng.randint(0, 9999), rng.randint(0, 9999)
        op = rng.choice("+-*")
        value = a + b if op == "+" else a - b if op == "-" else a * b
        line = f"{a} {op} {b} = {value}\n"
        lines.append(line)
        total += len(line)
    return "".join(lines).encode("ascii")


def domains() -> dict[str, tuple[bytes, bytes]]:
    """``name -> (training bytes, held-out bytes)``."""
    out = {}
    for name, text in zip(DOMAINS, (english(), code(), arithmetic())):
        cut = int(len(text) * (1 - HELD_OUT))
        out[name] = (text[:cut], text[cut:])
    return out
