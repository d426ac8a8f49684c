"""Keeping the stats panel and the profile strip in step with the view.

A cursor move redraws only the cursor section (its summary costs a row, not the slice),
in the same frame as the heatmap. The slice section is recomputed when the panels, colors
or scan note changed: in the heatmap's frame for a slice of up to ``SYNC_CELLS`` values
(a millisecond or two), else at most every ``STATS_SECONDS`` during a burst of keys
(throttled, so it also updates while a key is held).
"""

from __future__ import annotations

from dataclasses import replace

from heatscope.tui.messages import while_running
from heatscope.tui.profile_strip import ProfileStrip
from heatscope.views.frame import profile_of
from heatscope.views.panels import display_info

STATS_SECONDS = 0.05
SYNC_CELLS = 1 << 13  # slices this small get their stats in the heatmap's own frame (about a millisecond)


class StatsViewMixin:
    """The stats panel and profile strip of ``HeatscopeApp``."""

    _stats_timer = None
    _slice_shown: tuple | None = None  # what the slice section was drawn for

    def _schedule_stats(self, delay: float = STATS_SECONDS) -> None:
        """Update the whole stats panel soon: at most once per ``delay`` during bursts."""
        if self._stats_timer is None:
            self._stats_timer = self.set_timer(delay, self._update_stats)

    def stats_after_redraw(self) -> None:
        """After the heatmap changed: the stats in the same frame (one frame per key, not
        two) when the worker that read the panels summarized them, else throttled."""
        panels = self.panels
        if panels and (all(p.summary is not None for p in panels) or sum(p.values.size for p in panels) <= SYNC_CELLS):
            if self._stats_timer is not None:
                self._stats_timer.stop()
                self._stats_timer = None
            self._update_stats()
        else:
            self._schedule_stats()

    def _cursor_panel(self):
        """(displayed info, panel under the cursor, row, col) or None."""
        state, panels = self.state, self.panels
        if state is None or panels is None:
            return None
        panel, row, col = state.cursor_panel()
        return display_info(state), panels[min(panel, len(panels) - 1)], row, col

    @while_running
    def _update_stats(self) -> None:
        from heatscope.read.summary import summarize
        from heatscope.render.stats_panel import panel_balance, slice_renderable

        self._stats_timer = None
        found = self._cursor_panel()
        if found is None:
            return
        info, p, _, _ = found
        state, panels = self.state, self.panels
        summary = p.summary if p.summary is not None else summarize(info, p.data)
        note = "" if not self.scan_note else \
            self.scan_note if self.scan_note.startswith("not scanned") else f"global range {self.scan_note}"
        key = (id(panels), id(p), self.norm, state.cmap, note, state.differenced)
        if key != self._slice_shown:
            self._slice_shown = key
            balance = panel_balance(info, panels) if len(panels) > 1 else []
            self.query_one("StatsPanel").update_slice(
                slice_renderable(summary, self.norm, state.cmap, note, balance, p.spec.title))
        self.update_cursor_stats()

    @while_running
    def update_cursor_stats(self) -> None:
        """The cursor section, the profile strip and the sparkline, for the cursor now."""
        from heatscope.read.summary import summarize_cursor
        from heatscope.render.stats_panel import cursor_renderable

        found = self._cursor_panel()
        if found is None:
            return
        info, p, row, col = found
        cursor = summarize_cursor(info, p.data, row, col, self.heatmap.cell_size)
        self.query_one("StatsPanel").update_cursor(cursor_renderable(cursor, self.state.run))
        if self.state.profile is not None:
            self.query_one(ProfileStrip).show_chart(profile_of(self.state, self.panels, self.norm))
        if p.factors == (1, 1):
            self.request_spark(self.state, row)

    def action_cycle_profile(self) -> None:
        """The profile strip: off -> the cursor's row -> its column -> off."""
        if self.state is None:
            return
        modes = [None, "row", "col"]
        profile = modes[(modes.index(self.state.profile) + 1) % len(modes)]
        self.set_state(replace(self.state, profile=profile))
        self.set_profile(profile)
        self.update_cursor_stats()

    def set_profile(self, profile: str | None) -> None:
        """Show the profile strip for ``profile`` ("row", "col"), or hide it."""
        self.query_one(ProfileStrip).set_class(profile is None, "-hidden")
