"""The app's thread workers: opening files, reading the panels of a view, global scans.

Every HDF5 call runs here, never on the event loop; results come back as messages.
"""

from __future__ import annotations

from textual import work
from textual.worker import get_current_worker

from heatscope.errors import HeatscopeError
from heatscope.tui.messages import (
    FilesOpened,
    LoadFailed,
    PanelsLoaded,
    ReadProgress,
    ScanFinished,
    ScanProgress,
)
from heatscope.views.view_state import ViewState


def scan_key(state: ViewState) -> tuple:
    """Global scans are per file, dataset and view (counts or relative load, a metric)."""
    return (state.file_index, state.info.path, state.info.reduction, state.derived)


class LoadingMixin:
    """Workers of ``HeatscopeApp``; ``self.session`` is the app's Session."""

    @work(thread=True, exit_on_error=False, group="open")
    def open_files(self) -> None:
        self.post_message(FilesOpened(self.session.files or self.session.open_all()))

    @work(thread=True, exclusive=True, exit_on_error=False, group="slice")
    def read_panels(self, state: ViewState, post: bool = True, target: tuple[int, int] | None = None) -> None:
        """Read every panel of ``state`` (cached reads cost nothing), then prefetch the
        neighbours on the step axis so the next ``]`` or ``[`` repaints from memory. The
        overview of a huge slice reports its progress and stops when the view changes."""
        from heatscope.stats.scan import ScanCancelled
        from heatscope.views.panels import read_panels

        worker = get_current_worker()
        key = state.slice_key
        try:
            panels = read_panels(self.session, state, target=target, cancelled=lambda: worker.is_cancelled,
                                 progress=(lambda f: self.post_message(ReadProgress(key, f))) if post else None)
        except ScanCancelled:
            return
        except HeatscopeError as exc:
            self.post_message(LoadFailed(str(exc)))
            return
        except Exception as exc:  # noqa: BLE001 - shown to the user, never a crash
            self.post_message(LoadFailed(f"{state.info.display_path}: cannot read slice ({type(exc).__name__}: {exc})"))
            return
        if post:
            self.post_message(PanelsLoaded(state.slice_key, panels))
        for neighbour in self.neighbours(state):
            if worker.is_cancelled:
                return
            try:
                read_panels(self.session, neighbour, target=target, cancelled=lambda: worker.is_cancelled)
            except Exception:  # noqa: BLE001 - a failed prefetch (or a cancelled one) is retried when stepped to
                return

    def neighbours(self, state: ViewState) -> list[ViewState]:
        """The views one key away: the next and previous index on the step axis, and the
        same view in the next and previous run when those are open already."""
        out = []
        axis = state.step_axis
        for delta in (1, -1) if axis is not None else ():
            sel = state.selection.step(axis, delta)
            if sel != state.selection:
                out.append(state.with_selection(sel))
        files = self.session.files
        if len(files) > 1 and state.info.stack is None and state.info.reduction is None:
            from heatscope.views.carry import carried_over

            order = self.run_order()
            here = order.index(state.file_index)
            for delta in (1, -1):
                index = order[(here + delta) % len(order)]
                catalog = files[index].catalog
                raw = catalog.find(state.info.path) if catalog is not None else None
                if raw is not None and raw.viewable and files[index].handle is not None:
                    try:
                        out.append(carried_over(state, index, raw))
                    except Exception:  # noqa: BLE001 - that run lacks a label: no prefetch
                        continue
        return out

    @work(thread=True, exclusive=True, exit_on_error=False, group="scan")
    def scan_global(self, state: ViewState) -> None:
        from heatscope.stats.scan import ScanCancelled

        key = scan_key(state)
        worker = get_current_worker()
        try:
            result = self.session.scan(
                state.file_index, state.info, state.derived,
                progress=lambda f: self.post_message(ScanProgress(key, f)), cancelled=lambda: worker.is_cancelled,
            )
        except ScanCancelled:
            return
        except Exception as exc:  # noqa: BLE001 - the scan is optional: say so, keep going
            self.post_message(ScanProgress(key, -1.0))
            self.log.warning(f"global scan failed: {exc!r}")
            return
        self.post_message(ScanFinished(key, result))
