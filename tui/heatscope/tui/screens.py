"""Modal screens: help, go to, and choosing displayed axes / the step axis.

Every text here is handed over as ``Text`` (never parsed as markup) after ``safe_text``:
prompts and options quote axis names and labels from files, and heatscope's own
"[ and ]" must not be eaten as markup either."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from heatscope.text import safe_text
from heatscope.tui.keys import KEYS

MODAL_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{ width: {width}; max-width: 95%; height: auto; max-height: 95%;
    border: round $accent; background: $surface; padding: 0 1; }}
"""


class HelpScreen(ModalScreen[None]):
    """Every key heatscope understands."""

    DEFAULT_CSS = MODAL_CSS.format(name="HelpScreen", width=96)
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        for key, what in KEYS:
            table.add_row(Text(key), Text(what))
        with Vertical():
            yield Label(Text("heatscope keys", style="bold"))
            yield VerticalScroll(Static(table))
            yield Label(Text("escape closes", style="dim"))


class GoToScreen(ModalScreen[str | None]):
    """A one-line question: go to ``layer 18``, facet by ``variant``, diff ``variant=A,B``."""

    DEFAULT_CSS = MODAL_CSS.format(name="GoToScreen", width=64)
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self, hint: str, prompt: str = "Go to (axis label-or-index; several separated by commas)", value: str = ""
    ) -> None:
        super().__init__()
        self.hint = hint
        self.prompt = prompt
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(safe_text(self.prompt)))
            yield Input(value=safe_text(self.value), placeholder=safe_text(self.hint), id="goto-input")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if self.app.screen is self:  # Enter twice quickly: the second answer comes after it closed
            self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceScreen(ModalScreen[int | None]):
    """Pick one option from a list (displayed axes, step axis)."""

    DEFAULT_CSS = MODAL_CSS.format(name="ChoiceScreen", width=60)
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, options: list[str]) -> None:
        super().__init__()
        self.title_text = title
        self.options = options

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(safe_text(self.title_text)))
            yield OptionList(*[Option(Text(safe_text(o))) for o in self.options], id="choices")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if self.app.screen is self:  # a second Enter queued before it closed
            self.dismiss(event.option_index)

    def action_cancel(self) -> None:
        self.dismiss(None)


class MetricScreen(ModalScreen[tuple[str, str] | None]):
    """Choose an axis and a statistic for a metric view; Enter on the statistic applies."""

    DEFAULT_CSS = MODAL_CSS.format(name="MetricScreen", width=64) + """
    MetricScreen Horizontal { height: auto; max-height: 18; }
    MetricScreen OptionList { width: 1fr; height: auto; max-height: 16; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, axes: list[str], stats: list[str], axis: str, stat: str) -> None:
        super().__init__()
        self.axes, self.stats = axes, stats
        self.axis, self.stat = axis, stat

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text("Metric view: a statistic over one axis (Enter applies, m returns to the slice)"))
            with Horizontal():
                yield OptionList(*[Option(Text(safe_text(a))) for a in self.axes], id="metric-axes")
                yield OptionList(*[Option(Text(s)) for s in self.stats], id="metric-stats")

    def on_mount(self) -> None:
        axes, stats = self.query_one("#metric-axes", OptionList), self.query_one("#metric-stats", OptionList)
        axes.highlighted = self.axes.index(self.axis) if self.axis in self.axes else 0
        stats.highlighted = self.stats.index(self.stat) if self.stat in self.stats else 0
        stats.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if self.app.screen is not self:  # a second Enter queued before it closed
            return
        if event.option_list.id == "metric-axes":
            self.query_one("#metric-stats", OptionList).focus()
            return
        axis = self.axes[self.query_one("#metric-axes", OptionList).highlighted or 0]
        self.dismiss((axis, self.stats[event.option_index]))

    def action_cancel(self) -> None:
        self.dismiss(None)
