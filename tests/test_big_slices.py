"""Slices too large to read whole: exact max-pooled overviews, capped images, no refusals.

A file holding one 200000 x 200000 dataset used to refuse to open at all; a 3000 x 3000
PNG took 16 s, 4.6 GB and came out larger than Pillow will open.
"""

import io

import h5py
import numpy as np
import pytest

from heatscope.cli import main
from heatscope.read.pooling import pool_max, read_overview
from heatscope.read.session import Session
from heatscope.read.slices import relative_load
from heatscope.views.view_state import initial_state
from tests.tui_helpers import make_app, screen_text, settle


@pytest.fixture(scope="module")
def sparse_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "huge.h5"
    with h5py.File(path, "w") as f:
        d = f.create_dataset("sparse", shape=(200_000, 200_000), dtype="f4", chunks=(1000, 1000), compression="gzip")
        d[5000:5010, 7000:7010] = 5.0
        d[150_000, 190_000] = 9.0
        f["small"] = np.arange(12.0).reshape(3, 4)
    return path


def _session(path, dataset):
    session = Session([path])
    session.open_all()
    return session, initial_state(0, session.files[0].catalog.find(dataset))


def test_sparse_overview_is_exact_and_quick(sparse_file):
    session, state = _session(sparse_file, "sparse")
    data = session.read(0, state.info, state.selection, target=(100, 300))
    rs, cs = data.factors
    assert data.values.shape == (100, 300) and (rs, cs) == (2000, 667)
    assert data.values[150_000 // rs, 190_000 // cs] == 9.0
    assert data.values[5000 // rs, 7000 // cs] == 5.0
    assert np.count_nonzero(data.values) == 2  # everything else is the fill value, 0
    stats = data.overview
    assert stats.basic.count == 200_000 ** 2 and stats.basic.max == 9.0 and stats.basic.min == 0.0
    assert [(h.value, h.row, h.col) for h in stats.hottest[:3]] == [(9.0, 150_000, 190_000), (5.0, 5000, 7000),
                                                                   (5.0, 5000, 7001)]
    scan = session.scan(0, state.info)  # the global range skips unallocated chunks too
    assert (scan.min, scan.max, scan.count) == (0.0, 9.0, 200_000 ** 2)
    session.close()


def test_sparse_file_opens_lists_and_exports(sparse_file, capsys):
    assert main(["info", str(sparse_file)]) == 0
    assert "sparse  axis0=200000 x axis1=200000" in capsys.readouterr().out
    assert main(["export", str(sparse_file), "--dataset", "sparse", "-o", "-"]) == 0
    out = capsys.readouterr().out
    assert "note: overview: max of" in out and "per cell" in out


async def test_sparse_file_in_the_tui(sparse_file):
    app = make_app(sparse_file, dataset="sparse")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.panels[0].factors != (1, 1)
        screen = screen_text(app)
        assert "overview: max of" in screen
        assert "150000 · 190000" in screen  # the hottest cell, exact, in the stats panel
        assert "max of" in screen  # the cursor readout describes the whole drawn cell


def _dense(path, values, chunks, fill=None):
    with h5py.File(path, "w") as f:
        d = f.create_dataset("x", data=values, chunks=chunks)
        if fill is not None:
            d.attrs["_FillValue"] = fill


@pytest.mark.parametrize("factors", [(7, 9), (1, 5), (13, 1), (64, 64)])
def test_dense_overview_equals_pooling_the_whole_slice(tmp_path, factors):
    rng = np.random.default_rng(1)
    values = rng.normal(size=(1203, 1001))
    values[rng.random(values.shape) < 0.01] = np.nan
    values[5, 7], values[900, 3], values[1202, 1000] = np.inf, -np.inf, -999.0
    values[100:110, 200:230] = -999.0  # a whole block of fill values
    _dense(tmp_path / "d.h5", values, (70, 130), fill=-999.0)
    session, state = _session(tmp_path / "d.h5", "x")
    dset = session.dataset(0, state.info)
    pooled, stats = read_overview(dset, state.info, state.selection, factors, budget=50_000)
    decoded, missing = state.info.value.decode(values)
    expected = pool_max(decoded, missing, factors)
    np.testing.assert_array_equal(pooled.values, expected.values)
    np.testing.assert_array_equal(pooled.missing, expected.missing)
    finite = decoded[np.isfinite(decoded)]
    assert stats.basic.count == finite.size and stats.basic.max == finite.max()
    assert stats.basic.n_missing == int(missing.sum()) and stats.basic.n_inf == 2
    assert stats.basic.mean == pytest.approx(finite.mean())
    session.close()


def test_overview_of_counts_as_relative_load(tmp_path):
    counts = np.random.default_rng(2).integers(0, 1000, size=(2100, 512)).astype("i8")
    with h5py.File(tmp_path / "c.h5", "w") as f:
        d = f.create_dataset("counts", data=counts, chunks=(100, 64))
        d.attrs["kind"] = "expert_token_counts"
        d.attrs["dims"] = ["step", "expert"]
    session, state = _session(tmp_path / "c.h5", "counts")
    assert state.derived
    data = session.read(0, state.info, state.selection, state.derived, target=(300, 100))
    expected = pool_max(relative_load(counts.astype(float), axis=1), np.zeros(counts.shape, bool), data.factors)
    np.testing.assert_allclose(data.values, expected.values)
    session.close()


def _png_size(data: bytes) -> tuple[int, int]:
    from PIL import Image

    return Image.open(io.BytesIO(data)).size


def test_png_of_a_large_slice_is_capped_and_says_so(tmp_path):
    values = np.zeros((3000, 3000), "f4")
    values[1234, 2345] = 1.0
    _dense(tmp_path / "big.h5", values, (500, 500))
    out = tmp_path / "big.png"
    assert main(["export", str(tmp_path / "big.h5"), "--vmin", "0", "--vmax", "1", "-o", str(out)]) == 0
    from PIL import Image

    image = Image.open(out)  # Pillow opens it (no decompression-bomb refusal)
    width, height = image.size
    assert width <= 2700 and height <= 1900
    from heatscope.export.png import _layout

    factors, cell_h, cell_w = _layout(3000, 3000, 1)
    assert factors == (2, 2)
    # the one hot cell survives pooling: some pixel is the colormap's top color
    pixels = np.asarray(image.convert("RGB"))
    from heatscope.colors.colormaps import lut

    top = lut("viridis")[-1]
    assert (pixels == top).all(axis=2).any()


def test_png_of_a_tall_column_is_capped(tmp_path):
    _dense(tmp_path / "tall.h5", np.random.default_rng(3).random((100_000, 1)), (10_000, 1))
    out = tmp_path / "tall.png"
    assert main(["export", str(tmp_path / "tall.h5"), "-o", str(out)]) == 0
    assert _png_size(out.read_bytes())[1] <= 1900  # was 600157 px


async def test_cursor_moves_one_drawn_cell_and_reads_the_cell(tmp_path):
    values = np.zeros((61, 256))
    values[1, 9] = 7.0  # inside the second drawn cell at 80x24 (2 layers x 7 experts per cell)
    with h5py.File(tmp_path / "w.h5", "w") as f:
        d = f.create_dataset("load", data=values)
        d.attrs["dims"] = ["layer", "expert"]
    app = make_app(tmp_path / "w.h5")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        cell_rows, cell_cols = app.heatmap.cell_size
        assert cell_cols > 1
        await pilot.press("right")
        await settle(pilot)
        assert app.state.cursor == (0, cell_cols)
        screen = screen_text(app)
        assert "value  7" in screen and "max at layer 1, expert 9" in screen
