"""Browsing a directory of runs: n / p switch runs keeping the dataset, the selection (by
label) and the cursor; o sorts by name or modified time; files open when first needed.
A run that cannot be opened is skipped with a notice, so n and p always move on."""

from __future__ import annotations

from textual import work
from textual.widgets import Tree

from heatscope.tui.messages import WorkerUpdate, while_running
from heatscope.views.carry import carried_over

TREE_SYNC_SECONDS = 0.3


class RunOpened(WorkerUpdate):
    """``file_index`` is open (None: no run could be); ``skipped`` could not be opened."""

    def __init__(self, file_index: int | None, show: bool, skipped: tuple[int, ...] = ()) -> None:
        super().__init__()
        self.file_index = file_index
        self.show = show
        self.skipped = skipped


class RunsMixin:
    """Run switching and sorting for ``HeatscopeApp``."""

    sort_by_time = False

    def run_order(self) -> list[int]:
        files = self.session.files
        if self.sort_by_time:
            return sorted(range(len(files)), key=lambda i: -(files[i].stamp or (0, 0))[1])
        return self.session.name_order()

    def refill_tree(self) -> None:
        """The run tree rebuilt in the current order, the current run expanded."""
        tree = self.query_one("#tree")
        current = self.state.file_index if self.state is not None else None
        tree.populate(self.session.files, self.session.names, self.run_order(), current)
        if self.state is not None:
            tree.select_dataset(self.state.file_index, self.state.info.path)

    def action_run_table(self) -> None:
        """Every run in a sortable table; Enter shows the chosen run at the same view."""
        from heatscope.tui.run_table import RunTableScreen

        if self.state is None:
            return

        def chosen(file_index: int | None) -> None:
            if file_index is not None and self.state is not None and file_index != self.state.file_index:
                self.show_run(file_index)

        self.push_screen(RunTableScreen(self.state, self.run_order()), chosen)

    def action_sort_runs(self) -> None:
        self.sort_by_time = not self.sort_by_time
        self.refill_tree()
        self.notify("runs sorted by modified time (newest first)" if self.sort_by_time else "runs sorted by name",
                    timeout=2)

    def action_next_run(self, delta: int) -> None:
        if self.state is None or len(self.session.files) < 2:
            self.notify("only one run is open")
            return
        if self.state.info.stack is not None:  # runs as an axis: step it
            self.step_runs(delta)
            return
        order = self.run_order()
        start = order.index(self.state.file_index)
        candidates = [order[(start + delta * k) % len(order)] for k in range(1, len(order))]
        skipped = []
        for index in candidates:  # runs already open are decided here, without a worker
            f = self.session.files[index]
            if f.catalog is None and f.error is None:
                self.open_run(candidates[len(skipped):], True, tuple(skipped))
                return
            if self._showable(index):
                self.on_run_opened(RunOpened(index, True, tuple(skipped)))
                return
            skipped.append(index)
        self.on_run_opened(RunOpened(None, True, tuple(skipped)))

    def _showable(self, file_index: int) -> bool:
        """The run opened and has a dataset to draw."""
        catalog = self.session.files[file_index].catalog
        return catalog is not None and catalog.default_dataset() is not None

    def skip_reason(self, file_index: int) -> str:
        f = self.session.files[file_index]
        return f.error or "no dataset that can be drawn"

    @work(thread=True, exclusive=True, exit_on_error=False, group="open-run")
    def open_run(self, candidates: list[int], show: bool, skipped: tuple[int, ...] = ()) -> None:
        """Open candidates in turn until one has something to show; the others are skipped."""
        passed = list(skipped)
        for index in candidates:
            self.session.ensure_open(index)
            if self._showable(index) or not show:
                self.post_message(RunOpened(index, show, tuple(passed)))
                return
            passed.append(index)
        self.post_message(RunOpened(None, show, tuple(passed)))

    def on_run_opened(self, message: RunOpened) -> None:
        tree = self.query_one("#tree")
        for index in message.skipped:
            tree.fill_file(index, self.session.files[index])
        if message.show and message.skipped:
            names = ", ".join(self.session.run_name(i) for i in message.skipped[:3])
            more = f" and {len(message.skipped) - 3} more" if len(message.skipped) > 3 else ""
            self.notify(f"skipped {names}{more}: {self.skip_reason(message.skipped[0])}",
                        title="Runs skipped", severity="warning")
        if message.file_index is None:
            if message.show:
                self.notify("no other run has anything to show", severity="error")
            return
        tree.fill_file(message.file_index, self.session.files[message.file_index])
        if message.show:
            self.show_run(message.file_index)

    def on_tree_node_expanded(self, event: Tree.NodeExpanded) -> None:
        data = event.node.data
        if data and data[0] == "file":
            f = self.session.files[data[1]]
            if f.catalog is None and f.error is None:
                self.open_run([data[1]], False)
            elif not event.node.children:
                self.query_one("#tree").fill_file(data[1], f)

    def show_run(self, file_index: int) -> None:
        """The current dataset, selection and cursor in another run (or its default dataset)."""
        f = self.session.files[file_index]
        name = self.session.run_name(file_index)
        state = self.state
        if f.catalog is None:
            if f.error is None:
                self.open_run([file_index], True)
            else:
                self.notify(f"{name}: {f.error}", title="Cannot open run", severity="error")
            return
        raw = f.catalog.find(state.info.path) if state is not None else None
        if raw is None or not raw.viewable:
            fallback = f.catalog.default_dataset()
            if fallback is None:
                self.notify(f"{name}: no viewable dataset", severity="error")
                return
            if state is not None:
                self.notify(f"{name} has no {state.info.display_path}; showing {fallback.display_path}")
            self.open_dataset(file_index, fallback)
            return
        new = carried_over(state, file_index, raw)
        self.start_view(new)
        self.sync_tree_soon()

    _tree_timer = None

    def sync_tree_soon(self) -> None:
        """Show the current run and dataset in the tree once a burst of keys is over: with
        thousands of runs, Textual's tree re-measures every row when a branch opens (~60 ms
        for 2,000), which must not land on each n/p."""
        if self._tree_timer is not None:
            self._tree_timer.stop()
        self._tree_timer = self.set_timer(TREE_SYNC_SECONDS, self._sync_tree)

    @while_running
    def _sync_tree(self) -> None:
        state = self.state
        if state is None:
            return
        tree = self.query_one("#tree")
        tree.show_run(state.file_index, self.session.files[state.file_index])
        tree.select_dataset(state.file_index, state.info.reduction.base_path if state.info.reduction
                            else state.info.path)
