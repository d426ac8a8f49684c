"""Walking files: every dataset found, classified, links followed safely."""

import h5py
import numpy as np

from heatscope.catalog.datasets import build_catalog
from heatscope.sources.opening import open_hdf5


def _hostile(path):
    with h5py.File(path, "w") as f:
        g = f.create_group("grp/sub")
        g.create_dataset("m", data=np.arange(6.0).reshape(2, 3))
        f["alias"] = h5py.SoftLink("/grp/sub/m")
        f["dangling"] = h5py.SoftLink("/nowhere")
        f["external"] = h5py.ExternalLink("missing.h5", "/x")
        f["grp/loop"] = h5py.SoftLink("/grp")
        f["text"] = "hello"
        f["scalar"] = 2.5
        f["complex"] = np.array([1 + 2j, 3j])
        f.create_dataset("records", data=np.zeros(2, dtype=[("a", "i4"), ("b", "f8")]))
        f.create_dataset("ragged", (2,), dtype=h5py.vlen_dtype(np.int32))
        f.create_dataset("refs", (2,), dtype=h5py.ref_dtype)
        f.create_dataset("enum", data=np.array([0, 1], "i1"), dtype=h5py.enum_dtype({"A": 0, "B": 1}, basetype="i1"))
        f.create_dataset("empty", data=np.zeros((0, 4)))
        f.create_dataset("null", data=h5py.Empty("f4"))
        f.create_dataset("flags", data=np.array([[True, False]]))
        f.create_dataset("half", data=np.ones((2, 2), np.float16))
        f.create_dataset("big_endian", data=np.ones((2, 2), ">f4"))


def test_classification_and_links(tmp_path):
    path = tmp_path / "h.h5"
    _hostile(path)
    with open_hdf5(path) as f:
        cat = build_catalog(f)
    by = {d.path: d for d in cat.datasets}
    assert by["/grp/sub/m"].viewable
    assert by["/alias"].viewable and by["/alias"].link == "-> /grp/sub/m"
    reasons = {p: d.reason for p, d in by.items()}
    assert reasons["/text"] == "strings"
    assert reasons["/scalar"] == "scalar = 2.5"
    assert reasons["/complex"] == "complex numbers"
    assert reasons["/records"] == "compound records"
    assert reasons["/ragged"] == "variable-length sequences"
    assert reasons["/refs"] == "object references"
    assert reasons["/enum"] == "enum values"
    assert reasons["/empty"].startswith("empty")
    assert reasons["/null"].startswith("empty")
    for viewable in ("/flags", "/half", "/big_endian"):
        assert by[viewable].viewable, viewable
    assert by["/big_endian"].dtype == "float32"
    notes = "\n".join(cat.notes)
    assert "/dangling: dangling link -> /nowhere skipped" in notes
    assert "/external: dangling external link -> missing.h5:/x skipped" in notes
    assert "/grp/loop: -> /grp same group as /grp, listed there" in notes
    assert "/grp/sub" in cat.groups


def test_external_link_to_existing_file_is_followed(tmp_path):
    with h5py.File(tmp_path / "target.h5", "w") as f:
        f["data"] = np.ones((2, 2))
    with h5py.File(tmp_path / "main.h5", "w") as f:
        f["ext"] = h5py.ExternalLink("target.h5", "/data")
    with open_hdf5(tmp_path / "main.h5") as f:
        cat = build_catalog(f)
    (d,) = cat.datasets
    assert d.viewable and d.link == "-> target.h5:/data" and d.shape == (2, 2)


def test_samples_catalog_and_default(load_file):
    with open_hdf5(load_file) as f:
        cat = build_catalog(f)
    d = cat.default_dataset()
    assert d.path == "/relative_expert_load"
    assert d.shape_text() == "variant=2 x layer=26 x dataset=3 x expert=64"
    assert d.value.colormap == "YlOrRd"
    assert (d.value.valid_min, d.value.valid_max) == (0.0, 10.0)
    assert cat.find("dataset").is_scale and not cat.find("dataset").viewable


def test_big_files_are_listed_briefly_and_detailed_on_use(tmp_path):
    path = tmp_path / "many.h5"
    with h5py.File(path, "w") as f:
        for i in range(6):
            d = f.create_dataset(f"t{i}", data=np.ones((2, 3)))
            d.attrs["dims"] = ["layer", "expert"]
            d.attrs["kind"] = "divergence"
        f["text"] = "x"
    with open_hdf5(path) as f:
        cat = build_catalog(f, detail_limit=2)
        brief = [d for d in cat.datasets if not d.detailed]
        assert len(brief) == 5 and brief[0].axes == () and brief[0].shape_text() == "2 x 3"
        assert [d.reason for d in cat.datasets if d.name == "text"] == ["strings"]
        full = cat.find("t5")
        assert full.detailed and [a.name for a in full.axes] == ["layer", "expert"] and full.kind == "divergence"
        assert cat.find("t5") is not None and sum(not d.detailed for d in cat.datasets) == 4
        complete = build_catalog(f, detail_limit=None)
        assert all(d.detailed for d in complete.datasets)
