"""The stats side panel widget: the headless stats renderable, and a sparkline of the cursor
row's metric along the step axis."""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Sparkline, Static

from heatscope.data.text import safe_text

SPARK_POINTS = 256  # longer series are max-pooled to this many points first


class StatsPanel(VerticalScroll):
    """Slice stats, balance metrics, hottest cells, the cursor cell and a sparkline."""

    DEFAULT_CSS = """
    StatsPanel { width: 30; border-left: vkey $foreground 30%; padding: 0 0 0 1; scrollbar-size-vertical: 1; }
    StatsPanel > Static { width: 100%; }
    StatsPanel > Sparkline { height: 2; margin-right: 1; }
    StatsPanel > .-hidden { display: none; }
    """

    def compose(self):
        yield Static("", id="stats-cursor")
        yield Static("", id="spark-label", classes="-hidden")
        yield Sparkline([], id="spark", classes="-hidden")
        yield Static("", id="stats-body")

    def update(self, parts: tuple[RenderableType, RenderableType]) -> None:
        """The cursor section, then (after the sparkline) the slice's statistics."""
        self.query_one("#stats-cursor", Static).update(parts[0])
        self.query_one("#stats-body", Static).update(parts[1])

    def show_spark(self, label: str, values) -> None:
        """A sparkline of ``values`` titled ``label`` (max-pooled to ``SPARK_POINTS``), or
        none for ``values`` None."""
        label_widget, spark = self.query_one("#spark-label", Static), self.query_one("#spark", Sparkline)
        hidden = values is None or len(values) < 2
        label_widget.set_class(hidden, "-hidden")
        spark.set_class(hidden, "-hidden")
        if hidden:
            return
        import numpy as np

        data = np.asarray(values, np.float64)
        group = -(-len(data) // SPARK_POINTS)
        if group > 1:
            pad = -len(data) % group
            data = np.fmax.reduce(np.pad(data, (0, pad), constant_values=np.nan).reshape(-1, group), axis=1)
        finite = data[np.isfinite(data)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
        label_widget.update(Text(safe_text(f"{label}: {lo:.3g}..{hi:.3g}"), style="dim", no_wrap=True,
                                 overflow="ellipsis"))
        spark.data = [float(v) if np.isfinite(v) else lo for v in data]
