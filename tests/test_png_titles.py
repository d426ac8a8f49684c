"""A PNG export never cuts off a title: a narrow map under a long value title (two runs'
difference of a 4-column metric view) widens the image instead; and it labels every row
whose cells are as tall as a label."""

import subprocess
import sys

import h5py
import numpy as np
from PIL import Image

from heatscope.export.png import BACKGROUND
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
