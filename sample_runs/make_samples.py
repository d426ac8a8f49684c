"""Regenerate the bundled sample runs: python sample_runs/make_samples.py [OUTDIR]."""

from __future__ import annotations

import sys
from pathlib import Path

from heatscope.samples import write_samples

if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent
    for path in write_samples(out):
        print(path)
