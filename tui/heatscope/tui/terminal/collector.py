"""Full garbage collections between keys, not on them.

Python collects when allocations pass thresholds, that is in the middle of drawing a frame.
Stepping through a 61 x 256 slice at 160x48, 60 keys met ~400 young collections (0.1 ms
each), 36 of the middle generation (~1.5 ms) and 2 full ones (~20 ms each, scanning every
object made since the first frame), landing on random keys. A step leaves no cyclic
garbage (measured: a collection after 30 steps found none; strips, segments and styles die
by reference counting), so only the full collections are worth moving: while the app runs
they happen when no input came for ``IDLE`` seconds, or after ``HELD`` middle collections
when input never pauses (Python's own collection, about every 10 s of a held key).
"""

from __future__ import annotations

import gc
import time

TICK = 0.1  # seconds between checks
IDLE = 0.15  # no input for this long: a due full collection runs now
HELD = 1_000  # middle collections without a full one: Python's own runs anyway


class IdleCollector:
    """Runs due full collections when the user pauses; ``start`` and ``stop`` with the app."""

    def __init__(self) -> None:
        self.last_input = time.monotonic()
        self.collections = 0
        self._thresholds: tuple[int, int, int] | None = None
        self._timer = None

    def start(self, app) -> None:
        self._thresholds = gc.get_threshold()
        gc.set_threshold(self._thresholds[0], self._thresholds[1], HELD)
        self._timer = app.set_interval(TICK, self.tick, name="idle-gc")

    def touch(self) -> None:
        """Input came: no full collection for ``IDLE`` seconds."""
        self.last_input = time.monotonic()

    def tick(self) -> None:
        due = gc.get_count()[2] >= self._thresholds[2]
        if due and time.monotonic() - self.last_input >= IDLE:
            self.collections += 1
            gc.collect()

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._thresholds is not None:
            gc.set_threshold(*self._thresholds)
            self._thresholds = None
