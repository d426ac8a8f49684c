"""A PNG export never cuts off a title: a narrow map under a long value title (two runs'
difference of a 4-column metric view) widens the image instead; and it labels every row
whose cells are as tall as a label."""

import subprocess
import sys

import h5py
import numpy as np
from PIL import Image

from heatscope.export.png import BACKGROUND, _layout
from heatscope.export.png_canvas import font_of, pillow, row_ticks
from heatscope.render.ticks import NICE_STEPS
from tests.conftest import REPO


def test_long_titles_fit_inside_the_image(tmp_path):
    path = tmp_path / "narrow.h5"
    with h5py.File(path, "w") as f:
        dset = f.create_dataset("values", data=np.arange(40 * 3, dtype=np.float32).reshape(40, 3))
        dset.attrs["long_name"] = "A rather long value title that is much wider than three columns of cells"
    out = tmp_path / "narrow.png"
    r = subprocess.run([sys.executable, "-m", "heatscope", "export", str(path), "-o", str(out)],
                       capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr
    image = np.asarray(Image.open(out).convert("RGB")).astype(int)
    edge = np.abs(image - np.array(BACKGROUND)).sum(axis=2) > 30
    assert not edge[:, :4].any() and not edge[:, -4:].any()  # nothing drawn up to the border


def test_every_row_label_is_drawn_when_the_rows_hold_them(tmp_path):
    """The seed figure (3 datasets a panel, rows of 17 px): Github used to be dropped, as if a
    label needed a whole text line's spacing."""
    out = tmp_path / "seed002.png"
    r = subprocess.run([sys.executable, "-m", "heatscope", "export", str(REPO / "sample_runs" / "expert_load.h5"),
                        "--facet", "layer=9,18", "--facet", "variant", "-o", str(out)], capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr
    image = np.asarray(Image.open(out).convert("RGB")).astype(int)
    cells = (image[..., 0] - image[..., 2]) > 30  # YlOrRd: every color redder than blue; text is grey
    ink = (image.max(axis=2) < 150) & (np.ptp(image, axis=2) < 20)
    x0 = int(np.flatnonzero(cells.any(axis=0))[0])
    rows_of_map = np.flatnonzero(cells[:, x0 + 2])
    panels = np.split(rows_of_map, np.flatnonzero(np.diff(rows_of_map) > 1) + 1)
    assert len(panels) == 4
    for band in panels:
        assert len(band) % 3 == 0
        for dataset in np.array_split(band, 3):  # Wikipedia (en), Github, DM Mathematics
            assert ink[dataset[0]:dataset[-1] + 1, :x0 - 2].any(), f"no label beside rows {dataset[0]}..{dataset[-1]}"


def _ink(labels, cell):
    """(row, ink box) of each row label the PNG export places for ``labels`` in ``cell`` px rows."""
    Image, ImageDraw, ImageFont = pillow()
    draw, font = ImageDraw.Draw(Image.new("RGB", (1, 1))), font_of(ImageFont, 14)
    return [(r, draw.textbbox((x, y), labels[r], font=font)) for r, x, y in row_ticks(draw, labels, cell, font)]


def test_the_seed_figure_places_all_three_dataset_labels_each_on_its_row():
    _, cell, _ = _layout(3, 64, 4)  # --facet layer=9,18 --facet variant: 4 panels of 3 datasets x 64 experts
    placed = _ink(["Wikipedia (en)", "Github", "DM Mathematics"], cell)
    assert [r for r, _ in placed] == [0, 1, 2]  # Github, the middle one, used to be dropped
    for r, (left, top, right, bottom) in placed:
        assert r * cell <= top and bottom <= (r + 1) * cell and right < 0  # on its row, left of the map
    assert all(a[3] <= b[1] for (_, a), (_, b) in zip(placed, placed[1:]))  # no two overlap


def test_row_labels_are_thinned_only_as_far_as_they_would_overlap():
    labels = [f"layer {i}" for i in range(61)]
    _, cell, _ = _layout(61, 256, 1)
    placed = _ink(labels, cell)
    step = placed[1][0]
    assert step > 1 and all(a[3] <= b[1] for (_, a), (_, b) in zip(placed, placed[1:]))
    tallest = max(bottom - top for _, (_, top, _, bottom) in placed)
    assert NICE_STEPS[NICE_STEPS.index(step) - 1] * cell < tallest + 2  # a smaller step would overlap
    assert len(placed) == len(range(0, 61, step))
