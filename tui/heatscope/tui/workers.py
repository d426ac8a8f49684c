"""The inspector's thread workers: every HDF5 call runs here, never on the event loop, and
each result comes back to the app as a message (``tui.messages``).

Each function is run by ``start`` in a thread worker of its own group; an exclusive group
cancels the previous job of that group (a stale read, scan or reduction).
"""

from __future__ import annotations

from functools import partial

from textual.worker import get_current_worker

from heatscope.errors import HeatscopeError
from heatscope.stats.scan import ScanCancelled
from heatscope.tui.messages import (
    FileGrew,
    FilesOpened,
    LoadFailed,
    PanelsLoaded,
    ReadProgress,
    ReduceProgress,
    RunOpened,
    ScanFinished,
    ScanProgress,
    SparkReady,
    StackReady,
)
from heatscope.tui.range_scans import scan_key
from heatscope.views.carry import carried_over
from heatscope.views.panels import read_panels
from heatscope.views.view_state import ViewState

REMOTE_SPARK_LIMIT = 1 << 18  # values a remote file's sparkline may read (1 MB of float32)
EXCLUSIVE = {"slice", "scan", "reduce", "stack", "open-run", "follow", "spark"}


def start(app, job, *args, group: str) -> None:
    """Run ``job(app, *args)`` in a thread worker of ``group``."""
    app.run_worker(partial(job, app, *args), thread=True, exclusive=group in EXCLUSIVE, group=group,
                   exit_on_error=False)


def _cancelled():
    worker = get_current_worker()
    return lambda: worker.is_cancelled


def open_files(app) -> None:
    app.post_message(FilesOpened(app.session.files or app.session.open_all()))


def load_panels(app, state: ViewState, post: bool, target) -> None:
    """Read every panel of ``state`` (cached reads cost nothing), then prefetch the views one
    key away so the next ``]``, ``[``, ``n`` or ``p`` repaints from memory. The overview of a
    huge slice reports its progress and stops when the view changes."""
    cancelled = _cancelled()
    key = state.slice_key
    try:
        panels = read_panels(app.session, state, target=target, cancelled=cancelled,
                             progress=(lambda f: app.post_message(ReadProgress(key, f))) if post else None)
    except ScanCancelled:
        return
    except HeatscopeError as exc:
        app.post_message(LoadFailed(str(exc)))
        return
    except Exception as exc:  # noqa: BLE001 - shown to the user, never a crash
        app.post_message(LoadFailed(f"{state.info.display_path}: cannot read slice ({type(exc).__name__}: {exc})"))
        return
    if post:
        app.post_message(PanelsLoaded(key, panels))
    for neighbour in neighbours(app.model, state):
        if cancelled():
            return
        try:
            read_panels(app.session, neighbour, target=target, cancelled=cancelled)
        except Exception:  # noqa: BLE001 - a failed prefetch (or a cancelled one) is retried when stepped to
            return


def neighbours(model, state: ViewState) -> list[ViewState]:
    """The views one key away: the next and previous index on the step axis, and the same
    view in the next and previous run when those are open already."""
    out = []
    axis = state.step_axis
    for delta in (1, -1) if axis is not None else ():
        sel = state.selection.step(axis, delta)
        if sel != state.selection:
            out.append(state.with_selection(sel))
    files = model.session.files
    if len(files) > 1 and state.info.stack is None and state.info.reduction is None:
        order = model.run_order()
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


def scan_global(app, state: ViewState) -> None:
    key = scan_key(state)
    try:
        result = app.session.scan(state.file_index, state.info, state.derived,
                                  progress=lambda f: app.post_message(ScanProgress(key, f)), cancelled=_cancelled())
    except ScanCancelled:
        return
    except Exception as exc:  # noqa: BLE001 - the scan is optional: say so, keep going
        app.post_message(ScanProgress(key, -1.0))
        app.log.warning(f"global scan failed: {exc!r}")
        return
    app.post_message(ScanFinished(key, result))


def compute_metric(app, state: ViewState) -> None:
    key = scan_key(state)
    try:
        app.session.compute_reduction(state.file_index, state.info, cancelled=_cancelled(),
                                      progress=lambda f: app.post_message(ReduceProgress(key, min(f, 0.999))))
    except ScanCancelled:
        return
    except Exception as exc:  # noqa: BLE001 - shown to the user, never a crash
        app.post_message(ReduceProgress(key, -1.0, f"{type(exc).__name__}: {exc}"))
        return
    app.post_message(ReduceProgress(key, 1.0))


def build_stack(app, key: tuple, path: str, order: list[int], reduce, then) -> None:
    try:
        info, left_out = app.session.stack(path, order, reduce)
    except HeatscopeError as exc:
        app.post_message(StackReady(key, None, [], then, str(exc)))
        return
    app.post_message(StackReady(key, info, left_out, then))


def open_run(app, candidates: list[int], show: bool, skipped: tuple[int, ...] = ()) -> None:
    """Open candidates in turn until one has something to show; the others are skipped."""
    passed = list(skipped)
    for index in candidates:
        app.session.ensure_open(index)
        if app.runs.showable(index) or not show:
            app.post_message(RunOpened(index, show, tuple(passed)))
            return
        passed.append(index)
    app.post_message(RunOpened(None, show, tuple(passed)))


def check_growth(app, file_index: int) -> None:
    try:
        changed = app.session.refresh(file_index)
    except Exception as exc:  # noqa: BLE001 - a writer mid-flush: try again next poll
        app.log.warning(f"follow: {exc!r}")
        return
    if changed:
        app.post_message(FileGrew(file_index))


def read_spark(app, state: ViewState, row: int, key: tuple) -> None:
    from heatscope.read.row_along import LIMIT, row_metric_along, row_metric_name

    info, sel, axis = state.info, state.selection, state.step_axis
    try:
        raw = app.session.files[state.file_index].catalog.find(info.path)
        limit = REMOTE_SPARK_LIMIT if app.session.is_remote(state.file_index) else LIMIT
        values = row_metric_along(app.session.dataset(state.file_index, raw), raw, sel, row, axis,
                                  state.derived, cancelled=_cancelled(), limit=limit)
    except Exception:  # noqa: BLE001 - a sparkline is a nicety: none rather than an error
        values = None
    name = {"maxvio": "MaxVio", "mean": "mean"}[row_metric_name(info, sel)]
    app.post_message(SparkReady(key, f"{name} by {info.axes[axis].name}", values))
