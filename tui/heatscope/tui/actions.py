"""The app's key actions: stepping, going to, axes, colors, facets, diffs, screenshots."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from heatscope.colors.colormaps import next_in_cycle, reversed_name
from heatscope.errors import HeatscopeError
from heatscope.read.selection import resolve_selection
from heatscope.read.slices import relative_load_view
from heatscope.views.panels import DIFF_CMAP
from heatscope.views.titles import view_title
from heatscope.views.view_state import initial_state


def _facet_text(state, facet) -> str:
    axis = state.info.axes[facet.axis]
    return f"{axis.name}=" + ",".join(axis.label(i) for i in facet.indices)


class ActionsMixin:
    """Actions of ``HeatscopeApp``; they change ``self.state`` through ``set_state``."""

    def _step(self, axis: int | None, delta: int) -> None:
        if self.state is None:
            return
        if axis is None:
            self.notify("no axis to step: every other axis is displayed or faceted")
            return
        self.set_state(self.state.with_selection(self.state.selection.step(axis, delta)))

    def action_step(self, delta: int) -> None:
        self._step(self.state.step_axis if self.state else None, delta)

    def action_step2(self, delta: int) -> None:
        self._step(self.state.second_step_axis() if self.state else None, delta)

    def action_transpose(self) -> None:
        if self.state is not None:
            self.set_state(self.state.transposed())

    def action_zoom(self, delta: int) -> None:
        """One zoom level in or out (kept across steps)."""
        layout = self.heatmap.layout
        if self.state is None or layout is None:
            return
        level = max(0, min(layout.zoom_levels - 1, self.state.zoom + delta))
        if level == self.state.zoom:
            self.notify("already fitted to the screen" if delta < 0 else "already at the closest zoom", timeout=2)
            return
        self.set_state(replace(self.state, zoom=level))

    def action_toggle_zoom(self) -> None:
        """Fit <-> one data cell per character."""
        layout = self.heatmap.layout
        if self.state is None or layout is None:
            return
        level = 0 if self.state.zoom else layout.one_to_one
        if level == self.state.zoom:
            self.notify("every cell is already drawn whole", timeout=2)
            return
        self.set_state(replace(self.state, zoom=level))

    def action_cycle_cmap(self) -> None:
        if self.state is not None:
            self.set_cmap(next_in_cycle(self.state.cmap, self.state.info.value.colormap))

    def action_reverse_cmap(self) -> None:
        if self.state is not None:
            self.set_cmap(reversed_name(self.state.cmap))

    def set_cmap(self, name: str) -> None:
        if self.state is not None:
            self.set_state(replace(self.state, cmap=name))

    def action_cycle_range(self) -> None:
        if self.state is not None:
            if self.state.differenced:
                self.notify("a diff is always colored symmetrically around 0")
                return
            self.set_state(self.state.cycle_range())
            self.notify(f"color range: {self.state.range_mode}", timeout=2)
            self.scan_remote_on_request()

    def set_range(self, mode: str) -> None:
        if self.state is not None:
            self.set_state(replace(self.state, range_mode=mode))
            self.scan_remote_on_request()

    def action_toggle_derived(self) -> None:
        state = self.state
        if state is None:
            return
        raw = self.session.files[state.file_index].catalog.find(state.info.path)
        if raw is None or relative_load_view(raw) is None:
            self.notify("only token-count datasets have a relative-load view")
            return
        new = initial_state(state.file_index, raw, derived=not state.derived)
        new = replace(new, facets=state.facets, diff=state.diff).with_selection(state.selection)
        self.start_view(replace(new, cursor=state.cursor))
        self.notify("relative load" if self.state.derived else "raw token counts", timeout=2)

    def action_toggle_tree(self) -> None:
        from heatscope.tui.tree import DatasetTree

        tree = self.query_one(DatasetTree)
        tree.toggle_class("-hidden")
        (self.heatmap if tree.has_class("-hidden") else tree).focus()

    def action_help(self) -> None:
        from heatscope.tui.screens import HelpScreen

        self.push_screen(HelpScreen())

    def _ask(self, prompt: str, hint: str, then, value: str = "") -> None:
        from heatscope.tui.screens import GoToScreen

        self.push_screen(GoToScreen(hint, prompt, value), then)

    def action_goto(self) -> None:
        state = self.state
        if state is None:
            return
        names = [a.name for a in state.info.axes]
        default = names[state.step_axis] if state.step_axis is not None else None
        hint = f"{default} {state.info.axes[state.step_axis].label(0)}" if default else names[0] + " 0"
        self._ask("Go to (axis label-or-index; several separated by commas)", hint, self._goto)

    def _goto(self, text: str | None) -> None:
        from heatscope.tui.screens import parse_goto

        state = self.state
        if not text or state is None:
            return
        names = [a.name for a in state.info.axes]
        default = names[state.step_axis] if state.step_axis is not None else None
        try:
            picks = parse_goto(text, names, default)
            sel = resolve_selection(state.info.axes, picks, base=state.selection)
        except (ValueError, HeatscopeError) as exc:
            self.notify(str(exc), title="Go to", severity="error")
            return
        panel, row, col = state.cursor_panel()
        for name in picks:  # going to a displayed axis moves the cursor there
            axis = next((i for i, a in enumerate(state.info.axes) if a.name == name), None)
            if axis == sel.row_axis:
                row = sel.index[axis]
            elif axis == sel.col_axis:
                col = sel.index[axis]
        new = state.with_selection(sel)
        self.set_state(replace(new, cursor=(panel * sel.n_rows + row, col)))

    def action_facet(self) -> None:
        if self.state is not None:
            current = " ".join(_facet_text(self.state, f) for f in self.state.facets)
            self._ask("Facet by (e.g. 'variant', 'layer=9,18 variant', 'layer=7:12'; empty clears)",
                      "layer=9,18 variant", self._facet, value=current)

    def _facet(self, text: str | None) -> None:
        from heatscope.views.facets import panel_specs, parse_facet

        state = self.state
        if text is None or state is None:
            return
        if self.needs_stack(text):  # "run": stack the runs first, then facet
            self.action_stack_runs(then=lambda: self._facet(text))
            return
        try:
            facets = tuple(parse_facet(state.info, state.selection, part) for part in text.split())
            panel_specs(state.info, state.selection, list(facets), state.diff)
        except HeatscopeError as exc:
            self.notify(str(exc), title="Facet", severity="error")
            return
        if len(facets) > 2:
            self.notify("facet by one or two axes", title="Facet", severity="error")
            return
        self.set_state(replace(state, facets=facets).with_selection(state.selection))

    def action_diff(self) -> None:
        state = self.state
        if state is None:
            return
        if state.differenced:
            self.set_state(replace(state, diff=None, minus_file=None, cmap=state.info.value.colormap))
            self.notify("diff off", timeout=2)
            return
        stepped = state.stepped()
        hint = "variant=Aux-Loss-Based,Aux-Loss-Free"
        if stepped:
            axis = state.info.axes[stepped[0]]
            hint = f"{axis.name}={axis.label(0)},{axis.label(min(1, axis.size - 1))}"
        self._ask("Diff: AXIS=A,B shows B minus A; file=NAME shows this file minus NAME (d again clears)",
                  hint, self._diff, value=hint)

    def _diff(self, text: str | None) -> None:
        from heatscope.views.facets import panel_specs, parse_diff

        state = self.state
        if not text or state is None:
            return
        if text.strip().startswith("file="):
            self._diff_file(text.strip()[len("file="):].strip())
            return
        if self.needs_stack(text):  # "run=A,B": stack the runs first, then diff
            self.action_stack_runs(then=lambda: self._diff(text))
            return
        try:
            diff = parse_diff(state.info, state.selection, text)
            panel_specs(state.info, state.selection, list(state.facets), diff)
        except HeatscopeError as exc:
            self.notify(str(exc), title="Diff", severity="error")
            return
        self.set_state(replace(state, diff=diff, cmap=DIFF_CMAP).with_selection(state.selection))

    def _diff_file(self, name: str) -> None:
        """This file minus the same dataset and slice of another open file (run B - run A)."""
        from heatscope.views.facets import check_same_layout

        state = self.state
        files = self.session.files
        matches = [i for i, f in enumerate(files)
                   if name in (self.session.run_name(i), f.path.name, f.path.stem, str(f.path))]
        if matches:
            self.session.ensure_open(matches[0])
        try:
            if not matches or files[matches[0]].catalog is None:
                raise HeatscopeError(f"no open file named {name!r}")
            other = files[matches[0]].catalog.find(state.info.path)
            if other is None:
                raise HeatscopeError(f"no dataset {state.info.display_path} in {name}")
            check_same_layout(files[state.file_index].catalog.find(state.info.path), other)
        except HeatscopeError as exc:
            self.notify(str(exc), title="Diff", severity="error")
            return
        self.set_state(replace(state, minus_file=matches[0], diff=None, cmap=DIFF_CMAP))

    def action_choose_axes(self) -> None:
        from heatscope.tui.screens import ChoiceScreen

        state = self.state
        if state is None or len(state.info.axes) < 2:
            return
        axes = state.info.axes
        pairs = [(r, c) for r in range(len(axes)) for c in range(len(axes)) if r != c]

        def chosen(index: int | None) -> None:
            if index is not None and self.state is not None:
                self.set_state(self.state.with_selection(self.state.selection.with_display(*pairs[index])))

        labels = [f"rows {axes[r].name} x columns {axes[c].name}" for r, c in pairs]
        self.push_screen(ChoiceScreen("Display which axes?", labels), chosen)

    def action_choose_step_axis(self) -> None:
        from heatscope.tui.screens import ChoiceScreen

        state = self.state
        if state is None or not state.stepped():
            return
        stepped = list(state.stepped())

        def chosen(index: int | None) -> None:
            if index is not None and self.state is not None:
                self.set_state(replace(self.state, step_axis=stepped[index]))
                self.notify(f"[ and ] now step {state.info.axes[stepped[index]].name}")

        labels = [f"{state.info.axes[a].name} ({state.info.axes[a].size})" for a in stepped]
        self.push_screen(ChoiceScreen("Which axis do [ and ] step?", labels), chosen)

    def action_screenshot(self) -> None:
        from heatscope.render.file_names import screenshot_name

        directory = self.options.screenshot_dir or Path.cwd()
        state = self.state
        name = screenshot_name(
            self.session.run_name(state.file_index) if state else "heatscope",
            view_title(state.info, state.selection) if state else "",
        )
        try:
            path = self.save_screenshot(name, str(directory))
        except OSError as exc:
            self.notify(f"cannot save screenshot in {directory}: {exc.strerror or exc}", severity="error")
            return
        self.notify(f"saved {path}", title="Screenshot")

    def action_export_command(self) -> None:
        """The ``heatscope export`` command that draws this view, shown and copied (OSC 52)
        for a report script."""
        from heatscope.views.resolve import view_command

        if self.state is None:
            return
        command = view_command(self.state, self.session) + " -o view.png"
        self.copy_to_clipboard(command)
        self.notify(command, title="Export command (copied)", timeout=15)
