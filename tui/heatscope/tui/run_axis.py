"""Runs as an axis in the app: ``f run``, ``d run=A,B``, the palette's "Runs as an axis", or
any prompt naming ``run`` stacks the current dataset across runs (a worker opens the runs;
the ones that differ are listed with the reason) and continues with what was asked. In a
stacked view ``n``/``p`` step the run axis, and the title names the run.
"""

from __future__ import annotations

import re

from textual import work

from heatscope.errors import HeatscopeError
from heatscope.tui.messages import WorkerUpdate
from heatscope.views.view_state import ViewState, initial_state

RUN_WORD = re.compile(r"(^|[\s,])run($|[\s=,:])", re.IGNORECASE)


class StackReady(WorkerUpdate):
    def __init__(self, key: tuple, info, left_out: list, then, error: str = "") -> None:
        super().__init__()
        self.key, self.info, self.left_out, self.then, self.error = key, info, left_out, then, error


def names_run_axis(text: str | None) -> bool:
    """Whether a prompt's text refers to the ``run`` axis."""
    return bool(text) and bool(RUN_WORD.search(text))


class RunAxisMixin:
    """Stacking runs for ``HeatscopeApp``."""

    def needs_stack(self, text: str | None) -> bool:
        state = self.state
        return (state is not None and state.info.stack is None and len(self.session.files) > 1
                and names_run_axis(text))

    def action_stack_runs(self, then=None) -> None:
        state = self.state
        if state is None or state.info.stack is not None:
            return
        if len(self.session.files) < 2:
            self.notify("only one run is open")
            return
        self.query_one("KeyHints").set_status("stacking runs…")
        reduce = (state.info.reduction.reduced.name, state.info.reduction.stat) if state.info.reduction else None
        base = state.info.reduction.base_path if state.info.reduction else state.info.path
        self.build_stack(state.slice_key, base, self.run_order(), reduce, then)

    @work(thread=True, exclusive=True, exit_on_error=False, group="stack")
    def build_stack(self, key: tuple, path: str, order: list[int], reduce, then) -> None:
        try:
            info, left_out = self.session.stack(path, order, reduce)
        except HeatscopeError as exc:
            self.post_message(StackReady(key, None, [], then, str(exc)))
            return
        self.post_message(StackReady(key, info, left_out, then))

    def on_stack_ready(self, message: StackReady) -> None:
        self.query_one("KeyHints").set_status("")
        state = self.state
        if state is None or state.slice_key != message.key:
            return
        if message.info is None:
            self.notify(message.error, title="Runs as an axis", severity="error")
            return
        if message.left_out:
            listed = "; ".join(f"{self.session.run_name(i)}: {why}" for i, why in message.left_out[:4])
            more = f" and {len(message.left_out) - 4} more" if len(message.left_out) > 4 else ""
            self.notify(f"left out: {listed}{more}", title="Runs that differ", severity="warning", timeout=8)
        stacked = self.stacked_state(state, message.info)
        if stacked.info.reduction is not None:
            self.compute_metric(stacked)
        if message.then is None:
            self.start_view(stacked)
        else:
            self.state = stacked
            message.then()

    def stacked_state(self, state: ViewState, info) -> ViewState:
        """``state`` on the stacked dataset: the same labels, drawn axes and cursor, at this run."""
        from heatscope.tui.metric_views import carried_picks

        picks = carried_picks(state)
        members = info.stack.members
        if state.file_index in members:
            picks["#0"] = f"#{members.index(state.file_index)}"
        try:
            new = initial_state(state.file_index, info, picks, cmap=state.cmap, range_mode=state.range_mode,
                                derived=state.derived, vmin=state.vmin, vmax=state.vmax)
        except HeatscopeError:
            new = initial_state(state.file_index, info, derived=state.derived)
        names = [a.name for a in new.info.axes]
        shown = [state.info.axes[a].name for a in state.selection.displayed]
        sel = new.selection
        if len(shown) == 2 and all(n in names for n in shown):
            sel = sel.with_display(names.index(shown[0]), names.index(shown[1]))
        from dataclasses import replace

        return replace(new.with_selection(sel), cursor=state.cursor, zoom=state.zoom).with_selection(sel)

    def step_runs(self, delta: int) -> None:
        """``n``/``p`` in a stacked view: the next run on the run axis."""
        sel = self.state.selection
        if 0 in sel.displayed:
            self.notify("the run axis is drawn: every run is on screen")
            return
        self.set_state(self.state.with_selection(sel.at(0, (sel.index[0] + delta) % sel.shape[0])))
