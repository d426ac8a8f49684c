"""The keys that ask before they change the view: each pushes its screen (``tui.screens``,
``tui.run_table``) and hands the answer to the model's intent, whose outcome the app applies."""

from __future__ import annotations

from pathlib import Path

from heatscope.tui.screens import ChoiceScreen, GoToScreen, HelpScreen, MetricScreen
from heatscope.views.edits import default_metric, raw_info
from heatscope.views.facets import facet_text


def _ask(app, prompt: str, hint: str, then, value: str = "") -> None:
    app.push_screen(GoToScreen(hint, prompt, value), lambda text: app.apply(then(text)))


def help_screen(app) -> None:
    app.push_screen(HelpScreen())


def goto(app) -> None:
    state = app.model.state
    if state is None:
        return
    names = [a.name for a in state.info.axes]
    default = names[state.step_axis] if state.step_axis is not None else None
    hint = f"{default} {state.info.axes[state.step_axis].label(0)}" if default else names[0] + " 0"
    _ask(app, "Go to (axis label-or-index; several separated by commas)", hint, app.model.goto)


def facet(app) -> None:
    state = app.model.state
    if state is None:
        return
    current = " ".join(facet_text(state.info, f) for f in state.facets)
    _ask(app, "Facet by (e.g. 'variant', 'layer=9,18 variant', 'layer=7:12'; empty clears)",
         "layer=9,18 variant", app.model.facet, value=current)


def diff(app) -> None:
    state = app.model.state
    if state is None:
        return
    if state.differenced:
        app.apply(app.model.clear_diff())
        return
    stepped = state.stepped()
    hint = "variant=Aux-Loss-Based,Aux-Loss-Free"
    if stepped:
        axis = state.info.axes[stepped[0]]
        hint = f"{axis.name}={axis.label(0)},{axis.label(min(1, axis.size - 1))}"
    _ask(app, "Diff: AXIS=A,B shows B minus A; file=NAME shows this file minus NAME (d again clears)",
         hint, app.model.diff, value=hint)


def choose_axes(app) -> None:
    state = app.model.state
    if state is None or len(state.info.axes) < 2:
        return
    axes = state.info.axes
    pairs = [(r, c) for r in range(len(axes)) for c in range(len(axes)) if r != c]

    def chosen(index: int | None) -> None:
        if index is not None:
            app.apply(app.model.display(*pairs[index]))

    labels = [f"rows {axes[r].name} x columns {axes[c].name}" for r, c in pairs]
    app.push_screen(ChoiceScreen("Display which axes?", labels), chosen)


def choose_step_axis(app) -> None:
    state = app.model.state
    if state is None or not state.stepped():
        return
    stepped = list(state.stepped())

    def chosen(index: int | None) -> None:
        if index is not None:
            app.apply(app.model.set_step_axis(stepped[index]))

    labels = [f"{state.info.axes[a].name} ({state.info.axes[a].size})" for a in stepped]
    app.push_screen(ChoiceScreen("Which axis do [ and ] step?", labels), chosen)


def metric(app) -> None:
    """``m``: choose a statistic over an axis (for load kinds the expert axis by MaxVio is
    preselected); ``m`` in a metric view returns to the slice."""
    from heatscope.stats.metrics import statistics_for

    model = app.model
    state = model.state
    if state is None:
        return
    if state.info.computed:
        app.workers.cancel_group(app, "reduce")
        app.key_hints.set_status("")
        app.apply(model.leave_metric())
        return
    raw = raw_info(state, app.session)
    if raw is None or len(raw.shape) < 2:
        app.notify("a metric view needs a dataset of two or more axes")
        return
    axis, stat = default_metric(raw)
    axes = [a.name for a in raw.axes if a.name != "run" or state.info.stack is None]

    def chosen(choice: tuple[str, str] | None) -> None:
        if choice is not None:
            app.apply(model.metric(*choice))

    app.push_screen(MetricScreen(axes, list(statistics_for(raw.value.is_load)), axis, stat), chosen)


def run_table(app) -> None:
    """Every run in a sortable table; Enter shows the chosen run at the same view."""
    from heatscope.tui.run_table import RunTableScreen

    state = app.model.state
    if state is None:
        return

    def chosen(file_index: int | None) -> None:
        current = app.model.state
        if file_index is not None and current is not None and file_index != current.file_index:
            app.runs.show_run(file_index)

    app.push_screen(RunTableScreen(state, app.model.run_order()), chosen)


def screenshot(app) -> None:
    from heatscope.render.file_names import screenshot_name
    from heatscope.views.titles import view_title

    directory = app.options.screenshot_dir or Path.cwd()
    state = app.model.state
    name = screenshot_name(app.session.run_name(state.file_index) if state else "heatscope",
                           view_title(state.info, state.selection) if state else "")
    try:
        path = app.save_screenshot(name, str(directory))
    except OSError as exc:
        app.notify(f"cannot save screenshot in {directory}: {exc.strerror or exc}", severity="error")
        return
    app.notify(f"saved {path}", title="Screenshot")


def export_command(app) -> None:
    """The ``heatscope export`` command that draws this view, shown and copied (OSC 52) for
    a report script."""
    from heatscope.views.resolve import view_command

    if app.model.state is None:
        return
    command = view_command(app.model.state, app.session) + " -o view.png"
    app.copy_to_clipboard(command)
    app.notify(command, title="Export command (copied)", timeout=15)
