"""The heatscope inspector app and ``create_app``, the factory the CLI and tests share.

All HDF5 I/O runs in thread workers that post messages back, so keys never wait on disk:
opening and cataloguing files, reading the displayed slice (plus its neighbours on the
step axis, prefetched into the session's cache) and scanning for the global color range.
"""

from __future__ import annotations

# Modules not needed for the first frame (stats, scans, modal screens) are imported where
# they are used: every millisecond of import delays the first heatmap.
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.worker import get_current_worker

from heatscope.data.catalog import DatasetInfo
from heatscope.data.selection import resolve_selection
from heatscope.data.session import Session
from heatscope.data.slices import SliceData, expert_axis, relative_load, relative_load_view
from heatscope.errors import HeatscopeError
from heatscope.inspector.heatmap import HeatmapView
from heatscope.inspector.key_hints import KeyHints
from heatscope.inspector.messages import FilesOpened, LoadFailed, ScanFinished, ScanProgress, SliceLoaded
from heatscope.inspector.stats import StatsPanel
from heatscope.inspector.tree import DatasetTree
from heatscope.render.colormaps import CYCLE, next_in_cycle, reversed_name
from heatscope.render.heatmap_panel import HeatmapModel
from heatscope.render.normalize import available_modes, compute_norm
from heatscope.render.view_state import ViewState, initial_state, view_title


@dataclass
class LaunchOptions:
    """What the command line asked for."""

    paths: list[Path]
    dataset: str | None = None
    picks: dict[str, str] = field(default_factory=dict)
    cmap: str | None = None
    range_mode: str | None = None
    vmin: float | None = None
    vmax: float | None = None
    screenshot_dir: Path | None = None
    mono: bool = False
    session: Session | None = None  # already opened by the command line's checks


class HeatscopeApp(App[int]):
    """Heatmaps of HDF5 tensors with navigation over every axis and a stats panel."""

    TITLE = "heatscope"
    CSS = """
    #main { height: 1fr; }
    DatasetTree.-hidden { display: none; }
    """
    BINDINGS = [
        Binding("right_square_bracket", "step(1)", "Next layer", key_display="]"),
        Binding("left_square_bracket", "step(-1)", "Prev", key_display="["),
        Binding("right_curly_bracket", "step2(1)", "Next variant", key_display="}", show=False),
        Binding("left_curly_bracket", "step2(-1)", "Prev variant", key_display="{", show=False),
        Binding("x", "choose_step_axis", "Step axis", show=False),
        Binding("g", "goto", "Go to"),
        Binding("t", "transpose", "Transpose", show=False),
        Binding("a", "choose_axes", "Axes", show=False),
        Binding("c", "cycle_cmap", "Cmap"),
        Binding("C", "reverse_cmap", "Reverse cmap", show=False),
        Binding("r", "cycle_range", "Range"),
        Binding("u", "toggle_derived", "Counts/load", show=False),
        Binding("b", "toggle_tree", "Tree"),
        Binding("s", "screenshot", "Shot"),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, options: LaunchOptions) -> None:
        super().__init__()
        self.options = options
        self.session = options.session or Session(options.paths)
        self.state: ViewState | None = None
        self.data: SliceData | None = None
        self.scans: dict[tuple, object] = {}  # ScanResult per (file, dataset, derived)
        self.scan_note = ""
        self.mono = options.mono or bool(os.environ.get("NO_COLOR"))
        self._stats_timer = None

    # -- layout -----------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield DatasetTree(id="tree")
            yield HeatmapView(id="heatmap")
            yield StatsPanel(id="stats")
        yield KeyHints()

    @property
    def heatmap(self) -> HeatmapView:
        return self.query_one(HeatmapView)

    def on_mount(self) -> None:
        if self.size.width < 100:
            self.query_one(DatasetTree).add_class("-hidden")
        self.heatmap.focus()
        if self.session.files:  # opened by the command line: no disk access needed here
            self.on_files_opened(FilesOpened(self.session.files))
        else:
            self.open_files()

    def on_unmount(self) -> None:
        self.session.close()

    # -- workers ------------------------------------------------------------------
    @work(thread=True, exit_on_error=False, group="open")
    def open_files(self) -> None:
        self.post_message(FilesOpened(self.session.files or self.session.open_all()))

    @work(thread=True, exclusive=True, exit_on_error=False, group="slice")
    def read_slice(self, state: ViewState, post: bool = True) -> None:
        try:
            data = self.session.read(state.file_index, state.info, state.selection, state.derived)
        except HeatscopeError as exc:
            self.post_message(LoadFailed(str(exc)))
            return
        except Exception as exc:  # noqa: BLE001 - shown to the user, never a crash
            self.post_message(LoadFailed(f"{state.info.path}: cannot read slice ({type(exc).__name__}: {exc})"))
            return
        if post:
            self.post_message(SliceLoaded(state.slice_key, data))
        axis = state.step_axis
        if axis is None:
            return
        for delta in (1, -1):  # prefetch the neighbours the user is likely to step to
            if get_current_worker().is_cancelled:
                return
            sel = state.selection.step(axis, delta)
            if sel != state.selection:
                try:
                    self.session.read(state.file_index, state.info, sel, state.derived)
                except Exception:  # noqa: BLE001 - a failed prefetch is retried when stepped to
                    return

    @work(thread=True, exclusive=True, exit_on_error=False, group="scan")
    def scan_global(self, state: ViewState) -> None:
        from heatscope.data.scan import ScanCancelled, scan_dataset

        key = self._scan_key(state)
        worker = get_current_worker()
        try:
            dset = self.session.dataset(state.file_index, state.info)
            kwargs = {}
            if state.derived:
                axis = expert_axis(state.info)
                kwargs = {"transform": lambda b, a=axis: relative_load(b, axis=a), "full_axes": (axis,)}
            result = scan_dataset(
                dset, state.info.value, progress=lambda f: self.post_message(ScanProgress(key, f)),
                cancelled=lambda: worker.is_cancelled, **kwargs,
            )
        except ScanCancelled:
            return
        except Exception as exc:  # noqa: BLE001 - the scan is optional: say so, keep going
            self.post_message(ScanProgress(key, -1.0))
            self.log.warning(f"global scan failed: {exc!r}")
            return
        self.post_message(ScanFinished(key, result))

    # -- messages -----------------------------------------------------------------
    def on_files_opened(self, message: FilesOpened) -> None:
        files = message.files
        self.query_one(DatasetTree).populate(files)
        good = [i for i, f in enumerate(files) if f.catalog is not None]
        bad = [f.error for f in files if f.catalog is None]
        if not good:
            self.exit(return_code=2, message=f"heatscope: error: {bad[0] if bad else 'no files'}")
            return
        for error in bad:
            self.notify(error or "", title="Cannot open", severity="error", markup=False)
        try:
            file_index, info = self._initial_dataset(good)
            self.open_dataset(file_index, info, self.options.picks, first=True)
        except HeatscopeError as exc:
            self.exit(return_code=2, message=f"heatscope: error: {exc}")

    def _initial_dataset(self, good: list[int]) -> tuple[int, DatasetInfo]:
        wanted = self.options.dataset
        for i in good:
            catalog = self.session.files[i].catalog
            info = catalog.find(wanted) if wanted else catalog.default_dataset()
            if info is not None:
                if not info.viewable:
                    raise HeatscopeError(f"dataset is not viewable: {info.reason}", info.path)
                return i, info
        if wanted:
            raise HeatscopeError(f"no dataset named {wanted!r}")
        raise HeatscopeError("no viewable dataset in the given files")

    def open_dataset(self, file_index: int, info: DatasetInfo, picks=None, first: bool = False) -> None:
        """Show ``info``; on first open the command line's colormap and range apply."""
        o = self.options
        self.state = initial_state(
            file_index, info, picks,
            cmap=o.cmap if first else None, range_mode=o.range_mode if first else None,
            vmin=o.vmin if first else None, vmax=o.vmax if first else None,
        )
        self.heatmap.show_message(f"Reading {info.path}…")
        self.query_one(DatasetTree).select_dataset(file_index, info.path)
        self._start(self.state)

    def _start(self, state: ViewState) -> None:
        """Show a new dataset (or view of it): read its slice, scan it if not done yet."""
        self.state = state
        self.data = None
        self.scan_note = "" if self._scan_key(state) in self.scans else "pending"
        self._fetch(state)

    def _fetch(self, state: ViewState) -> None:
        """Show the slice now when it is cached (prefetched), else read it in a worker."""
        hit = self.session.cached(state.file_index, state.info, state.selection, state.derived)
        if hit is None:
            self.read_slice(state)
        else:
            self.on_slice_loaded(SliceLoaded(state.slice_key, hit))
            if state.step_axis is not None:
                self.read_slice(state, post=False)  # only prefetches the neighbours

    def on_slice_loaded(self, message: SliceLoaded) -> None:
        if self.state is None or message.key != self.state.slice_key:
            return  # a stale read: the user has moved on
        self.data = message.data
        self.refresh_view()
        if self.scan_note == "pending":  # after the next paint, so it never delays it
            self.scan_note = "0%"
            self.call_after_refresh(self.scan_global, self.state)

    def on_load_failed(self, message: LoadFailed) -> None:
        self.heatmap.show_message(message.text)
        self.notify(message.text, title="Cannot read", severity="error", markup=False)

    def on_scan_progress(self, message: ScanProgress) -> None:
        if self.state is not None and message.key == self._scan_key(self.state):
            self.scan_note = "failed" if message.fraction < 0 else f"{message.fraction:.0%}"
            self._update_stats()

    def on_scan_finished(self, message: ScanFinished) -> None:
        self.scans[message.key] = message.result
        if self.state is not None and message.key == self._scan_key(self.state):
            self.scan_note = ""
            self.refresh_view()

    def on_heatmap_view_cursor_moved(self, message: HeatmapView.CursorMoved) -> None:
        if self.state is not None and self.state.cursor != message.cursor:
            self.state = replace(self.state, cursor=message.cursor)
            self._schedule_stats(0.02)

    def on_tree_node_selected(self, event: DatasetTree.NodeSelected) -> None:
        if event.node.data is None:
            return
        file_index, info = event.node.data
        if not info.viewable:
            self.notify(f"{info.path}: {info.reason}", title="Not viewable", markup=False)
            return
        self.open_dataset(file_index, info)
        self.heatmap.focus()

    # -- drawing ------------------------------------------------------------------
    def _scan_key(self, state: ViewState) -> tuple:
        return (state.file_index, state.info.path, state.derived)

    def current_norm(self):
        state, data = self.state, self.data
        scan = self.scans.get(self._scan_key(state))
        return compute_norm(state.range_mode, data.values, state.info.value, scan, state.vmin, state.vmax)

    def refresh_view(self) -> None:
        """Redraw the heatmap and stats from the current state and slice."""
        state, data = self.state, self.data
        if state is None or data is None or data.selection != state.selection:
            return
        info, sel = state.info, state.selection
        row_axis = info.axes[sel.row_axis] if sel.row_axis is not None else None
        col_axis = info.axes[sel.col_axis]
        model = HeatmapModel(
            values=data.values,
            missing=data.missing,
            row_labels=tuple(row_axis.label(i) for i in range(sel.n_rows)) if row_axis else (info.name,),
            col_labels=tuple(col_axis.label(i) for i in range(sel.n_cols)),
            row_name=row_axis.name if row_axis else "",
            col_name=col_axis.name,
            title=view_title(info, sel),
            value_title=info.value.title(info.name),
            norm=self.current_norm(),
            cmap=state.cmap,
            mono=self.mono,
        )
        self.heatmap.show(model, state.cursor)
        self._schedule_stats()

    def _schedule_stats(self, delay: float = 0.05) -> None:
        """Update the stats panel shortly after the heatmap, once per burst of keys."""
        if self._stats_timer is not None:
            self._stats_timer.stop()
        self._stats_timer = self.set_timer(delay, self._update_stats)

    def _update_stats(self) -> None:
        from heatscope.data.summary import summarize, summarize_cursor
        from heatscope.render.stats_panel import stats_renderable

        state, data = self.state, self.data
        if state is None or data is None or data.selection != state.selection:
            return
        summary = summarize(state.info, data)
        cursor = summarize_cursor(state.info, data, *state.cursor)
        note = "" if not self.scan_note else f"global range {self.scan_note}"
        self.query_one(StatsPanel).update(stats_renderable(summary, cursor, self.current_norm(), state.cmap, note))

    def set_state(self, state: ViewState) -> None:
        """Apply a new view; read the slice only when the selection changed."""
        old = self.state
        self.state = state
        if old is None or old.slice_key != state.slice_key:
            self._fetch(state)  # until a slice arrives, the old frame stays on screen
        else:
            self.refresh_view()

    # -- actions ------------------------------------------------------------------
    def _step(self, axis: int | None, delta: int) -> None:
        if self.state is None or axis is None:
            if self.state is not None:
                self.notify("no stepped axis: every axis is displayed", markup=False)
            return
        self.set_state(self.state.with_selection(self.state.selection.step(axis, delta)))

    def action_step(self, delta: int) -> None:
        self._step(self.state.step_axis if self.state else None, delta)

    def action_step2(self, delta: int) -> None:
        self._step(self.state.second_step_axis() if self.state else None, delta)

    def action_transpose(self) -> None:
        if self.state is not None:
            self.set_state(self.state.transposed())

    def action_cycle_cmap(self) -> None:
        if self.state is not None:
            self.set_state(replace(self.state, cmap=next_in_cycle(self.state.cmap, self.state.info.value.colormap)))

    def action_reverse_cmap(self) -> None:
        if self.state is not None:
            self.set_state(replace(self.state, cmap=reversed_name(self.state.cmap)))

    def action_cycle_range(self) -> None:
        if self.state is not None:
            self.set_state(self.state.cycle_range())
            self.notify(f"color range: {self.state.range_mode}", timeout=2, markup=False)

    def action_toggle_derived(self) -> None:
        state = self.state
        if state is None:
            return
        raw = self.session.files[state.file_index].catalog.find(state.info.path)
        if raw is None or relative_load_view(raw) is None:
            self.notify("only token-count datasets have a relative-load view", markup=False)
            return
        new = initial_state(state.file_index, raw, derived=not state.derived)
        self._start(replace(new.with_selection(state.selection), cursor=state.cursor))
        self.notify("relative load" if self.state.derived else "raw token counts", timeout=2, markup=False)

    def action_toggle_tree(self) -> None:
        tree = self.query_one(DatasetTree)
        tree.toggle_class("-hidden")
        if not tree.has_class("-hidden"):
            tree.focus()
        else:
            self.heatmap.focus()

    def action_help(self) -> None:
        from heatscope.inspector.screens import HelpScreen

        self.push_screen(HelpScreen())

    def action_goto(self) -> None:
        state = self.state
        if state is None:
            return
        names = [a.name for a in state.info.axes]
        default = names[state.step_axis] if state.step_axis is not None else None
        hint = f"{default} {state.info.axes[state.step_axis].label(0)}" if default else names[0] + " 0"
        from heatscope.inspector.screens import GoToScreen

        self.push_screen(GoToScreen(hint), self._goto)

    def _goto(self, text: str | None) -> None:
        from heatscope.inspector.screens import parse_goto

        state = self.state
        if not text or state is None:
            return
        names = [a.name for a in state.info.axes]
        default = names[state.step_axis] if state.step_axis is not None else None
        try:
            picks = parse_goto(text, names, default)
            sel = resolve_selection(state.info.axes, picks, base=state.selection)
        except (ValueError, HeatscopeError) as exc:
            self.notify(str(exc), title="Go to", severity="error", markup=False)
            return
        cursor = list(state.cursor)
        for name, _ in picks.items():  # going to a displayed axis moves the cursor there
            axis = next((i for i, a in enumerate(state.info.axes) if a.name == name), None)
            if axis == sel.row_axis:
                cursor[0] = sel.index[axis]
            elif axis == sel.col_axis:
                cursor[1] = sel.index[axis]
        self.set_state(replace(state.with_selection(sel), cursor=tuple(cursor)))

    def action_choose_axes(self) -> None:
        state = self.state
        if state is None or len(state.info.axes) < 2:
            return
        axes = state.info.axes
        pairs = [(r, c) for r in range(len(axes)) for c in range(len(axes)) if r != c]
        labels = [f"rows {axes[r].name} x columns {axes[c].name}" for r, c in pairs]

        def chosen(index: int | None) -> None:
            if index is not None and self.state is not None:
                r, c = pairs[index]
                self.set_state(self.state.with_selection(self.state.selection.with_display(r, c)))

        from heatscope.inspector.screens import ChoiceScreen

        self.push_screen(ChoiceScreen("Display which axes?", labels), chosen)

    def action_choose_step_axis(self) -> None:
        state = self.state
        if state is None or not state.stepped():
            return
        stepped = list(state.stepped())
        labels = [f"{state.info.axes[a].name} ({state.info.axes[a].size})" for a in stepped]

        def chosen(index: int | None) -> None:
            if index is not None and self.state is not None:
                self.set_state(replace(self.state, step_axis=stepped[index]))
                self.notify(f"[ and ] now step {state.info.axes[stepped[index]].name}", markup=False)

        from heatscope.inspector.screens import ChoiceScreen

        self.push_screen(ChoiceScreen("Which axis do [ and ] step?", labels), chosen)

    def action_screenshot(self) -> None:
        from heatscope.screenshot import screenshot_name

        directory = self.options.screenshot_dir or Path.cwd()
        state = self.state
        name = screenshot_name(
            self.session.files[state.file_index].path.stem if state else "heatscope",
            view_title(state.info, state.selection) if state else "",
        )
        try:
            path = self.save_screenshot(name, str(directory))
        except OSError as exc:
            self.notify(f"cannot save screenshot in {directory}: {exc.strerror or exc}", severity="error", markup=False)
            return
        self.notify(f"saved {path}", title="Screenshot", markup=False)

    # -- command palette ------------------------------------------------------------
    def get_system_commands(self, screen):
        yield from super().get_system_commands(screen)
        for i, f in enumerate(self.session.files):
            for d in f.catalog.viewable() if f.catalog else []:
                yield SystemCommand(f"Open {f.path.name}:{d.path}", d.shape_text(), lambda i=i, d=d: self.open_dataset(i, d))
        yield SystemCommand("Go to…", "Jump to a label or index on an axis", self.action_goto)
        for name in CYCLE:
            yield SystemCommand(f"Colormap: {name}", "Color the map with " + name, lambda n=name: self._set_cmap(n))
        if self.state is not None:
            for mode in available_modes(self.state.info.value):
                yield SystemCommand(f"Range mode: {mode}", "Color range", lambda m=mode: self._set_range(m))
        yield SystemCommand("Transpose", "Swap rows and columns", self.action_transpose)
        yield SystemCommand("Choose displayed axes", "Which two axes are drawn", self.action_choose_axes)
        yield SystemCommand("Screenshot", "Save an SVG of the screen", self.action_screenshot)
        yield SystemCommand("Toggle dataset tree", "Show or hide the tree", self.action_toggle_tree)
        yield SystemCommand("Help: keys", "Every key", self.action_help)

    def _set_cmap(self, name: str) -> None:
        if self.state is not None:
            self.set_state(replace(self.state, cmap=name))

    def _set_range(self, mode: str) -> None:
        if self.state is not None:
            self.set_state(replace(self.state, range_mode=mode))


def create_app(options: LaunchOptions) -> HeatscopeApp:
    """The one way to build the app, used by the CLI and the tests."""
    return HeatscopeApp(options)
