"""A PNG export never cuts off a title: a narrow map under a long value title (two runs'
difference of a 4-column metric view) widens the image instead."""

import subprocess
import sys

import h5py
import numpy as np
from PIL import Image

from heatscope.export.png import BACKGROUND


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
