"""A notification whose toast mounts after it expired must not spin the event loop.

Textual's ``Toast`` sets its timer to the notification's ``time_left``, which is negative
when the toast is mounted late (a busy machine, a burst of notices); Textual's ``Timer``
with a negative interval loops forever without sleeping (seen: a test stuck for minutes at
100% CPU). The guard gives such a toast a short positive timeout instead.
"""

from __future__ import annotations

from textual.widgets._toast import Toast

MIN_TIMEOUT = 0.05  # seconds: an expired notice still flashes, then goes


def guard_toast_timeouts() -> None:
    """Clamp every toast's timeout to at least ``MIN_TIMEOUT`` (idempotent)."""
    mount = Toast._on_mount
    if getattr(mount, "heatscope_guard", False):
        return

    def _on_mount(self, event) -> None:
        self._timeout = max(self._timeout, MIN_TIMEOUT)
        mount(self, event)

    _on_mount.heatscope_guard = True
    Toast._on_mount = _on_mount
