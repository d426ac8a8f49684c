"""The heatscope inspector app and ``create_app``, the factory the CLI and tests share.

The app holds the inspector's state in one model (``tui.model.Inspector``), routes keys to
its intent methods and worker messages to its handlers, applies the outcomes (reads in
thread workers, ``tui.workers``; notices) and hands frames to passive widgets. Modules
not needed for the first frame (stats, scans, modal screens) are imported where they are
used: every millisecond of import delays the first heatmap.
"""

from __future__ import annotations

import asyncio
import gc
import inspect
import os

from rich.markup import escape
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import var

from heatscope.catalog.datasets import DatasetInfo
from heatscope.errors import HeatscopeError
from heatscope.read.session import Session
from heatscope.render.grid import frame_models
from heatscope.render.screen_layout import shows_tree, stats_width
from heatscope.text import safe_text
from heatscope.tui import workers
from heatscope.tui.follow import Follower
from heatscope.tui.heatmap import HeatmapView
from heatscope.tui.inspector_screen import InspectorScreen
from heatscope.tui.key_hints import KeyHints
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
    while_running,
)
from heatscope.tui.model import Inspector, Outcome
from heatscope.tui.options import LaunchOptions
from heatscope.tui.profile_strip import ProfileStrip
from heatscope.tui.range_scans import scan_key
from heatscope.tui.runs import RunBrowser
from heatscope.tui.stats import StatsPanel
from heatscope.tui.stats_view import StatsPresenter
from heatscope.tui.terminal.collector import IdleCollector
from heatscope.tui.terminal.color_filter import widen_filter_cache
from heatscope.tui.terminal.toasts import guard_toast_timeouts
from heatscope.tui.tree import DatasetTree
from heatscope.views.panels import overview_target, read_panels
from heatscope.views.resolve import resolve
from heatscope.views.view_state import ViewState, initial_state

NOTIFY_TAKES_MARKUP = "markup" in inspect.signature(App.notify).parameters
REDRAW_SECONDS = 0.25  # a metric view being computed is redrawn at most this often


def _palette_provider():
    """heatscope's palette entries (imported when the palette first opens)."""
    from heatscope.tui.palette import HeatscopeCommands

    return HeatscopeCommands


class HeatscopeApp(App[int]):
    """Heatmaps of HDF5 tensors with navigation over every axis and a stats panel."""

    TITLE = "heatscope"
    COMMANDS = App.COMMANDS | {_palette_provider}
    CSS = """
    #main { height: 1fr; }
    #center { width: 1fr; }
    #side { width: auto; }
    DatasetTree.-hidden { display: none; }
    """
    BINDINGS = [Binding("q", "quit", "Quit")]  # the inspector's own keys: tui.inspector_screen

    model: var[Inspector] = var(None, init=False, always_update=True)  # the one owner of the state

    def __init__(self, options: LaunchOptions) -> None:
        super().__init__()
        guard_toast_timeouts()  # a late toast of an expired notice spun Textual's timer
        widen_filter_cache(self)  # a heatmap's thousands of cell styles thrashed Textual's filter cache
        self.options = options
        self.session = options.session or Session(options.paths)
        self.set_reactive(HeatscopeApp.model, Inspector(self.session))
        self.mono = options.mono or bool(os.environ.get("NO_COLOR"))
        self.stats = StatsPresenter(self)
        self.runs = RunBrowser(self)
        self.follower = Follower(self)
        self.inspector = InspectorScreen(id="_default")  # the keys; compose fills it
        self.collector = IdleCollector()
        self._frozen = False
        self._last_redraw = 0.0
        self._draw_due = False  # a step's panels are to be drawn (the newest view, once)

    # what tests, the palette and the run table read: the model's
    state = property(lambda self: self.model.state)
    panels = property(lambda self: self.model.panels)
    frame = property(lambda self: self.model.frame)
    following = property(lambda self: self.model.following)

    def get_default_screen(self) -> InspectorScreen:
        return self.inspector

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield DatasetTree(id="tree")
            with Vertical(id="center"):
                yield HeatmapView(id="heatmap")
                yield ProfileStrip(id="profile", classes="-hidden")
            with Vertical(id="side"):  # its own clip: Textual repaints a heatmap step without it
                yield StatsPanel(id="stats")
        yield KeyHints()

    @property
    def heatmap(self) -> HeatmapView:
        return self.query_one(HeatmapView)

    @property
    def key_hints(self) -> KeyHints:
        return self.query_one(KeyHints)

    def on_resize(self, event) -> None:
        width = stats_width(event.size.width)
        for panel in self.query(StatsPanel):
            if panel.styles.width is None or panel.styles.width.value != width:  # a layout pass only if it changes
                panel.styles.width = width

    def on_mount(self) -> None:
        self.collector.start(self)
        if not shows_tree(self.size.width):
            self.query_one(DatasetTree).add_class("-hidden")
        self.query_one(StatsPanel).styles.width = stats_width(self.size.width)
        self.heatmap.focus()
        if self.options.follow:
            self.follower.set(True)
        if self.session.files:  # opened by the command line: no disk access needed here
            self.on_files_opened(FilesOpened(self.session.files))
        else:
            workers.start(self, workers.open_files, group="open")

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):  # full collections wait for a pause in the input
            self.collector.touch()
        await super().on_event(event)

    def on_unmount(self) -> None:
        self.collector.stop()
        self.stats.stop()
        self.workers.cancel_all()
        self.session.close()

    def notify(self, message: str, *, title: str = "", severity="information", timeout=None,
               markup: bool = False) -> None:
        """Every notification shows its text literally and display-safe (run names, labels
        and error text quote files): ``markup`` is ignored, heatscope never uses markup in one."""
        message, title = safe_text(message), safe_text(title)
        if NOTIFY_TAKES_MARKUP:
            super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)
        else:  # textual 3.x reads every message as Rich markup (titles are literal)
            super().notify(escape(message), title=title, severity=severity, timeout=timeout)

    # -- applying what the model decided ------------------------------------------------
    def apply(self, outcome: Outcome) -> None:
        """Carry out an intent's outcome: tell, stack runs, show a view, start workers."""
        if outcome.notice:
            self.notify(outcome.notice, title=outcome.title, severity=outcome.severity, timeout=outcome.timeout)
        if outcome.stack is not None:
            path, order, reduce, then = outcome.stack
            self.key_hints.set_status("stacking runs…")
            workers.start(self, workers.build_stack, self.model.state.slice_key, path, order, reduce, then,
                          group="stack")
        if outcome.view is not None:
            if outcome.fresh:
                self.start_view(outcome.view)
            else:
                self.set_state(outcome.view)
        if outcome.compute:
            workers.start(self, workers.compute_metric, self.model.state, group="reduce")
        if outcome.scan:
            self.call_after_refresh(self._start_scan, self.model.state)

    def start_view(self, state: ViewState) -> None:
        """Show a new dataset (or view of it): read its panels, scan it if not done yet."""
        self._fetch(self.model.start(state))

    def set_state(self, state: ViewState) -> None:
        """Apply a new view; read panels only when what is shown changed."""
        if self.model.move(state):
            self._fetch(self.model.state)  # until the panels arrive, the old frame stays on screen
        else:
            self.refresh_view()

    def _fetch(self, state: ViewState) -> None:
        """Show the panels when they are cached (prefetched), else read them in a worker. A
        new view is drawn at once (in the first frame); a step once the event loop has queued
        the keys that came meanwhile (they reach the app through it), and then the newest
        view: keys that come faster than frames draw once per frame, never once per key."""
        target = overview_target(*self.size)
        hit = read_panels(self.session, state, cached_only=True, target=target)
        if hit is None:
            workers.start(self, workers.load_panels, state, True, target, group="slice")
        elif self.model.panels is None:
            self.on_panels_loaded(PanelsLoaded(state.slice_key, hit, target if state.step_axis is not None else None))
        elif not self._draw_due:
            self._draw_due = True
            asyncio.get_running_loop().call_soon(self.call_later, self._draw_newest, target)

    @while_running
    def _draw_newest(self, target: tuple[int, int]) -> None:
        self._draw_due = False
        state = self.model.state
        hit = read_panels(self.session, state, cached_only=True, target=target)
        if hit is not None:  # else a worker reads it (and posts it)
            self.on_panels_loaded(PanelsLoaded(state.slice_key, hit, target if state.step_axis is not None else None))

    def refresh_view(self) -> None:
        """Redraw the heatmap panels from the model's view and panels."""
        frame = self.model.redraw()
        if frame is None:
            return
        state = frame.state
        self.heatmap.show(frame_models(frame, self.mono), state.cursor, frame.per_row, state.zoom)
        axes = state.info.axes
        second = state.second_step_axis()
        self.key_hints.show_axes(axes[state.step_axis].name if state.step_axis is not None else None,
                                 axes[second].name if second is not None else None)
        self.stats.after_redraw()

    # -- opening ---------------------------------------------------------------------
    @while_running
    def on_files_opened(self, message: FilesOpened) -> None:
        # the tree is filled just after the first heatmap is painted: it is not needed
        # to see the data, and building its nodes would delay that first frame
        self.call_after_refresh(self._fill_tree)
        for error in [f.error for f in message.files if f.error][:5]:
            self.notify(error, title="Cannot open", severity="error")
        try:
            resolved = resolve(self.session, self.options.spec, self.model.run_order())
        except HeatscopeError as exc:
            self.exit(return_code=2, message=f"heatscope: error: {exc}")
            return
        for note in resolved.notes:  # runs left out of a stack
            self.notify(note, title="Runs", severity="warning")
        self.show_view(resolved.state)

    @while_running
    def _fill_tree(self) -> None:
        self.runs.refill_tree()

    def open_dataset(self, file_index: int, info: DatasetInfo, picks=None) -> None:
        """Show ``info`` as it opens by default (the tree, the run table, the palette)."""
        catalog = self.session.files[file_index].catalog
        if catalog is not None:
            info = catalog.detail(info)  # a big file's tree lists datasets before reading them
        self.show_view(initial_state(file_index, info, picks))

    def show_view(self, state: ViewState) -> None:
        """Start showing ``state``: its notes, the newest step when following, the read, and
        the metric's computation when it is a metric view."""
        if self.model.following:
            from heatscope.views.follow import at_newest

            state = at_newest(state)
        for note in state.info.value.notes:  # an unknown colormap or kind, a malformed valid_range...
            self.notify(f"{state.info.display_path}: {note}", title="Note", severity="warning")
        self.heatmap.show_message(f"Reading {state.info.display_path}…")
        self.runs.sync_tree_soon()
        metric = state.info.computed
        self.apply(Outcome(view=state, fresh=True, compute=metric))

    # -- worker results --------------------------------------------------------------
    @while_running
    def on_panels_loaded(self, message: PanelsLoaded) -> None:
        if not self.model.panels_loaded(message.key, message.panels):
            return  # a stale read: the user has moved on
        self.key_hints.set_status("")
        self.refresh_view()
        if message.prefetch is not None:  # the views one key away, once this one is on screen
            self.call_after_refresh(self._prefetch, message.prefetch)
        if not self._frozen:
            # Everything built so far (textual, numpy, h5py, the first frame) lives as long
            # as the app: moving it out of the collector's view cuts full collections from
            # ~70 ms to ~20 ms, which otherwise land on random key presses.
            self._frozen = True
            self.call_after_refresh(gc.freeze)
        if self.model.scan_due():  # after the next paint
            self.call_after_refresh(self._start_scan, self.model.state)

    @while_running
    def _prefetch(self, target: tuple[int, int]) -> None:
        """Read the views one key away (a thread worker: started before the frame, it would
        hold the GIL while the frame is drawn). Not when the view moved on to one being read:
        that read's worker prefetches, and must not be cancelled by this one."""
        if self.model.current_panels() is not None:
            workers.start(self, workers.load_panels, self.model.state, False, target, group="slice")

    @while_running
    def _start_scan(self, state: ViewState) -> None:
        workers.start(self, workers.scan_global, state, group="scan")

    @while_running
    def on_read_progress(self, message: ReadProgress) -> None:
        state = self.model.state
        done = message.fraction >= 1 or state is None or message.key != state.slice_key
        self.key_hints.set_status("" if done else f"reading overview {message.fraction:.0%}")

    @while_running
    def on_load_failed(self, message: LoadFailed) -> None:
        if self.model.following and self.model.panels is not None:  # a torn read mid-write: keep the last frame
            self.notify(f"keeping the last good frame: {message.text}", severity="warning")
            return
        self.heatmap.show_message(message.text)
        self.notify(message.text, title="Cannot read", severity="error")

    @while_running
    def on_scan_progress(self, message: ScanProgress) -> None:
        if self.model.scan_progress(message.key, message.fraction):
            self.stats.schedule()

    @while_running
    def on_scan_finished(self, message: ScanFinished) -> None:
        if self.model.scan_finished(message.key, message.result):
            self.refresh_view()

    @while_running
    def on_reduce_progress(self, message: ReduceProgress) -> None:
        """A metric view fills in: redrawn with the blocks done so far (the rest missing) at
        most every ``REDRAW_SECONDS``, its progress in the key bar."""
        import time

        state = self.model.state
        if state is None or scan_key(state) != message.key:
            return
        if message.fraction < 0:
            self.key_hints.set_status("")
            self.notify(message.error, title="Metric view", severity="error")
            return
        done = message.fraction >= 1.0
        self.key_hints.set_status("" if done else f"reducing {message.fraction:.0%}")
        now = time.monotonic()
        if done:
            self.model.reduction_finished(message.key)
        elif now - self._last_redraw < REDRAW_SECONDS:
            return
        self._last_redraw = now
        self._fetch(state)  # the view's data changed: read its panels again

    @while_running
    def on_stack_ready(self, message: StackReady) -> None:
        self.key_hints.set_status("")
        state = self.model.state
        if state is None or state.slice_key != message.key:
            return
        if message.info is None:
            self.notify(message.error, title="Runs as an axis", severity="error")
            return
        if message.left_out:
            listed = "; ".join(f"{self.session.run_name(i)}: {why}" for i, why in message.left_out[:4])
            more = f" and {len(message.left_out) - 4} more" if len(message.left_out) > 4 else ""
            self.notify(f"left out: {listed}{more}", title="Runs that differ", severity="warning", timeout=8)
        self.apply(self.model.stacked(message.info, message.then))

    @while_running
    def on_run_opened(self, message: RunOpened) -> None:
        self.runs.opened(message)

    @while_running
    def on_file_grew(self, message: FileGrew) -> None:
        outcome = self.model.file_grew(message.file_index)
        if outcome.view is not None:
            self.runs.refill_tree()
        self.apply(outcome)

    @while_running
    def on_spark_ready(self, message: SparkReady) -> None:
        self.stats.spark_ready(message.key, message.label, message.values)

    def run_order(self) -> list[int]:
        return self.model.run_order()

    def scan_note(self) -> str:
        return self.model.scan_note()


def create_app(options: LaunchOptions) -> HeatscopeApp:
    """The one way to build the app, used by the CLI and the tests."""
    return HeatscopeApp(options)
