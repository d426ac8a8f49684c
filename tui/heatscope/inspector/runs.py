"""Browsing a directory of runs: n / p switch runs keeping the dataset, the selection (by
label) and the cursor; o sorts by name or modified time; files open when first needed."""

from __future__ import annotations

from dataclasses import replace

from textual import work
from textual.widgets import Tree

from heatscope.errors import HeatscopeError
from heatscope.inspector.messages import WorkerUpdate
from heatscope.render.view_state import ViewState, initial_state


class RunOpened(WorkerUpdate):
    def __init__(self, file_index: int, show: bool) -> None:
        super().__init__()
        self.file_index = file_index
        self.show = show


def carried_over(state: ViewState, file_index: int, info) -> ViewState:
    """``state`` moved to the same dataset of another run: same displayed axes, the same
    labels on stepped axes where they exist (else the same index), the same cursor cell."""
    picks = {}
    for axis in state.selection.stepped_axes:
        picks[state.info.axes[axis].name] = state.info.axes[axis].label(state.selection.index[axis])
    try:
        new = initial_state(file_index, info, picks, cmap=state.cmap, range_mode=state.range_mode,
                            derived=state.derived, vmin=state.vmin, vmax=state.vmax)
    except HeatscopeError:  # a label this run does not have: keep the indices instead
        index_picks = {f"#{a}": f"#{state.selection.index[a]}" for a in state.selection.stepped_axes
                       if a < len(info.shape) and state.selection.index[a] < info.shape[a]}
        new = initial_state(file_index, info, index_picks, cmap=state.cmap, range_mode=state.range_mode,
                            derived=state.derived, vmin=state.vmin, vmax=state.vmax)
    sel = new.selection
    names = [a.name for a in info.axes]
    old = state.info.axes
    shown = [old[a].name for a in state.selection.displayed]
    if len(shown) == 2 and all(n in names for n in shown) and shown[0] != shown[1]:
        sel = sel.with_display(names.index(shown[0]), names.index(shown[1]))
    return replace(new.with_selection(sel), cursor=state.cursor).with_selection(sel)


class RunsMixin:
    """Run switching and sorting for ``HeatscopeApp``."""

    sort_by_time = False

    def run_order(self) -> list[int]:
        files = self.session.files
        if self.sort_by_time:
            return sorted(range(len(files)), key=lambda i: -(files[i].stamp or (0, 0))[1])
        return self.session.name_order()

    def action_sort_runs(self) -> None:
        self.sort_by_time = not self.sort_by_time
        tree = self.query_one("#tree")
        tree.populate(self.session.files, self.run_order())
        if self.state is not None:
            tree.select_dataset(self.state.file_index, self.state.info.path)
        self.notify("runs sorted by modified time (newest first)" if self.sort_by_time else "runs sorted by name",
                    timeout=2, markup=False)

    def action_next_run(self, delta: int) -> None:
        if self.state is None or len(self.session.files) < 2:
            self.notify("only one run is open", markup=False)
            return
        order = self.run_order()
        target = order[(order.index(self.state.file_index) + delta) % len(order)]
        f = self.session.files[target]
        if f.catalog is None and f.error is None:
            self.open_run(target, True)
        else:
            self.show_run(target)

    @work(thread=True, exit_on_error=False, group="open-run")
    def open_run(self, file_index: int, show: bool) -> None:
        self.session.ensure_open(file_index)
        self.post_message(RunOpened(file_index, show))

    def on_run_opened(self, message: RunOpened) -> None:
        tree = self.query_one("#tree")
        tree.fill_file(message.file_index, self.session.files[message.file_index])
        if message.show:
            self.show_run(message.file_index)

    def on_tree_node_expanded(self, event: Tree.NodeExpanded) -> None:
        data = event.node.data
        if data and data[0] == "file":
            f = self.session.files[data[1]]
            if f.catalog is None and f.error is None:
                self.open_run(data[1], False)

    def show_run(self, file_index: int) -> None:
        """The current dataset, selection and cursor in another run (or its default dataset)."""
        f = self.session.files[file_index]
        state = self.state
        if f.catalog is None:
            self.notify(f"{f.path.name}: {f.error or 'cannot open'}", severity="error", markup=False)
            return
        raw = f.catalog.find(state.info.path)
        if raw is None or not raw.viewable:
            fallback = f.catalog.default_dataset()
            if fallback is None:
                self.notify(f"{f.path.name}: no viewable dataset", severity="error", markup=False)
                return
            self.notify(f"{f.path.name} has no {state.info.path}; showing {fallback.path}", markup=False)
            self.open_dataset(file_index, fallback)
            return
        new = carried_over(state, file_index, raw)
        self.query_one("#tree").select_dataset(file_index, raw.path)
        self.start_view(new)
        self.notify(f"run {f.path.name}", timeout=1.5, markup=False)
