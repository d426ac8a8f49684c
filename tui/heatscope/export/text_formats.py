"""Figures as terminal text: lines of Rich segments, then txt, ansi, svg, html and csv."""

from __future__ import annotations

import csv
import io

from rich.console import Console
from rich.segment import Segment
from rich.text import Text

from heatscope.render.grid import frame_models, layout_grid
from heatscope.render.heatmap_panel import row_label_width
from heatscope.render.profile import profile_lines
from heatscope.views.frame import Frame

MAX_WIDTH = 240


PROFILE_SIZE = (100, 18)  # a chart's width and height in characters


def figure_width(fig: Frame) -> int:
    """Wide enough for square (2-column) cells when possible, within 80..240 columns."""
    if fig.profile is not None:
        return PROFILE_SIZE[0]
    label_w = row_label_width(_row_labels(fig), _row_name(fig))
    return max(80, min(MAX_WIDTH, label_w + 1 + 2 * fig.state.selection.n_cols + 2))


def _row_name(fig: Frame) -> str:
    sel = fig.state.selection
    return fig.info.axes[sel.row_axis].name if sel.row_axis is not None else ""


def _row_labels(fig: Frame) -> tuple[str, ...]:
    sel = fig.state.selection
    if sel.row_axis is None:
        return (fig.info.name,)
    axis = fig.info.axes[sel.row_axis]
    return tuple(axis.label(i) for i in range(sel.n_rows))


def figure_lines(fig: Frame, width: int | None = None, mono: bool = False) -> list[list[Segment]]:
    """Every panel (side by side when they fit, else stacked), one shared legend at the end;
    or the profile chart."""
    width = width or figure_width(fig)
    if fig.profile is not None:
        return profile_lines(fig.profile, width, PROFILE_SIZE[1])
    return layout_grid(frame_models(fig, mono), width, None, fig.per_row, blank_between=True).lines


def _console(width: int, **kwargs) -> Console:
    return Console(width=width, file=io.StringIO(), legacy_windows=False, highlight=False,
                   emoji=False, markup=False, **kwargs)


def _text(line: list[Segment]) -> Text:
    return Text.assemble(*((s.text, s.style) for s in line), no_wrap=True)


def to_txt(fig: Frame) -> str:
    """Plain text with shading glyphs (no color codes)."""
    return "\n".join("".join(s.text for s in line).rstrip() for line in figure_lines(fig, mono=True)) + "\n"


def _recorded(fig: Frame, **kwargs) -> Console:
    width = figure_width(fig)
    console = _console(width, record=True, color_system="truecolor", force_terminal=True, **kwargs)
    for line in figure_lines(fig, width):
        console.print(_text(line), crop=False, overflow="ignore")
    return console


def to_ansi(fig: Frame) -> str:
    """Truecolor ANSI for `less -R` and logs."""
    width = figure_width(fig)
    console = _console(width, color_system="truecolor", force_terminal=True)
    for line in figure_lines(fig, width):
        console.print(_text(line), crop=False, overflow="ignore")
    return console.file.getvalue()


def to_svg(fig: Frame) -> str:
    return _recorded(fig).export_svg(title=f"heatscope: {fig.name} {fig.info.display_path}")


def to_html(fig: Frame) -> str:
    return _recorded(fig).export_html(inline_styles=True)


def csv_value(value: float, missing: bool) -> str:
    """A cell as CSV: empty for the file's fill value, ``nan``, ``inf``, ``-inf``, or the number
    (the same four cases the TUI marks with ·, ×, + and -)."""
    if missing:
        return ""
    return "nan" if value != value else repr(float(value))


def to_csv(fig: Frame) -> str:
    """One row per cell of every panel: panel title, the index labels on every axis, value.

    An overview (a slice too large to read whole) has one row per block instead: the
    displayed axes' labels are the block's range (``0..1999``) and the value its maximum."""
    info = fig.info
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if fig.profile is not None:  # one row per point of every series
        writer.writerow(["series", fig.profile.x_name, "value"])
        for name, values in fig.profile.series:
            for label, value in zip(fig.profile.x_labels, values):
                writer.writerow([name, label, csv_value(float(value), False)])
        return out.getvalue()
    writer.writerow(["panel", *(a.name for a in info.axes), "value"])
    for panel in fig.panels:
        ps = panel.spec.selection
        rs, cs = panel.factors
        for r in range(panel.values.shape[0]):
            for c in range(panel.values.shape[1]):
                labels = []
                for axis_index, axis in enumerate(info.axes):
                    if axis_index == ps.row_axis:
                        labels.append(axis.span(r * rs, rs))
                    elif axis_index == ps.col_axis:
                        labels.append(axis.span(c * cs, cs))
                    else:
                        labels.append(axis.label(ps.index[axis_index]))
                writer.writerow([panel.spec.title, *labels, csv_value(panel.values[r, c], panel.missing[r, c])])
    return out.getvalue()
