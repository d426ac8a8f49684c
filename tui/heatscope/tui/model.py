"""The inspector's state and every change to it, without Textual.

``Inspector`` owns what the app shows: the view (``ViewState``), its panels and frame, the
global scans, the scan status, follow mode and the run order. Keys become intent methods
(``step``, ``facet``, ``diff``, ``metric``...) that change the view and return an
``Outcome``: what the app must do about it (read panels, start a worker, tell the user).
The app routes keys and worker messages here and does the I/O; widgets only draw frames.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from heatscope.colors.colormaps import next_in_cycle, reversed_name
from heatscope.errors import HeatscopeError
from heatscope.read.session import Session
from heatscope.read.slices import relative_load_view
from heatscope.tui.range_scans import RangeScans, Scan, scan_key
from heatscope.views import edits
from heatscope.views.flags import names_run_axis
from heatscope.views.frame import Frame, make_frame
from heatscope.views.resolve import remote_range
from heatscope.views.view_state import ViewState


@dataclass(frozen=True)
class Outcome:
    """What an intent asks of the app."""

    view: ViewState | None = None  # the view to show now (its panels are read if needed)
    fresh: bool = False  # a new dataset or view kind: panels and scan status start over
    notice: str = ""
    title: str = ""
    severity: str = "information"
    timeout: float | None = None
    compute: bool = False  # start computing the metric view just shown
    scan: bool = False  # start the global scan of the view
    stack: tuple | None = None  # (path, order, reduce, then): stack the runs, then call ``then(model)``

    @classmethod
    def tell(cls, text: str, title: str = "", severity: str = "information", timeout: float | None = None):
        return cls(notice=text, title=title, severity=severity, timeout=timeout)


NOTHING = Outcome()


class Inspector:
    """The inspector's state (see the module's docstring)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.state: ViewState | None = None
        self.panels: list | None = None  # views.panels.Panel, read for the slice ``panels_key``
        self.panels_key: tuple | None = None
        self.frame: Frame | None = None  # the last drawn frame
        self.ranges = RangeScans()  # global ranges scanned, and the current view's scan
        self.following = False
        self.sort_by_time = False

    # -- what is shown ---------------------------------------------------------------
    def named(self, state: ViewState) -> ViewState:
        """``state`` with its run's name for the titles (and its files pinned open: the
        working set never closes what the view reads)."""
        self.session.pinned = {state.file_index} | ({state.minus_file} if state.minus_file is not None else set())
        run = self.session.title_run(state.file_index, state.info)
        return state if state.run == run else replace(state, run=run)

    def start(self, state: ViewState) -> ViewState:
        """A new dataset or view kind: no panels yet; scanned already, to scan, or remote."""
        state = self.named(state)
        self.panels = None
        remote = self.session.is_remote(state.file_index)  # a global scan would download the file
        self.ranges.begin(state, remote)
        if self.ranges.status is Scan.REMOTE:
            state = remote_range(self.session, state)  # the slice's range until asked (r)
        self.state = state
        return state

    def move(self, state: ViewState) -> bool:
        """Another view of the same kind; True when its panels must be read (the slice changed)."""
        old = self.state
        self.state = self.named(state)
        return old is None or old.slice_key != self.state.slice_key

    def current_panels(self) -> list | None:
        """The panels of the view now: None until its slice is read (a step's old panels are
        kept for the stats meanwhile, but never drawn under the new view's labels)."""
        if self.state is None or self.panels is None or self.panels_key != self.state.slice_key:
            return None
        return self.panels

    def redraw(self) -> Frame | None:
        """The frame of the current view and panels (None until they are read: the last
        frame stays on screen)."""
        if self.current_panels() is None:
            return None
        self.frame = make_frame(self.state, self.panels, self.ranges.result(self.state), self.session.names)
        return self.frame

    def scan_note(self) -> str:
        """The stats panel's note on the color range."""
        return self.ranges.note()

    # -- worker results ----------------------------------------------------------------
    def panels_loaded(self, key: tuple, panels: list) -> bool:
        """Accept panels read for ``key``; False when the user has moved on."""
        if self.state is None or key != self.state.slice_key:
            return False
        self.panels, self.panels_key = panels, key
        return True

    def scan_due(self) -> bool:
        """Whether the global scan should start now (a metric view only once complete)."""
        state = self.state
        if state is None or self.ranges.status is not Scan.PENDING:
            return False
        if not self.session.reduction_complete(state.file_index, state.info):
            return False
        self.ranges.run()
        return True

    def scan_progress(self, key: tuple, fraction: float) -> bool:
        if self.state is None or key != scan_key(self.state):
            return False
        self.ranges.progress(fraction)
        return True

    def scan_finished(self, key: tuple, result) -> bool:
        current = self.state is not None and key == scan_key(self.state)
        self.ranges.finish(key, result, current)
        return current

    def reduction_finished(self, key: tuple) -> None:
        """A metric view finished: the range of its partial result is not its range."""
        self.ranges.forget(key)

    def file_grew(self, file_index: int) -> Outcome:
        """A followed file has new data: the same view of the fresh dataset."""
        from heatscope.views.follow import followed_state

        state = self.state
        if state is None or file_index != state.file_index:
            return NOTHING
        fresh = self.session.files[file_index].catalog.find(state.info.path)
        if fresh is None or not fresh.viewable:
            return Outcome.tell(f"{state.info.display_path} is gone from the file", severity="warning")
        self.ranges.forget(scan_key(state), remote=self.session.is_remote(file_index))
        return Outcome(view=followed_state(state, fresh))

    # -- stepping and drawing --------------------------------------------------------
    def _step(self, axis: int | None, delta: int) -> Outcome:
        if self.state is None:
            return NOTHING
        if axis is None:
            return Outcome.tell("no axis to step: every other axis is displayed or faceted")
        return Outcome(view=self.state.with_selection(self.state.selection.step(axis, delta)))

    def step(self, delta: int) -> Outcome:
        return self._step(self.state.step_axis if self.state else None, delta)

    def step2(self, delta: int) -> Outcome:
        return self._step(self.state.second_step_axis() if self.state else None, delta)

    def transpose(self) -> Outcome:
        return Outcome(view=self.state.transposed()) if self.state is not None else NOTHING

    def zoom(self, delta: int, levels: int) -> Outcome:
        """One zoom level in or out of ``levels`` (kept across steps)."""
        if self.state is None:
            return NOTHING
        level = max(0, min(levels - 1, self.state.zoom + delta))
        if level == self.state.zoom:
            return Outcome.tell("already fitted to the screen" if delta < 0 else "already at the closest zoom",
                                timeout=2)
        return Outcome(view=replace(self.state, zoom=level))

    def toggle_zoom(self, one_to_one: int) -> Outcome:
        """Fit <-> one data cell per character."""
        if self.state is None:
            return NOTHING
        level = 0 if self.state.zoom else one_to_one
        if level == self.state.zoom:
            return Outcome.tell("every cell is already drawn whole", timeout=2)
        return Outcome(view=replace(self.state, zoom=level))

    def set_cmap(self, name: str) -> Outcome:
        return Outcome(view=replace(self.state, cmap=name)) if self.state is not None else NOTHING

    def cycle_cmap(self) -> Outcome:
        return self.set_cmap(next_in_cycle(self.state.cmap, self.state.info.value.colormap)) if self.state else NOTHING

    def reverse_cmap(self) -> Outcome:
        return self.set_cmap(reversed_name(self.state.cmap)) if self.state else NOTHING

    def set_range(self, mode: str, say: bool = False) -> Outcome:
        state = self.state
        if state is None:
            return NOTHING
        if state.differenced:
            return Outcome.tell("a diff is always colored symmetrically around 0")
        new = replace(state, range_mode=mode)
        scan = mode == "global" and self.ranges.status is Scan.REMOTE and not self.ranges.known(state)
        if scan:  # the user chose the global range of a remote file: scan it, with progress
            self.ranges.run()
        notice = "scanning the whole remote dataset for its global range" if scan else \
            (f"color range: {mode}" if say else "")
        return Outcome(view=new, notice=notice, timeout=None if scan else 2, scan=scan)

    def cycle_range(self) -> Outcome:
        if self.state is None:
            return NOTHING
        return self.set_range(self.state.cycle_range().range_mode, say=True)

    def cycle_profile(self) -> Outcome:
        """The profile strip: off -> the cursor's row -> its column -> off."""
        if self.state is None:
            return NOTHING
        modes = [None, "row", "col"]
        return Outcome(view=replace(self.state, profile=modes[(modes.index(self.state.profile) + 1) % len(modes)]))

    def move_cursor(self, cursor: tuple[int, int]) -> bool:
        """The heatmap's cursor moved; True when it is a new cell."""
        if self.state is None or self.state.cursor == cursor:
            return False
        self.state = replace(self.state, cursor=cursor)
        return True

    def toggle_derived(self) -> Outcome:
        state = self.state
        if state is None:
            return NOTHING
        raw = self.session.files[state.file_index].catalog.find(state.info.path)
        if raw is None or relative_load_view(raw) is None:
            return Outcome.tell("only token-count datasets have a relative-load view")
        new = edits.toggled_derived(state, raw)
        return Outcome(view=new, fresh=True, notice="relative load" if new.derived else "raw token counts", timeout=2)

    def display(self, row_axis: int, col_axis: int) -> Outcome:
        if self.state is None:
            return NOTHING
        return Outcome(view=self.state.with_selection(self.state.selection.with_display(row_axis, col_axis)))

    def set_step_axis(self, axis: int) -> Outcome:
        if self.state is None:
            return NOTHING
        return Outcome(view=replace(self.state, step_axis=axis),
                       notice=f"[ and ] now step {self.state.info.axes[axis].name}")

    # -- prompts -----------------------------------------------------------------------
    def goto(self, text: str | None) -> Outcome:
        if not text or self.state is None:
            return NOTHING
        return self._edit("Go to", edits.gone_to, self.state, text)

    def _edit(self, title: str, edit, *args) -> Outcome:
        """The view ``edit(*args)`` makes, or its error told under ``title``."""
        try:
            return Outcome(view=edit(*args))
        except HeatscopeError as exc:
            return Outcome.tell(str(exc), title=title, severity="error")

    def _stack_first(self, text: str | None, then) -> Outcome | None:
        """A prompt naming the run axis in a view of one run: stack the runs first."""
        state = self.state
        if state is not None and state.info.stack is None and len(self.session.files) > 1 and names_run_axis(text):
            return self.stack_runs(then)
        return None

    def facet(self, text: str | None) -> Outcome:
        if text is None or self.state is None:
            return NOTHING
        stacking = self._stack_first(text, lambda model: model.facet(text))
        return stacking or self._edit("Facet", edits.faceted, self.state, text)

    def clear_diff(self) -> Outcome:
        state = self.state
        return Outcome(view=replace(state, diff=None, minus_file=None, cmap=state.info.value.colormap),
                       notice="diff off", timeout=2)

    def diff(self, text: str | None) -> Outcome:
        if not text or self.state is None:
            return NOTHING
        if text.strip().startswith("file="):  # this file minus another open file (run B - run A)
            return self._edit("Diff", edits.minus_file, self.state, self.session, text.strip()[len("file="):].strip())
        stacking = self._stack_first(text, lambda model: model.diff(text))
        return stacking or self._edit("Diff", edits.differenced, self.state, text)

    # -- metric views and runs as an axis ----------------------------------------------
    def metric(self, axis: str, stat: str) -> Outcome:
        """The view of ``stat`` over ``axis`` (at the same labels where they exist); in a
        stack of runs, every run's metric view, stacked."""
        state = self.state
        if state.info.stack is not None:
            if axis.casefold() == "run":
                return Outcome.tell("a metric over the run axis is not drawn; reduce an axis of the runs' data",
                                    title="Metric view", severity="error")
            return Outcome(stack=(state.info.stack.base_path, list(state.info.stack.members), (axis, stat), None))
        outcome = self._edit("Metric view", edits.metric_view, state, edits.raw_info(state, self.session), axis, stat)
        return outcome if outcome.view is None else replace(outcome, fresh=True, compute=True)

    def leave_metric(self) -> Outcome:
        state = self.state
        if state.info.stack is not None:  # the stack of the runs' data itself
            return Outcome(stack=(state.info.stack.base_path, list(state.info.stack.members), None, None))
        return Outcome(view=edits.base_view(state, edits.raw_info(state, self.session)), fresh=True)

    def stack_runs(self, then=None) -> Outcome:
        state = self.state
        if state is None or state.info.stack is not None:
            return NOTHING
        if len(self.session.files) < 2:
            return Outcome.tell("only one run is open")
        reduce = (state.info.reduction.reduced.name, state.info.reduction.stat) if state.info.reduction else None
        base = state.info.reduction.base_path if state.info.reduction else state.info.path
        return Outcome(stack=(base, self.run_order(), reduce, then))

    def stacked(self, info, then) -> Outcome:
        """The runs were stacked: the same labels, drawn axes and cursor, at this run; then
        what was asked (a facet or diff naming the run axis)."""
        stacked = edits.stacked_view(self.state, info)
        compute = stacked.info.computed
        if then is None:
            return Outcome(view=stacked, fresh=True, compute=compute)
        self.start(stacked)
        follow_up = then(self)
        return replace(follow_up, view=follow_up.view or stacked, fresh=True, compute=compute or follow_up.compute)

    def step_runs(self, delta: int) -> Outcome:
        """``n``/``p`` in a stacked view: the next run on the run axis."""
        sel = self.state.selection
        if 0 in sel.displayed:
            return Outcome.tell("the run axis is drawn: every run is on screen")
        return Outcome(view=self.state.with_selection(sel.at(0, (sel.index[0] + delta) % sel.shape[0])))

    # -- runs ----------------------------------------------------------------------------
    def run_order(self) -> list[int]:
        files = self.session.files
        if self.sort_by_time:
            return sorted(range(len(files)), key=lambda i: -(files[i].stamp or (0, 0))[1])
        return self.session.name_order()

    def sort_runs(self) -> Outcome:
        self.sort_by_time = not self.sort_by_time
        return Outcome.tell("runs sorted by modified time (newest first)" if self.sort_by_time else
                            "runs sorted by name", timeout=2)
