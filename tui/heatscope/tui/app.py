"""The heatscope inspector app and ``create_app``, the factory the CLI and tests share.

All HDF5 I/O runs in thread workers (``loading.py``) that post messages back, so keys never
wait on disk. Modules not needed for the first frame (stats, scans, modal screens) are
imported where they are used: every millisecond of import delays the first heatmap.
"""

from __future__ import annotations

import gc
import os
from dataclasses import replace

from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical

from heatscope.catalog.datasets import DatasetInfo
from heatscope.errors import HeatscopeError
from heatscope.read.session import Session
from heatscope.render.grid import frame_models
from heatscope.render.screen_layout import shows_tree, stats_width
from heatscope.text import safe_text
from heatscope.tui.actions import ActionsMixin
from heatscope.tui.collector import IdleCollector
from heatscope.tui.color_filter import widen_filter_cache
from heatscope.tui.follow import FollowMixin
from heatscope.tui.heatmap import HeatmapView
from heatscope.tui.key_hints import KeyHints
from heatscope.tui.loading import LoadingMixin, scan_key
from heatscope.tui.messages import (
    FilesOpened,
    LoadFailed,
    PanelsLoaded,
    ReadProgress,
    ScanFinished,
    ScanProgress,
    WorkerUpdate,
    while_running,
)
from heatscope.tui.metric_views import MetricViewsMixin
from heatscope.tui.options import LaunchOptions
from heatscope.tui.profile_strip import ProfileStrip
from heatscope.tui.run_axis import RunAxisMixin
from heatscope.tui.runs import RunsMixin
from heatscope.tui.spark import SparkMixin
from heatscope.tui.stats import StatsPanel
from heatscope.tui.stats_view import StatsViewMixin
from heatscope.tui.tree import DatasetTree
from heatscope.views.frame import make_frame
from heatscope.views.panels import overview_target, read_panels
from heatscope.views.resolve import remote_range, resolve
from heatscope.views.view_state import ViewState, initial_state


def _palette_provider():
    """heatscope's palette entries (imported when the palette first opens)."""
    from heatscope.tui.palette import HeatscopeCommands

    return HeatscopeCommands


class HeatscopeApp(StatsViewMixin, RunAxisMixin, SparkMixin, MetricViewsMixin, RunsMixin, FollowMixin, ActionsMixin, LoadingMixin, App[int]):
    """Heatmaps of HDF5 tensors with navigation over every axis and a stats panel."""

    TITLE = "heatscope"
    COMMANDS = App.COMMANDS | {_palette_provider}
    CSS = """
    #main { height: 1fr; }
    #center { width: 1fr; }
    DatasetTree.-hidden { display: none; }
    """
    BINDINGS = [
        Binding("right_square_bracket", "step(1)", "Next layer", key_display="]"),
        Binding("left_square_bracket", "step(-1)", "Prev", key_display="["),
        Binding("right_curly_bracket", "step2(1)", "Next variant", key_display="}"),
        Binding("left_curly_bracket", "step2(-1)", "Prev variant", key_display="{"),
        Binding("x", "choose_step_axis", "Step axis"),
        Binding("g", "goto", "Go to"),
        Binding("t", "transpose", "Transpose"),
        Binding("a", "choose_axes", "Axes"),
        Binding("m", "metric", "Metric view"),
        Binding("v", "cycle_profile", "Profile"),
        Binding("f", "facet", "Facet"),
        Binding("d", "diff", "Diff"),
        Binding("plus,equals_sign", "zoom(1)", "Zoom in", key_display="+"),
        Binding("minus", "zoom(-1)", "Zoom out", key_display="-"),
        Binding("z", "toggle_zoom", "Zoom 1:1 / fit"),
        Binding("c", "cycle_cmap", "Cmap"),
        Binding("C", "reverse_cmap", "Reverse cmap"),
        Binding("r", "cycle_range", "Range"),
        Binding("u", "toggle_derived", "Counts/load"),
        Binding("F", "toggle_follow", "Follow"),
        Binding("n", "next_run(1)", "Next run"),
        Binding("p", "next_run(-1)", "Prev run"),
        Binding("o", "sort_runs", "Sort runs"),
        Binding("R", "run_table", "Run table"),
        Binding("b", "toggle_tree", "Tree"),
        Binding("s", "screenshot", "Shot"),
        Binding("E", "export_command", "Export cmd", show=False),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, options: LaunchOptions) -> None:
        super().__init__()
        widen_filter_cache(self)  # a heatmap's thousands of cell styles thrashed Textual's filter cache
        self.options = options
        self.session = options.session or Session(options.paths)
        self.state: ViewState | None = None
        self.panels: list | None = None  # render.panels.Panel, for self.state
        self.norm = None  # the color range of the last redraw
        self.scans: dict[tuple, object] = {}  # ScanResult per scan_key
        self.scan_note = ""
        self.mono = options.mono or bool(os.environ.get("NO_COLOR"))
        self._frozen = False
        self.collector = IdleCollector()

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield DatasetTree(id="tree")
            with Vertical(id="center"):
                yield HeatmapView(id="heatmap")
                yield ProfileStrip(id="profile", classes="-hidden")
            yield StatsPanel(id="stats")
        yield KeyHints()

    @property
    def heatmap(self) -> HeatmapView:
        return self.query_one(HeatmapView)

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
            self.set_following(True)
        if self.session.files:  # opened by the command line: no disk access needed here
            self.on_files_opened(FilesOpened(self.session.files))
        else:
            self.open_files()

    async def _on_message(self, message) -> None:
        # The one gate for worker results: none is handled once the app is closing.
        if isinstance(message, WorkerUpdate) and not self.is_running:
            return
        if isinstance(message, events.InputEvent):
            self.collector.touch()
        await super()._on_message(message)

    def on_unmount(self) -> None:
        self.collector.stop()
        if self._stats_timer is not None:
            self._stats_timer.stop()
        self.workers.cancel_all()
        self.session.close()

    def notify(self, message: str, *, title: str = "", severity="information", timeout=None,
               markup: bool = False) -> None:
        """Every notification shows its text literally and display-safe (run names, labels
        and error text quote files); heatscope never uses markup in one."""
        super().notify(safe_text(message), title=safe_text(title), severity=severity, timeout=timeout)

    # -- opening ------------------------------------------------------------------
    def on_files_opened(self, message: FilesOpened) -> None:
        files = message.files
        # the tree is filled just after the first heatmap is painted: it is not needed
        # to see the data, and building its nodes would delay that first frame
        self.call_after_refresh(self._fill_tree)
        bad = [f.error for f in files if f.error]
        for error in bad[:5]:
            self.notify(error, title="Cannot open", severity="error")
        try:
            resolved = resolve(self.session, self.options.spec, self.run_order())
        except HeatscopeError as exc:
            self.exit(return_code=2, message=f"heatscope: error: {exc}")
            return
        for note in resolved.notes:  # runs left out of a stack
            self.notify(note, title="Runs", severity="warning")
        self.show_view(resolved.state)

    @while_running
    def _fill_tree(self) -> None:
        self.refill_tree()

    def open_dataset(self, file_index: int, info: DatasetInfo, picks=None) -> None:
        """Show ``info`` as it opens by default (the tree, the run table)."""
        catalog = self.session.files[file_index].catalog
        if catalog is not None:
            info = catalog.detail(info)  # a big file's tree lists datasets before reading them
        self.show_view(initial_state(file_index, info, picks))

    def show_view(self, state: ViewState) -> None:
        """Start showing ``state``: its notes, the newest step when following, the read, and
        the metric's computation when it is a metric view."""
        if self.following:
            from heatscope.views.follow import at_newest

            state = at_newest(state)
        for note in state.info.value.notes:  # an unknown colormap or kind, a malformed valid_range...
            self.notify(f"{state.info.display_path}: {note}", title="Note", severity="warning")
        self.heatmap.show_message(f"Reading {state.info.display_path}…")
        self.sync_tree_soon()
        self.start_view(state)
        self.set_profile(state.profile)
        if state.info.reduction is not None or (state.info.stack is not None and state.info.stack.reduce):
            self.compute_metric(self.state)

    def named(self, state: ViewState) -> ViewState:
        """``state`` with its run's name for the titles when several runs are open (and its
        files pinned open: the working set never closes what the view reads)."""
        self.session.pinned = {state.file_index} | ({state.minus_file} if state.minus_file is not None else set())
        run = self.session.title_run(state.file_index, state.info)
        return state if state.run == run else replace(state, run=run)

    def start_view(self, state: ViewState) -> None:
        """Show a new dataset (or view of it): read its panels, scan it if not done yet."""
        state = self.named(state)
        self.state = state
        self.panels = None
        if scan_key(state) in self.scans:
            self.scan_note = ""
        elif self.session.is_remote(state.file_index):  # a global scan would download the file
            self.scan_note = "not scanned (remote)"
            self.state = state = remote_range(self.session, state)  # the slice's range until asked (r)
        else:
            self.scan_note = "pending"
        self._fetch(state)

    def scan_remote_on_request(self) -> None:
        """The user chose the global range of a remote file: scan it (the whole dataset is
        read, with progress) since they asked."""
        state = self.state
        if state is not None and state.range_mode == "global" and self.scan_note.startswith("not scanned") \
                and scan_key(state) not in self.scans:
            self.scan_note = "0%"
            self.notify("scanning the whole remote dataset for its global range")
            self.call_after_refresh(self._start_scan, state)

    def _fetch(self, state: ViewState) -> None:
        """Show the panels now when they are cached (prefetched), else read them in a worker."""
        hit = read_panels(self.session, state, cached_only=True, target=self.overview_target())
        if hit is None:
            self.read_panels(state, target=self.overview_target())
            return
        self.on_panels_loaded(PanelsLoaded(state.slice_key, hit))
        if state.step_axis is not None:
            self.read_panels(state, post=False, target=self.overview_target())  # prefetches the neighbours

    def overview_target(self) -> tuple[int, int]:
        """How many cells an overview of a huge slice needs on this screen."""
        return overview_target(*self.size)

    def set_state(self, state: ViewState) -> None:
        """Apply a new view; read panels only when what is shown changed."""
        old = self.state
        state = self.named(state)
        self.state = state
        if old is None or old.slice_key != state.slice_key:
            self._fetch(state)  # until the panels arrive, the old frame stays on screen
        else:
            self.refresh_view()

    # -- messages -----------------------------------------------------------------
    def on_panels_loaded(self, message: PanelsLoaded) -> None:
        if self.state is None or message.key != self.state.slice_key:
            return  # a stale read: the user has moved on
        self.query_one(KeyHints).set_status("")
        self.panels = message.panels
        self.refresh_view()
        if not self._frozen:
            # Everything built so far (textual, numpy, h5py, the first frame) lives as long
            # as the app: moving it out of the collector's view cuts full collections from
            # ~70 ms to ~20 ms, which otherwise land on random key presses.
            self._frozen = True
            self.call_after_refresh(gc.freeze)
        if self.scan_note == "pending" and self._scan_ready(self.state):  # after the next paint
            self.scan_note = "0%"
            self.call_after_refresh(self._start_scan, self.state)

    @while_running
    def _start_scan(self, state: ViewState) -> None:
        self.scan_global(state)

    def _scan_ready(self, state: ViewState) -> bool:
        """A metric view's range is scanned once it is complete (a partial one would lie)."""
        return self.session.reduction_complete(state.file_index, state.info)

    def panels_stale(self) -> None:
        """The current view's data changed (a metric view filled in): read its panels again."""
        if self.state is not None:
            self._fetch(self.state)

    def on_read_progress(self, message: ReadProgress) -> None:
        done = message.fraction >= 1 or self.state is None or message.key != self.state.slice_key
        self.query_one(KeyHints).set_status("" if done else f"reading overview {message.fraction:.0%}")

    def on_load_failed(self, message: LoadFailed) -> None:
        if self.following and self.panels is not None:  # a torn read mid-write: keep the last frame
            self.notify(f"keeping the last good frame: {message.text}", severity="warning")
            return
        self.heatmap.show_message(message.text)
        self.notify(message.text, title="Cannot read", severity="error")

    def on_scan_progress(self, message: ScanProgress) -> None:
        if self.state is not None and message.key == scan_key(self.state):
            self.scan_note = "failed" if message.fraction < 0 else f"{message.fraction:.0%}"
            self._schedule_stats()

    def on_scan_finished(self, message: ScanFinished) -> None:
        self.scans[message.key] = message.result
        if self.state is not None and message.key == scan_key(self.state):
            self.scan_note = ""
            self.refresh_view()

    def on_heatmap_view_cursor_moved(self, message: HeatmapView.CursorMoved) -> None:
        if self.state is not None and self.state.cursor != message.cursor:
            self.state = replace(self.state, cursor=message.cursor)
            self.update_cursor_stats()  # the row's summary only: in the heatmap's frame

    def on_tree_node_selected(self, event: DatasetTree.NodeSelected) -> None:
        if event.node.data is None:
            return
        if event.node.data[0] == "file":  # a run's row: show that run
            if self.state is None or event.node.data[1] != self.state.file_index:
                self.show_run(event.node.data[1])
            return
        file_index, info = event.node.data
        if not info.viewable:
            self.notify(f"{info.display_path}: {info.reason}", title="Not viewable")
            return
        self.open_dataset(file_index, info)
        self.heatmap.focus()

    # -- drawing ------------------------------------------------------------------
    def refresh_view(self) -> None:
        """Redraw the heatmap panels from the current state and panels."""
        state, panels = self.state, self.panels
        if state is None or panels is None:
            return
        frame = make_frame(state, panels, self.scans.get(scan_key(state)), self.session.names)
        self.norm = frame.norm  # computed once per redraw; the stats panel shows it too
        self.heatmap.show(frame_models(frame, self.mono), state.cursor, frame.per_row, state.zoom)
        axes = state.info.axes
        second = state.second_step_axis()
        self.query_one(KeyHints).show_axes(axes[state.step_axis].name if state.step_axis is not None else None,
                                           axes[second].name if second is not None else None)
        self.stats_after_redraw()


def create_app(options: LaunchOptions) -> HeatscopeApp:
    """The one way to build the app, used by the CLI and the tests."""
    return HeatscopeApp(options)
