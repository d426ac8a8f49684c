"""Where the bundled sample runs live (wheel, source checkout, or a generated cache)."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def bundled_samples_dir() -> Path:
    """The directory of sample runs: shipped in the wheel, the checkout's ``sample_runs/``,
    or (for an install without them) generated once into the user's cache directory."""
    for candidate in (_PACKAGE_DIR / "sample_runs", _PACKAGE_DIR.parent.parent / "sample_runs"):
        if any(candidate.glob("*.h5")):
            return candidate
    from heatscope.samples import write_samples

    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "heatscope" / "sample_runs"
    if not any(cache.glob("*.h5")):
        write_samples(cache)
    return cache
