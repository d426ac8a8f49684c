"""The inspector's screen: its keys and the widgets' events, each turned into an intent.

A key is an intent of the model (``app.model.step(1)``), whose outcome the app applies,
or a prompt that leads to one (``tui.prompts``). The screen holds no state of its own:
what it needs from the app is written down in ``Inspecting``. Modal screens (help, the
run table, prompts) are screens of their own, so these keys are not live under them.
"""

from __future__ import annotations

from typing import Protocol, cast

from textual.binding import Binding
from textual.screen import Screen

from heatscope.read.session import Session
from heatscope.tui import prompts
from heatscope.tui.follow import Follower
from heatscope.tui.heatmap import HeatmapView
from heatscope.tui.model import Inspector, Outcome
from heatscope.tui.runs import RunBrowser
from heatscope.tui.stats_view import StatsPresenter
from heatscope.tui.tree import DatasetTree


class Inspecting(Protocol):
    """What the screen uses of the app (``tui.app.HeatscopeApp``)."""

    model: Inspector
    session: Session
    runs: RunBrowser
    follower: Follower
    stats: StatsPresenter
    heatmap: HeatmapView

    def apply(self, outcome: Outcome) -> None: ...
    def set_state(self, state) -> None: ...
    def open_dataset(self, file_index: int, info, picks=None) -> None: ...
    def notify(self, message: str, **options) -> None: ...


class InspectorScreen(Screen):
    """The heatmap, tree, stats and key bar (composed by the app) and their keys."""

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
    ]

    @property
    def inspecting(self) -> Inspecting:
        return cast(Inspecting, self.app)

    def _intent(self, outcome: Outcome) -> None:
        self.inspecting.apply(outcome)

    # -- the widgets' events -----------------------------------------------------------
    def on_heatmap_view_cursor_moved(self, message: HeatmapView.CursorMoved) -> None:
        app = self.inspecting
        if app.model.move_cursor(message.cursor):
            app.stats.update_cursor()  # the row's summary only: in the heatmap's frame

    def on_tree_node_selected(self, event: DatasetTree.NodeSelected) -> None:
        app = self.inspecting
        if event.node.data is None:
            return
        if event.node.data[0] == "file":  # a run's row: show that run
            if app.model.state is None or event.node.data[1] != app.model.state.file_index:
                app.runs.show_run(event.node.data[1])
            return
        file_index, info = event.node.data
        if not info.viewable:
            app.notify(f"{info.display_path}: {info.reason}", title="Not viewable")
            return
        app.open_dataset(file_index, info)
        app.heatmap.focus()

    def on_tree_node_expanded(self, event: DatasetTree.NodeExpanded) -> None:
        data = event.node.data
        if data and data[0] == "file":
            self.inspecting.runs.expanded(data[1], bool(event.node.children))

    # -- keys ----------------------------------------------------------------------
    def action_step(self, delta: int) -> None:
        self._intent(self.inspecting.model.step(delta))

    def action_step2(self, delta: int) -> None:
        self._intent(self.inspecting.model.step2(delta))

    def action_transpose(self) -> None:
        self._intent(self.inspecting.model.transpose())

    def action_zoom(self, delta: int) -> None:
        layout = self.inspecting.heatmap.grid_layout
        if layout is not None:
            self._intent(self.inspecting.model.zoom(delta, layout.zoom_levels))

    def action_toggle_zoom(self) -> None:
        layout = self.inspecting.heatmap.grid_layout
        if layout is not None:
            self._intent(self.inspecting.model.toggle_zoom(layout.one_to_one))

    def action_cycle_cmap(self) -> None:
        self._intent(self.inspecting.model.cycle_cmap())

    def action_reverse_cmap(self) -> None:
        self._intent(self.inspecting.model.reverse_cmap())

    def set_cmap(self, name: str) -> None:
        self._intent(self.inspecting.model.set_cmap(name))

    def action_cycle_range(self) -> None:
        self._intent(self.inspecting.model.cycle_range())

    def set_range(self, mode: str) -> None:
        self._intent(self.inspecting.model.set_range(mode))

    def action_cycle_profile(self) -> None:
        self._intent(self.inspecting.model.cycle_profile())

    def action_toggle_derived(self) -> None:
        self._intent(self.inspecting.model.toggle_derived())

    def action_stack_runs(self) -> None:
        self._intent(self.inspecting.model.stack_runs())

    def action_next_run(self, delta: int) -> None:
        self.inspecting.runs.next_run(delta)

    def action_sort_runs(self) -> None:
        self._intent(self.inspecting.model.sort_runs())
        self.inspecting.runs.refill_tree()

    def action_toggle_follow(self) -> None:
        from heatscope.views.follow import at_newest

        app = self.inspecting
        app.follower.set(not app.model.following)
        if app.model.following and app.model.state is not None:
            app.set_state(at_newest(app.model.state))
        app.notify("following: new data is shown as it is written" if app.model.following else "follow off",
                   timeout=2)

    def action_toggle_tree(self) -> None:
        tree = self.query_one(DatasetTree)
        tree.toggle_class("-hidden")
        (self.inspecting.heatmap if tree.has_class("-hidden") else tree).focus()

    # -- keys that ask first ---------------------------------------------------------
    def action_goto(self) -> None:
        prompts.goto(self.app)

    def action_facet(self) -> None:
        prompts.facet(self.app)

    def action_diff(self) -> None:
        prompts.diff(self.app)

    def action_choose_axes(self) -> None:
        prompts.choose_axes(self.app)

    def action_choose_step_axis(self) -> None:
        prompts.choose_step_axis(self.app)

    def action_metric(self) -> None:
        prompts.metric(self.app)

    def action_run_table(self) -> None:
        prompts.run_table(self.app)

    def action_screenshot(self) -> None:
        prompts.screenshot(self.app)

    def action_export_command(self) -> None:
        prompts.export_command(self.app)

    def action_help(self) -> None:
        prompts.help_screen(self.app)
