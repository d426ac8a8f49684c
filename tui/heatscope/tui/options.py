"""What the command line asked the inspector for (headless: built before textual is imported)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from heatscope.read.session import Session
from heatscope.views.spec import ViewSpec


@dataclass
class LaunchOptions:
    """What the command line asked for: the files, the view to open on, and the app's own flags."""

    paths: list[Path]
    spec: ViewSpec = field(default_factory=ViewSpec)
    screenshot_dir: Path | None = None
    mono: bool = False
    follow: bool = False
    session: Session | None = None  # already opened by the command line's checks
