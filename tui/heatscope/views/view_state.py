"""What is on screen: dataset, selection, cursor, colormap and range mode (headless)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from heatscope.catalog.datasets import DatasetInfo
from heatscope.errors import HeatscopeError
from heatscope.read.selection import Selection, resolve_selection
from heatscope.read.slices import relative_load_view
from heatscope.views.facets import DiffSpec, Facet, PanelSpec, panel_specs
from heatscope.views.normalize import available_modes, default_mode


@dataclass(frozen=True)
class ViewState:
    file_index: int
    info: DatasetInfo  # as presented (the relative-load view of counts when derived)
    selection: Selection
    cursor: tuple[int, int] = (0, 0)
    cmap: str = "viridis"
    range_mode: str = "slice"
    derived: bool = False
    step_axis: int | None = None  # the axis [ and ] step
    vmin: float | None = None
    vmax: float | None = None
    facets: tuple[Facet, ...] = ()  # one panel per label (product of up to two axes)
    diff: DiffSpec | None = None  # every panel shows B minus A along an axis
    minus_file: int | None = None  # every panel shows this file minus the same slice there
    zoom: int = 0  # 0 fits the screen; higher levels draw fewer data cells per character
    profile: str | None = None  # "row" or "col": the cursor's row or column as a chart too
    run: str = ""  # the run's name in titles, when several runs are open

    @property
    def slice_key(self) -> tuple:
        """Identifies what must be read: dataset, view, selection, facets and diff."""
        return (self.file_index, self.info.path, self.info.reduction, self.derived, self.selection.identity,
                self.facets, self.diff, self.minus_file)

    @property
    def differenced(self) -> bool:
        return self.diff is not None or self.minus_file is not None

    def panels(self) -> list[PanelSpec]:
        return panel_specs(self.info, self.selection, list(self.facets), self.diff, self.run)

    def stepped(self) -> tuple[int, ...]:
        """Stepped axes that are not faceted or differenced (those [ ] and { } can step)."""
        fixed = {f.axis for f in self.facets} | ({self.diff.axis} if self.diff else set())
        return tuple(a for a in self.selection.stepped_axes if a not in fixed)

    def second_step_axis(self) -> int | None:
        """The axis ``{``/``}`` step: the first free stepped axis other than ``step_axis``."""
        others = [a for a in self.stepped() if a != self.step_axis]
        return others[0] if others else None

    def with_selection(self, sel: Selection) -> ViewState:
        """New selection; the cursor keeps its cell (clamped); facets, diff and the step axis
        are kept while their axes are still stepped."""
        facets = tuple(f for f in self.facets if f.axis in sel.stepped_axes)
        diff = self.diff if self.diff is not None and self.diff.axis in sel.stepped_axes else None
        state = replace(self, selection=sel, facets=facets, diff=diff)
        row = min(self.cursor[0], state.n_panels() * sel.n_rows - 1)
        col = min(self.cursor[1], sel.n_cols - 1)
        step = self.step_axis if self.step_axis in state.stepped() else primary_step_axis(self.info, sel, state.stepped())
        return replace(state, cursor=(row, col), step_axis=step)

    def n_panels(self) -> int:
        count = 1
        for f in self.facets:
            count *= len(f.indices)
        return count

    def cursor_panel(self) -> tuple[int, int, int]:
        """(panel, row, col) of the cursor: rows run on through stacked panels."""
        rows = self.selection.n_rows
        return self.cursor[0] // rows, self.cursor[0] % rows, self.cursor[1]

    def transposed(self) -> ViewState:
        if self.selection.row_axis is None:
            return self
        panel, row, col = self.cursor_panel()
        state = self.with_selection(self.selection.transposed())
        return replace(state, cursor=(panel * state.selection.n_rows + col, row))

    def cycle_range(self) -> ViewState:
        modes = available_modes(self.info.value)
        i = modes.index(self.range_mode) if self.range_mode in modes else -1
        return replace(self, range_mode=modes[(i + 1) % len(modes)])


def primary_step_axis(info: DatasetInfo, sel: Selection, stepped: tuple[int, ...] | None = None) -> int | None:
    """The stepped axis named like "layer", else the innermost stepped axis."""
    stepped = sel.stepped_axes if stepped is None else stepped
    for a in stepped:
        if "layer" in info.axes[a].name.casefold():
            return a
    return stepped[-1] if stepped else None


def initial_state(
    file_index: int,
    info: DatasetInfo,
    picks: dict[str, str] | None = None,
    cmap: str | None = None,
    range_mode: str | None = None,
    derived: bool | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
) -> ViewState:
    """The view a dataset opens on: last two axes shown, picks applied, file's defaults."""
    view = relative_load_view(info)
    use_derived = bool(view) if derived is None else bool(derived and view)
    shown = view if use_derived and view else info
    try:
        sel = resolve_selection(shown.axes, dict(info.default_picks))
    except HeatscopeError:  # a stale default_select in the file is not fatal
        sel = resolve_selection(shown.axes, {})
    sel = resolve_selection(shown.axes, picks or {}, base=sel)
    modes = available_modes(shown.value)
    mode = range_mode if range_mode in modes else default_mode(shown.value)
    return ViewState(
        file_index=file_index,
        info=shown,
        selection=sel,
        cmap=cmap or shown.value.colormap,
        range_mode=mode,
        derived=use_derived,
        step_axis=primary_step_axis(shown, sel),
        vmin=vmin,
        vmax=vmax,
    )
