"""Descriptive, filesystem-safe screenshot file names."""

from __future__ import annotations

import re
from datetime import datetime


def screenshot_name(file_stem: str, title: str, when: datetime | None = None) -> str:
    """``heatscope_expert_load_Aux-Loss-Free_Layer_9_20261123-104500.svg``."""
    stamp = (when or datetime.now()).strftime("%Y%m%d-%H%M%S")
    parts = [p for p in ("heatscope", file_stem, title, stamp) if p]
    name = "_".join(parts)
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_")
    return name[:180] + ".svg"
