"""Keeping the stats panel, the profile strip and the sparkline in step with the view.

A cursor move redraws only the cursor section (its summary costs a row, not the slice),
in the same frame as the heatmap. The slice section is recomputed when the panels, colors
or scan note changed: right after the heatmap's frame when the worker that read the panels
summarized them or the slice has at most ``SYNC_CELLS`` values, else at most every
``STATS_SECONDS`` during a burst of keys (throttled, so it also updates while a key is
held). After the frame, not in it: a step's stats (a few milliseconds of summaries and
text layout, and repainting the panel) would delay the heatmap, which is what the user
watches. While a key is held (redraws less than ``HELD_SECONDS`` apart) the stats follow
at most every ``HELD_STATS_SECONDS``: updating them on every key made each key cost more
than the key-repeat interval, so keys queued up behind the stats. The sparkline (the cursor row's metric along the step axis) is read by a
worker only when the row, the slice or the step axis changed.
"""

from __future__ import annotations

import time

from heatscope.tui import workers
from heatscope.tui.messages import while_running
from heatscope.tui.profile_strip import ProfileStrip
from heatscope.views.frame import profile_of
from heatscope.views.panels import display_info
from heatscope.views.view_state import ViewState

STATS_SECONDS = 0.05
HELD_SECONDS = 0.1  # redraws closer than this: a key is held down (key repeat)
HELD_STATS_SECONDS = 0.15  # the stats' pace while a key is held
SYNC_CELLS = 1 << 13  # slices this small get their stats in the heatmap's own frame (about a millisecond)


def spark_key(state: ViewState, row: int) -> tuple | None:
    """What the sparkline depends on; None when there is nothing to draw it along."""
    axis = state.step_axis
    if axis is None or state.differenced or state.info.reduction is not None or state.selection.row_axis is None:
        return None
    index = tuple(-1 if a == axis else i for a, i in enumerate(state.selection.index))
    return (state.file_index, state.info.path, state.derived, state.selection.displayed, index, axis, row)


class StatsPresenter:
    """Draws the model's view into the stats panel, profile strip and sparkline of ``app``."""

    def __init__(self, app) -> None:
        self.app = app
        self.timer = None
        self.after_frame = False  # an update is due once the heatmap's frame is drawn
        self.last_redraw = 0.0
        self.slice_shown: tuple | None = None  # what the slice section was drawn for
        self.spark_shown: tuple | None = None

    def schedule(self, delay: float = STATS_SECONDS) -> None:
        """Update the whole stats panel soon: at most once per ``delay`` during bursts."""
        if self.timer is None:
            self.timer = self.app.set_timer(delay, self.update)

    def stop(self) -> None:
        if self.timer is not None:
            self.timer.stop()
            self.timer = None

    def after_redraw(self) -> None:
        """After the heatmap changed: the stats once its frame is drawn when the worker that
        read the panels summarized them, else (or while a key is held) throttled."""
        now = time.monotonic()
        held, self.last_redraw = now - self.last_redraw < HELD_SECONDS, now
        panels = self.app.model.current_panels()
        if held:
            self.schedule(HELD_STATS_SECONDS)
        elif panels and (all(p.summary is not None for p in panels) or sum(p.values.size for p in panels) <= SYNC_CELLS):
            self.stop()
            if not self.after_frame:
                self.after_frame = True
                self.app.call_after_refresh(self._update_after_frame)
        else:
            self.schedule()

    def _update_after_frame(self) -> None:
        self.after_frame = False
        self.update()

    def _cursor_panel(self):
        """(displayed info, panel under the cursor, row, col) or None."""
        model = self.app.model
        state, panels = model.state, model.current_panels()
        if panels is None or model.frame is None:
            return None
        panel, row, col = state.cursor_panel()
        return display_info(state), panels[min(panel, len(panels) - 1)], row, col

    @while_running
    def update(self) -> None:
        from heatscope.read.summary import summarize
        from heatscope.render.stats_panel import panel_balance, slice_renderable

        self.timer = None
        found = self._cursor_panel()
        if found is None:
            return
        info, p, _, _ = found
        model = self.app.model
        state, panels, norm = model.state, model.current_panels(), model.frame.norm
        summary = p.summary if p.summary is not None else summarize(info, p.data)
        note = model.scan_note()
        key = (id(panels), id(p), norm, state.cmap, note, state.differenced)
        if key != self.slice_shown:
            self.slice_shown = key
            balance = panel_balance(info, panels) if len(panels) > 1 else []
            self.app.query_one("StatsPanel").update_slice(
                slice_renderable(summary, norm, state.cmap, note, balance, p.spec.title))
        self.update_cursor()

    @while_running
    def update_cursor(self) -> None:
        """The cursor section, the profile strip and the sparkline, for the cursor now."""
        from heatscope.read.summary import summarize_cursor
        from heatscope.render.stats_panel import cursor_renderable

        found = self._cursor_panel()
        if found is None:
            return
        info, p, row, col = found
        model = self.app.model
        cursor = summarize_cursor(info, p.data, row, col, self.app.heatmap.cell_size)
        self.app.query_one("StatsPanel").update_cursor(cursor_renderable(cursor, model.state.run))
        strip = self.app.query_one(ProfileStrip)
        strip.set_class(model.state.profile is None, "-hidden")
        if model.state.profile is not None:
            strip.show_chart(profile_of(model.state, model.current_panels(), model.frame.norm))
        if p.factors == (1, 1):
            self.request_spark(model.state, row)

    def request_spark(self, state: ViewState, row: int) -> None:
        key = spark_key(state, row)
        if key == self.spark_shown:
            return
        self.spark_shown = key
        if key is None:
            self.app.query_one("StatsPanel").show_spark("", None)
            return
        workers.start(self.app, workers.read_spark, state, row, key, group="spark")

    def spark_ready(self, key: tuple, label: str, values) -> None:
        if key == self.spark_shown:
            self.app.query_one("StatsPanel").show_spark(label, values)
