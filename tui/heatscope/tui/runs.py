"""Browsing a directory of runs: n / p switch runs keeping the dataset, the selection (by
label) and the cursor; o sorts by name or modified time; files open when first needed.
A run that cannot be opened is skipped with a notice, so n and p always move on."""

from __future__ import annotations

from heatscope.tui import workers
from heatscope.tui.messages import RunOpened, while_running
from heatscope.views.carry import carried_over

TREE_SYNC_SECONDS = 0.3


class RunBrowser:
    """Run switching and the run tree of ``app`` (the model keeps the run order)."""

    def __init__(self, app) -> None:
        self.app = app
        self.tree_timer = None

    @property
    def session(self):
        return self.app.session

    def refill_tree(self) -> None:
        """The run tree rebuilt in the current order, the current run expanded."""
        tree = self.app.query_one("#tree")
        state = self.app.model.state
        tree.populate(self.session.files, self.session.names, self.app.model.run_order(),
                      state.file_index if state is not None else None)
        if state is not None:
            tree.select_dataset(state.file_index, state.info.path)

    def next_run(self, delta: int) -> None:
        model = self.app.model
        if model.state is None or len(self.session.files) < 2:
            self.app.notify("only one run is open")
            return
        if model.state.info.stack is not None:  # runs as an axis: step it
            self.app.apply(model.step_runs(delta))
            return
        order = model.run_order()
        start = order.index(model.state.file_index)
        candidates = [order[(start + delta * k) % len(order)] for k in range(1, len(order))]
        skipped = []
        for index in candidates:  # runs already open are decided here, without a worker
            f = self.session.files[index]
            if f.catalog is None and f.error is None:
                workers.start(self.app, workers.open_run, candidates[len(skipped):], True, tuple(skipped),
                              group="open-run")
                return
            if self.showable(index):
                self.opened(RunOpened(index, True, tuple(skipped)))
                return
            skipped.append(index)
        self.opened(RunOpened(None, True, tuple(skipped)))

    def showable(self, file_index: int) -> bool:
        """The run opened and has a dataset to draw."""
        catalog = self.session.files[file_index].catalog
        return catalog is not None and catalog.default_dataset() is not None

    def opened(self, message: RunOpened) -> None:
        tree = self.app.query_one("#tree")
        for index in message.skipped:
            tree.fill_file(index, self.session.files[index])
        if message.show and message.skipped:
            names = ", ".join(self.session.run_name(i) for i in message.skipped[:3])
            more = f" and {len(message.skipped) - 3} more" if len(message.skipped) > 3 else ""
            f = self.session.files[message.skipped[0]]
            self.app.notify(f"skipped {names}{more}: {f.error or 'no dataset that can be drawn'}",
                            title="Runs skipped", severity="warning")
        if message.file_index is None:
            if message.show:
                self.app.notify("no other run has anything to show", severity="error")
            return
        tree.fill_file(message.file_index, self.session.files[message.file_index])
        if message.show:
            self.show_run(message.file_index)

    def expanded(self, file_index: int, has_children: bool) -> None:
        """A run's tree node opened: open the run, or list its datasets."""
        f = self.session.files[file_index]
        if f.catalog is None and f.error is None:
            workers.start(self.app, workers.open_run, [file_index], False, group="open-run")
        elif not has_children:
            self.app.query_one("#tree").fill_file(file_index, f)

    def show_run(self, file_index: int) -> None:
        """The current dataset, selection and cursor in another run (or its default dataset)."""
        f = self.session.files[file_index]
        name = self.session.run_name(file_index)
        state = self.app.model.state
        if f.catalog is None:
            if f.error is None:
                workers.start(self.app, workers.open_run, [file_index], True, group="open-run")
            else:
                self.app.notify(f"{name}: {f.error}", title="Cannot open run", severity="error")
            return
        raw = f.catalog.find(state.info.path) if state is not None else None
        if raw is None or not raw.viewable:
            fallback = f.catalog.default_dataset()
            if fallback is None:
                self.app.notify(f"{name}: no viewable dataset", severity="error")
                return
            if state is not None:
                self.app.notify(f"{name} has no {state.info.display_path}; showing {fallback.display_path}")
            self.app.open_dataset(file_index, fallback)
            return
        self.app.start_view(carried_over(state, file_index, raw))
        self.sync_tree_soon()

    def sync_tree_soon(self) -> None:
        """Show the current run and dataset in the tree once a burst of keys is over: with
        thousands of runs, Textual's tree re-measures every row when a branch opens (~60 ms
        for 2,000), which must not land on each n/p."""
        if self.tree_timer is not None:
            self.tree_timer.stop()
        self.tree_timer = self.app.set_timer(TREE_SYNC_SECONDS, self._sync_tree)

    @while_running
    def _sync_tree(self) -> None:
        state = self.app.model.state
        if state is None:
            return
        tree = self.app.query_one("#tree")
        tree.show_run(state.file_index, self.session.files[state.file_index])
        tree.select_dataset(state.file_index, state.info.reduction.base_path if state.info.reduction
                            else state.info.path)
