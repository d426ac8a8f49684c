"""Tick labels name the data index drawn under them, checked by position.

At 80x24 a 61 x 256 slice is drawn at 7 experts per cell; the ticks used to read
``0 1 2 ... 16`` where the cells held experts 0-6, 7-13, ... For every label on the tick
line, the character it starts on must hold the data column the label names; the same for
row labels. Every aggregation, half-block packing and cell width is covered.
"""

import re
from dataclasses import replace

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


SHAPES = [(61, 256), (3, 64), (28, 7), (200, 3000), (100000 // 1000, 1), (1, 500), (5, 33), (40, 129)]
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
    for match in re.finditer(r"\S+", ticks):
        x = match.start() - layout.map_x
        assert 0 <= x < geo.width, (ticks, x)
        shown = int(x / geo.col_chars)  # half blocks: the left cell of the character
        index = c0 + shown * geo.col_group
        label = match.group()
        expected = model.col_labels[index]
        assert label == expected or (label.endswith("…") and expected.startswith(label[:-1])), \
            (shape, size, geo, label, expected)
        found += 1
    assert found >= 1
    for y in range(geo.height):  # row labels: the first data row drawn on the line
        label = _text(layout.lines[layout.map_y + y][:1]).strip()
        shown = int(y / geo.row_lines)
        expected = model.row_labels[r0 + shown * geo.row_group]
        assert label == expected or (label.endswith("…") and expected.startswith(label[:-1]))


def test_aggregated_ticks_at_80x24_name_group_starts():
    layout = layout_heatmap(_model(61, 256), 48, 22)
    assert layout.geometry.col_group == 7
    labels = re.findall(r"\S+", _text(layout.lines[layout.map_y + layout.geometry.height]))
    indices = [int(label[1:]) for label in labels]
    assert indices[0] == 0 and len(indices) > 3
    assert all(i % 7 == 0 for i in indices)  # each names the first expert of its cell
