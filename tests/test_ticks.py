"""Tick labels name the data index drawn under them, checked by position.

At 80x24 a 61 x 256 slice is drawn at 7 experts per cell; the ticks used to read
``0 1 2 ... 16`` where the cells held experts 0-6, 7-13, ... For every label on the tick
line, the character it starts on must hold the data column the label names; the same for
row labels. Every aggregation, half-block packing and cell width is covered.
"""

import re
from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest

from heatscope.render.heatmap_panel import HeatmapModel, layout_heatmap
from heatscope.views.normalize import Norm


def _model(rows, cols, mono=False):
    values = np.random.default_rng(rows * 1000 + cols).random((rows, cols))
    return HeatmapModel(values, tuple(f"r{i}" for i in range(rows)), tuple(f"c{i}" for i in range(cols)),
                        "layer", "expert", "title", "value", Norm(0.0, 1.0), "viridis", mono=mono)


def _text(line):
    return "".join(s.text for s in line)


SHAPES = [(61, 256), (3, 64), (28, 7), (200, 3000), (100000 // 1000, 1), (1, 500), (5, 33), (40, 129),
          (3, 4), (1, 3), (28, 2), (2, 9), (3, 12)]  # the last grow wider than their labels
SIZES = [(48, 22), (78, 22), (128, 46), (200, 46), (30, 10)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("mono, zoom", [(False, 0), (True, 0), (False, 1), (False, 3), (True, 9)])
def test_every_tick_label_sits_on_the_cell_it_names(shape, size, mono, zoom):
    model = replace(_model(*shape, mono=mono), zoom=zoom, cursor=(shape[0] // 2, shape[1] - 1))
    layout = layout_heatmap(model, *size)
    r0, c0 = layout.origin  # a zoomed map shows a window starting there
    geo = layout.geometry
    ticks = _text(layout.lines[layout.map_y + geo.height])
    found = 0
    shown_labels = model.col_labels[c0:c0 + geo.n_cols]  # a zoomed window's
    centred = geo.col_chars > max(len(x) for x in shown_labels) + 1  # cells grown wider than label and gap
    for match in re.finditer(r"\S+", ticks):
        x = match.start() - layout.map_x
        assert 0 <= x < geo.width, (ticks, x)
        shown = int(x / geo.col_chars)  # half blocks: the left cell of the character
        index = c0 + shown * geo.col_group
        label = match.group()
        expected = model.col_labels[index]
        assert label == expected or (label.endswith("…") and expected.startswith(label[:-1])), \
            (shape, size, geo, label, expected)
        if centred:  # within its cell, as much room left as right (to a character)
            left = x - shown * geo.col_chars
            assert match.end() - layout.map_x <= (shown + 1) * geo.col_chars
            assert left == (geo.col_chars - len(label)) // 2, (shape, size, geo, label, x)
        found += 1
    assert found >= 1
    assert found == geo.shown_cols or not centred  # and every cell labelled
    labelled = {}
    for y in range(geo.height):  # row labels: each on a line its row holds whole, in the row's middle
        label = _text(layout.lines[layout.map_y + y][:1]).strip()
        if label:
            labelled[y] = label
    expected = _label_lines(geo)
    assert sorted(labelled) == sorted(expected), (shape, size, geo)
    for y, label in labelled.items():
        name = model.row_labels[r0 + expected[y] * geo.row_group]
        assert label == name or (label.endswith("…") and name.startswith(label[:-1]))
    if model.cursor is not None and geo.row_group == 1 and geo.row_lines >= 1:  # the lit label: the cursor row
        lit = [y for y in labelled if layout.lines[layout.map_y + y][0].style.reverse]
        assert [expected[y] for y in lit] == [model.cursor[0] - r0] * len(lit) and lit


def _label_lines(geo):
    """{line: shown row} where the labels belong, from the rows' extents in half lines: a row
    a line or less tall labels every line it starts; a taller row labels one line, of the
    lines it holds whole the one nearest its centre (the upper of two)."""
    halves = int(geo.row_lines * 2)
    out = {}
    for r in range(geo.shown_rows):
        first, end = r * halves, (r + 1) * halves  # half lines [first, end)
        if halves <= 2:
            out.update({y: r for y in range(first // 2, (end + 1) // 2) if y * 2 >= first})
        else:
            whole = [y for y in range((first + 1) // 2, end // 2) if 2 * y >= first and 2 * y + 2 <= end]
            out[min(whole, key=lambda y: (abs(4 * y + 2 - first - end), y))] = r  # 2 x (centre of y - row's)
    return out


def test_labels_of_cells_grown_wide_are_centred_in_them():
    """3 x 4 in 78 x 22: columns grow to 18 characters (they stayed 2, the map 8 wide); each
    label sits in the middle of its cell, not at its left edge."""
    layout = layout_heatmap(_model(3, 4), 78, 22)
    geo = layout.geometry
    assert (geo.col_chars, geo.row_lines) == (18, Fraction(11, 2))
    ticks = _text(layout.lines[layout.map_y + geo.height])
    assert [(m.start() - layout.map_x, m.group()) for m in re.finditer(r"\S+", ticks)] == \
        [(8, "c0"), (26, "c1"), (44, "c2"), (62, "c3")]


def test_aggregated_ticks_at_80x24_name_group_starts():
    layout = layout_heatmap(_model(61, 256), 48, 22)
    assert layout.geometry.col_group == 7
    labels = re.findall(r"\S+", _text(layout.lines[layout.map_y + layout.geometry.height]))
    indices = [int(label[1:]) for label in labels]
    assert indices[0] == 0 and len(indices) > 3
    assert all(i % 7 == 0 for i in indices)  # each names the first expert of its cell
