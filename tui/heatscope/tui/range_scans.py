"""The global color ranges the inspector has scanned, and where the current view's scan stands.

A view colored by its global range needs a scan of the whole dataset, run in a worker after
the view is first drawn. ``RangeScans`` keeps the results per ``scan_key`` and a ``Scan``
status for the view on screen; ``tui.model.Inspector`` moves it through its states.
"""

from __future__ import annotations

import enum

from heatscope.stats.scan import ScanResult
from heatscope.views.view_state import ViewState


class Scan(enum.Enum):
    """Where the global range of the current view stands."""

    DONE = "done"  # scanned (or not needed)
    PENDING = "pending"  # to start once the view is drawn
    RUNNING = "running"
    FAILED = "failed"
    REMOTE = "remote"  # a remote file: scanned only when asked (r)


def scan_key(state: ViewState) -> tuple:
    """Global scans are per file, dataset and view (counts or relative load, a metric)."""
    return (state.file_index, state.info.path, state.info.reduction, state.derived)


class RangeScans:
    """Scan results per ``scan_key`` and the status of the current view's scan."""

    def __init__(self) -> None:
        self.results: dict[tuple, ScanResult | None] = {}
        self.status = Scan.DONE
        self.fraction = 0.0

    def result(self, state: ViewState) -> ScanResult | None:
        return self.results.get(scan_key(state))

    def known(self, state: ViewState) -> bool:
        return scan_key(state) in self.results

    def begin(self, state: ViewState, remote: bool) -> None:
        """A new view: its range is known, to scan once drawn, or (remote) only when asked."""
        self.status = Scan.DONE if self.known(state) else Scan.REMOTE if remote else Scan.PENDING

    def run(self) -> None:
        self.status, self.fraction = Scan.RUNNING, 0.0

    def progress(self, fraction: float) -> None:
        """A worker's progress; a negative fraction means the scan failed."""
        if fraction < 0:
            self.status = Scan.FAILED
        else:
            self.status, self.fraction = Scan.RUNNING, fraction

    def finish(self, key: tuple, result: ScanResult | None, current: bool) -> None:
        self.results[key] = result
        if current:
            self.status = Scan.DONE

    def forget(self, key: tuple, remote: bool = False) -> None:
        """The data changed (a metric view finished, a followed file grew): scan again."""
        self.results.pop(key, None)
        self.status = Scan.REMOTE if remote else Scan.PENDING

    def note(self) -> str:
        """The stats panel's note on the color range."""
        if self.status is Scan.REMOTE:
            return "not scanned (remote)"
        if self.status is Scan.RUNNING:
            return f"global range {self.fraction:.0%}"
        if self.status is Scan.FAILED:
            return "global range failed"
        return "global range pending" if self.status is Scan.PENDING else ""
