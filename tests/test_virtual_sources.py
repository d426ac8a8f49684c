"""Virtual datasets whose source files are missing: their cells are missing data.

HDF5 reads a region mapped to a missing source file (or to a dataset it lacks), or mapped
to nothing, as the fill value; such a dataset was drawn as a complete map of -5 with stats
``min -5 max -5 missing 0``. Every read (slice, overview, global scan, metric view, row
metric) now marks those cells missing, and the catalog notes how many sources are gone.
"""

import io
from contextlib import redirect_stderr, redirect_stdout

import h5py
import numpy as np

from heatscope.catalog.datasets import build_catalog
from heatscope.cli import main
from heatscope.read.selection import Selection
from heatscope.read.slices import read_slice
from heatscope.sources.vds import unbacked
from tests.fuzz_corpus import write_vds
from tests.tui_helpers import make_app, screen_text, settle


def _cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(list(argv))
    assert status == 0, err.getvalue()
    return out.getvalue(), err.getvalue()


def _csv_values(path, *flags):
    out, _ = _cli("export", str(path), *flags, "-f", "csv", "-o", "-")
    return [line.rsplit(",", 1)[1] for line in out.splitlines()[1:]]


def test_cells_of_missing_sources_are_missing_not_the_fill_value(tmp_path):
    path = tmp_path / "vds.h5"
    write_vds(path)
    assert _csv_values(path) == [""] * 20  # CSV writes a missing cell as an empty field, never -5
    out, err = _cli("info", str(path))
    assert "virtual dataset: 4 of 4 sources missing, their cells are missing data" in out


def test_present_sources_are_read_and_the_rest_is_missing(tmp_path, monkeypatch):
    path = tmp_path / "vds.h5"
    write_vds(path, present=True)  # rows: missing file, unmapped, a file beside it, this file
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the source is found next to the virtual dataset's file
    values = _csv_values(path, "--dataset", "v")
    assert values[:10] == [""] * 10
    assert values[10:] == [f"{v:.1f}" for v in (10, 11, 12, 13, 14, 100, 101, 102, 103, 104)]
    with h5py.File(path, "r") as f:
        catalog = build_catalog(f)
        info = next(d for d in catalog.datasets if d.path == "/v")
        data = read_slice(f["v"], info, Selection.default(info.shape))
    assert data.missing.sum() == 10 and np.isnan(data.values[:2]).all()
    assert "virtual dataset: 1 of 3 sources missing, their cells are missing data" in info.value.notes


def test_strided_indexed_and_complete_virtual_datasets(tmp_path):
    with h5py.File(tmp_path / "vds.h5", "w") as f:
        f["own"] = np.arange(3.0)
        layout = h5py.VirtualLayout(shape=(2, 6), dtype="f8")
        layout[1, ::2] = h5py.VirtualSource(".", "own", shape=(3,))  # every other cell of row 1
        layout[0] = h5py.VirtualSource("gone.h5", "d", shape=(6,))
        f.create_virtual_dataset("v", layout, fillvalue=-5)
        whole = h5py.VirtualLayout(shape=(3,), dtype="f8")
        whole[:] = h5py.VirtualSource(".", "own", shape=(3,))
        f.create_virtual_dataset("whole", whole, fillvalue=-5)
    with h5py.File(tmp_path / "vds.h5", "r") as f:
        assert unbacked(f["whole"], (slice(None),)) is None  # every cell has its source: nothing masked
        assert unbacked(f["own"], (slice(None),)) is None  # not virtual
        v = f["v"]
        assert unbacked(v, (0, slice(None))).all()
        assert unbacked(v, (1, slice(None))).tolist() == [False, True] * 3
        assert unbacked(v, (slice(None), 2)).tolist() == [True, False]
        assert unbacked(v, (1, slice(1, 5))).tolist() == [True, False, True, False]


def test_a_large_virtual_dataset_read_as_an_overview_counts_its_missing_cells(tmp_path):
    with h5py.File(tmp_path / "half.h5", "w") as f:
        f["d"] = np.ones((550, 2000), "f4")
    with h5py.File(tmp_path / "vds.h5", "w") as f:
        layout = h5py.VirtualLayout(shape=(1100, 2000), dtype="f4")
        layout[:550] = h5py.VirtualSource("half.h5", "d", shape=(550, 2000))
        layout[550:] = h5py.VirtualSource("gone.h5", "d", shape=(550, 2000))
        f.create_virtual_dataset("v", layout, fillvalue=-5)
    with h5py.File(tmp_path / "vds.h5", "r") as f:
        info = next(d for d in build_catalog(f).datasets if d.path == "/v")
        data = read_slice(f["v"], info, Selection.default(info.shape), target=(100, 100))
    assert data.overview is not None  # 2.2M values: read block by block
    stats = data.overview.basic
    assert stats.n_missing == 550 * 2000 and stats.count == 550 * 2000
    assert stats.min == stats.max == 1.0  # never -5
    assert data.missing[data.missing.shape[0] // 2 + 1:].all() and not data.missing[:data.missing.shape[0] // 2].any()


async def test_the_inspector_says_the_data_is_missing(tmp_path):
    path = tmp_path / "vds.h5"
    write_vds(path, present=True)
    app = make_app(path, dataset="v")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot, 4)
        screen = screen_text(app)
        await pilot.press("q")
    assert app._exception is None
    assert "missing 10" in screen
    assert "range global 10 .. 104" in screen  # the global scan saw only the sources' values
    assert "-5" not in screen
    assert "virtual dataset: 1 of 3 sources" in screen  # the note on opening it
