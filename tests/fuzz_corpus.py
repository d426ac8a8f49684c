"""A deterministic corpus of hostile and odd HDF5 files for the fuzz test.

Categories: hostile text everywhere, every odd dtype h5py can write, degenerate and large
shapes, hostile values and CF attributes, links (dangling, cyclic, external, deep,
non-UTF-8 names), malformed dimension scales, files from other writers (xarray/h5netcdf,
PyTables-like tables), compression filters (available, unavailable, corrupted), damage
(truncation, bit flips, bare signatures, user blocks), ranges of zero width at every
magnitude, all-NaN data, names that are valid markup, and virtual datasets whose source
files are missing.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from pathlib import Path

import h5py
import numpy as np
from h5py import h5p, h5t

from tests.hostile_files import hostile, write_hostile_run, write_markup_run

Maker = Callable[[Path], None]
MAKERS: list[tuple[str, Maker]] = []


def maker(name: str):
    def register(fn: Maker) -> Maker:
        MAKERS.append((name, fn))
        return fn
    return register


def _one(path: Path, data, **attrs) -> None:
    with h5py.File(path, "w") as f:
        d = f.create_dataset("d", data=data)
        d.attrs.update(attrs)


# -- hostile text -----------------------------------------------------------------------
for _seed in range(8):
    maker(f"hostile_{_seed}")(lambda p, s=_seed: write_hostile_run(p, s))

# -- dtypes -----------------------------------------------------------------------------
_DTYPES = {
    "bool": np.array([[True, False], [False, True]]),
    "int8": np.array([[-128, 127]], "i1"),
    "uint64_max": np.array([[0, np.iinfo("u8").max]], "u8"),
    "float16": np.array([[1.5, np.inf], [np.nan, -0.0]], "f2"),
    "float32_big_endian": np.arange(6, dtype=">f4").reshape(2, 3),
    "complex": np.ones((2, 2), "c8"),
    "compound": np.zeros((3, 2), dtype=[("a", "f4"), ("b", "i2")]),
    "fixed_strings": np.array([[b"ab", b"cd"]], "S2"),
    "array_dtype": np.zeros((2, 2), dtype=np.dtype(("f4", (3,)))),
    "opaque": np.zeros((2, 2), dtype="V4"),
}
for _name, _data in _DTYPES.items():
    maker(f"dtype_{_name}")(lambda p, d=_data: _one(p, d))


@maker("dtype_enum_vlen_refs")
def _enum_vlen_refs(p: Path) -> None:
    with h5py.File(p, "w") as f:
        f.create_dataset("enum", data=np.zeros((2, 2), "i1"), dtype=h5py.enum_dtype({"A": 0, "B": 1}, basetype="i1"))
        v = f.create_dataset("vlen", (2,), dtype=h5py.vlen_dtype("i4"))
        v[0], v[1] = [1, 2], [3]
        f.create_dataset("vlen_str", data=np.array([hostile(1), "x"], dtype=h5py.string_dtype()))
        r = f.create_dataset("refs", (2,), dtype=h5py.ref_dtype)
        r[0] = f["enum"].ref
        f.create_dataset("region", (1,), dtype=h5py.regionref_dtype)
        f.create_dataset("num", data=np.ones((3, 4)))


# -- shapes -----------------------------------------------------------------------------
_SHAPES = {"scalar": (), "empty": (0,), "empty_2d": (0, 5), "one": (1,), "one_by_one": (1, 1), "column": (50, 1),
           "row": (1, 50), "five_d": (2, 2, 2, 2, 3), "ten_d": (1,) * 8 + (2, 3)}
for _name, _shape in _SHAPES.items():
    maker(f"shape_{_name}")(lambda p, s=_shape: _one(p, np.arange(int(np.prod(s)), dtype="f4").reshape(s)))


@maker("shape_overview_dense")
def _overview(p: Path) -> None:
    with h5py.File(p, "w") as f:
        f.create_dataset("d", data=np.random.default_rng(0).random((1100, 1000), dtype="f4"), chunks=(128, 128))


@maker("shape_huge_sparse")
def _huge(p: Path) -> None:
    with h5py.File(p, "w") as f:
        d = f.create_dataset("d", shape=(100_000, 100_000), dtype="f4", chunks=(500, 500), fillvalue=np.nan)
        d[10, 10] = 1.0


@maker("shape_null_dataspace")
def _null(p: Path) -> None:
    with h5py.File(p, "w") as f:
        f.create_dataset("null", data=h5py.Empty("f4"))
        f.create_dataset("ok", data=np.ones((2, 2)))


@maker("shape_unlimited_empty")
def _unlimited(p: Path) -> None:
    with h5py.File(p, "w") as f:
        f.create_dataset("d", shape=(0, 4), maxshape=(None, 4), dtype="f4")


# -- values and CF attributes -----------------------------------------------------------
_ATTRS = {
    "all_nan": (np.full((3, 3), np.nan), {}),
    "all_inf": (np.array([[np.inf, -np.inf]]), {}),
    "at_limit": (np.full((2, 2), 1e308), {"add_offset": 1e308}),
    "subnormal": (np.array([[5e-324, 1e-320]]), {}),
    "fill_string_on_numbers": (np.ones((2, 2)), {"_FillValue": "x"}),
    "fill_array": (np.ones((2, 2)), {"_FillValue": [1.0, 2.0]}),
    "fill_nan": (np.array([[np.nan, 1.0]]), {"_FillValue": np.nan}),
    "scale_string": (np.ones((2, 2)), {"scale_factor": "2"}),
    "scale_zero": (np.ones((2, 2)), {"scale_factor": 0.0}),
    "valid_range_3": (np.ones((2, 2)), {"valid_range": [0, 1, 2]}),
    "valid_min_above_max": (np.ones((2, 2)), {"valid_min": 5.0, "valid_max": 1.0}),
    "valid_range_strings": (np.ones((2, 2)), {"valid_range": np.array(["a", "b"], dtype=h5py.string_dtype())}),
    "center_nan": (np.ones((2, 2)), {"center": np.nan}),
    "center_huge": (np.ones((2, 2)), {"center": 1e308}),
    "kind_int": (np.ones((2, 2)), {"kind": 7}),
    "kind_counts_negative": (np.array([[-5, 3], [0, 0]]), {"kind": "expert_token_counts"}),
    "kind_load_nan_rows": (np.array([[np.nan, np.nan], [1, 2]]), {"kind": "relative_expert_load"}),
    "colormap_unknown": (np.ones((2, 2)), {"colormap": "no_such_map_r"}),
    "colormap_bytes": (np.ones((2, 2)), {"colormap": np.bytes_(b"\xff\xfe")}),
    "default_select_garbage": (np.ones((2, 3, 4)), {"default_select": "===,,x=,=y,axis0=#99"}),
    "dims_int": (np.ones((2, 2)), {"dims": 3}),
    "dims_wrong_length": (np.ones((2, 2)), {"dims": ["a", "b", "c"]}),
    "labels_wrong_length": (np.ones((2, 3)), {"dims": ["r", "c"], "c_labels": ["x"]}),
    "long_name_not_utf8": (np.ones((2, 2)), {"long_name": np.bytes_(b"\xff\x1b]0;x\x07")}),
    "units_array": (np.ones((2, 2)), {"units": np.array([1, 2])}),
}
for _name, (_data, _attrs) in _ATTRS.items():
    maker(f"values_{_name}")(lambda p, d=_data, a=_attrs: _one(p, d, **a))


# Ranges of zero width at every magnitude (each a step x row x column dataset, so stepping,
# the sparkline and profiles see them): a constant at the integer and float extremes,
# values that are equal once converted to float64, a +-max span, subnormals.
_I8, _U8, _F8 = np.iinfo("i8"), np.iinfo("u8"), np.finfo("f8")
DEGENERATE = {
    "u64_all_max": np.full((2, 3, 4), _U8.max, "u8"),
    "i64_all_min": np.full((2, 3, 4), _I8.min, "i8"),
    "i64_all_max": np.full((2, 3, 4), _I8.max, "i8"),
    "i64_equal_as_float": (_I8.max - np.arange(24, dtype="i8") % 4).reshape(2, 3, 4),
    "f16_all_max": np.full((2, 3, 4), np.finfo("f2").max, "f2"),
    "f16_constant": np.full((2, 3, 4), 0.1, "f2"),
    "f64_all_max": np.full((2, 3, 4), _F8.max),
    "f64_span_max": np.array([-_F8.max, _F8.max] * 12).reshape(2, 3, 4),
    "f64_steps_at_both_ends": np.stack([np.full((3, 1), -_F8.max), np.full((3, 1), _F8.max)]),
    "subnormal_constant": np.full((2, 3, 4), 5e-324),
    "subnormal_pair": np.array([5e-324, 1e-323] * 12).reshape(2, 3, 4),
    "near_1e19": np.array([1e19, 1e19 + 2048] * 12).reshape(2, 3, 4),
}
for _name, _data in DEGENERATE.items():
    maker(f"range_{_name}")(lambda p, d=_data: _one(p, d))
maker("values_all_nan_3d")(lambda p: _one(p, np.full((3, 4, 5), np.nan)))
maker("markup_names")(write_markup_run)


def write_vds(path: Path, present: bool = False) -> None:
    """A virtual dataset (4 x 5, fill -5) whose rows come from source files that do not
    exist; with ``present``: row 0 from a missing file, row 1 from no source at all, row 2
    from a file that exists (found next to this one) and row 3 from this file (``.``)."""
    with h5py.File(path, "w") as f:
        layout = h5py.VirtualLayout(shape=(4, 5), dtype="f4")
        layout[0] = h5py.VirtualSource(f"{path.stem}_gone_0.h5", "d", shape=(5,))
        if present:
            source = path.with_name(f"{path.stem}_source.bin")  # not .h5: found only through the mapping
            with h5py.File(source, "w") as s:
                s["d"] = np.arange(5, dtype="f4") + 10
            f["own"] = np.arange(5, dtype="f4") + 100
            layout[2] = h5py.VirtualSource(source.name, "d", shape=(5,))
            layout[3] = h5py.VirtualSource(".", "own", shape=(5,))
        else:
            for row in (1, 2, 3):
                layout[row] = h5py.VirtualSource(f"{path.stem}_gone_{row}.h5", "d", shape=(5,))
        f.create_virtual_dataset("v", layout, fillvalue=-5)


maker("vds_missing_sources")(write_vds)
maker("vds_partly_missing")(lambda p: write_vds(p, present=True))


@maker("default_dataset_hostile")
def _default(p: Path) -> None:
    with h5py.File(p, "w") as f:
        f["d"] = np.ones((2, 2))
        f.attrs["default_dataset"] = hostile(0)


# -- links ------------------------------------------------------------------------------
@maker("links_dangling_and_cycles")
def _links(p: Path) -> None:
    with h5py.File(p, "w") as f:
        g = f.create_group("g")
        g["d"] = np.ones((2, 2))
        g["self"] = g  # a hard-link cycle
        f["soft_dangling"] = h5py.SoftLink("/nowhere")
        f["soft_loop"] = h5py.SoftLink("/soft_loop")
        f["soft_ok"] = h5py.SoftLink("/g/d")
        f["ext_missing"] = h5py.ExternalLink("missing.h5", "/d")
        f["ext_self"] = h5py.ExternalLink(p.name, "/g")


@maker("links_external_hostile")
def _external(p: Path) -> None:
    target = p.with_name(p.stem + "_target.bin")  # not .h5: found only through the link
    write_hostile_run(target)
    with h5py.File(p, "w") as f:
        f["ext"] = h5py.ExternalLink(target.name, "/")
        f["own"] = np.ones((2, 2))


@maker("links_deep")
def _deep(p: Path) -> None:
    with h5py.File(p, "w") as f:
        g = f
        for i in range(80):
            g = g.create_group(f"level{i}")
        g["d"] = np.ones((2, 2))


@maker("links_many_datasets")
def _many(p: Path) -> None:
    with h5py.File(p, "w") as f:
        for i in range(450):
            f.create_dataset(f"d{i:03d}", data=np.full((2, 3), i, "f4"))


@maker("links_non_utf8_names")
def _non_utf8(p: Path) -> None:
    with h5py.File(p, "w") as f:
        f["good"] = np.ones((2, 2))
        lcpl = h5p.create(h5p.LINK_CREATE)
        lcpl.set_char_encoding(h5t.CSET_ASCII)
        f.id.links.create_hard(b"bad\xff\x1b]0;x\x07", f.id, b"good", lcpl=lcpl)
        g = f.create_group("g")
        g.id.links.create_soft(b"soft\xfe", b"/good\xff", lcpl=lcpl)


@maker("links_odd_names")
def _odd_names(p: Path) -> None:
    with h5py.File(p, "w") as f:
        for name in (" ", "..x", "a b", "tab\there", "\u00e9\u4e2d", "x" * 300):
            f[name] = np.ones((2, 2))
        f.create_group("empty")


# -- dimension scales -------------------------------------------------------------------
@maker("scales_wrong_length")
def _scale_length(p: Path) -> None:
    with h5py.File(p, "w") as f:
        s = f.create_dataset("s", data=np.arange(10))
        s.make_scale("s")
        d = f.create_dataset("d", data=np.ones((3, 4)))
        d.dims[1].attach_scale(s)


@maker("scales_2d_and_self")
def _scale_2d(p: Path) -> None:
    with h5py.File(p, "w") as f:
        s = f.create_dataset("s", data=np.ones((2, 2)))
        s.make_scale(hostile(3))
        d = f.create_dataset("d", data=np.ones((2, 2)))
        d.dims[0].attach_scale(s)


@maker("scales_labels_not_utf8")
def _scale_labels(p: Path) -> None:
    with h5py.File(p, "w") as f:
        s = f.create_dataset("s", data=np.array([b"\xff\xfe", b"\x1b[2J"], "S2"))
        s.make_scale("s")
        d = f.create_dataset("d", data=np.ones((2, 3)))
        d.dims[0].attach_scale(s)
        d.attrs["DIMENSION_LABELS"] = np.array([b"\xff", b"\x07"], "S1")


@maker("scales_bad_dimension_list")
def _bad_list(p: Path) -> None:
    with h5py.File(p, "w") as f:
        d = f.create_dataset("d", data=np.ones((2, 3)))
        d.attrs["DIMENSION_LIST"] = np.array([1, 2])
        d.attrs["CLASS"] = "DIMENSION_SCALE"
        e = f.create_dataset("e", data=np.ones((2, 3)))
        e.attrs.create("DIMENSION_LIST", data=np.array([f["d"].ref, h5py.Reference()], dtype=h5py.ref_dtype))


# -- other writers and filters ----------------------------------------------------------
@maker("xarray_h5netcdf")
def _xarray(p: Path) -> None:
    import xarray as xr

    ds = xr.Dataset({"load": (("layer", "expert"), np.random.default_rng(0).random((4, 8))),
                     "free": (("x", "y"), np.ones((2, 3)))}, coords={"layer": np.arange(4)})
    ds["load"].attrs.update(kind="relative_expert_load", units=hostile(2))
    ds.to_netcdf(p, engine="h5netcdf")


@maker("pytables_like")
def _pytables(p: Path) -> None:
    with h5py.File(p, "w") as f:
        f.attrs.update(CLASS="GROUP", PYTABLES_FORMAT_VERSION="2.1", TITLE="")
        t = f.create_dataset("table", data=np.zeros(5, dtype=[("step", "i8"), ("loss", "f4")]))
        t.attrs.update(CLASS="TABLE", VERSION="2.7", TITLE=hostile(5), FIELD_0_NAME="step")
        a = f.create_dataset("array", data=np.ones((3, 3)))
        a.attrs.update(CLASS="ARRAY", VERSION="2.4", TITLE="")


@maker("filters")
def _filters(p: Path) -> None:
    with h5py.File(p, "w") as f:
        f.create_dataset("gzip", data=np.ones((40, 40)), chunks=(10, 10), compression="gzip")
        f.create_dataset("lzf", data=np.ones((40, 40)), chunks=(10, 10), compression="lzf")
        f.create_dataset("fletcher", data=np.ones((40, 40)), chunks=(10, 10), fletcher32=True, shuffle=True)
        dcpl = h5p.create(h5p.DATASET_CREATE)
        dcpl.set_chunk((10, 10))
        dcpl.set_filter(32099, h5p.FILTER_OPTIONAL if hasattr(h5p, "FILTER_OPTIONAL") else 1, ())
        space = h5py.h5s.create_simple((20, 20))
        h5py.h5d.create(f.id, b"unknown_filter", h5t.NATIVE_FLOAT, space, dcpl=dcpl)


@maker("corrupted_checksum")
def _corrupt_chunk(p: Path) -> None:
    with h5py.File(p, "w") as f:
        d = f.create_dataset("d", data=np.arange(1600.0).reshape(40, 40), chunks=(40, 40), fletcher32=True)
        offset = d.id.get_offset() if d.id.get_offset() is not None else d.id.get_chunk_info(0).byte_offset
    data = bytearray(p.read_bytes())
    data[offset + 100] ^= 0xFF
    p.write_bytes(bytes(data))


# -- damage -----------------------------------------------------------------------------
def _base(p: Path) -> bytes:
    write_hostile_run(p)
    return p.read_bytes()


for _fraction in (0.02, 0.1, 0.3, 0.6, 0.9, 0.99):
    maker(f"damage_truncated_{_fraction}")(lambda p, fr=_fraction: p.write_bytes(_base(p)[: int(len(_base(p)) * fr)]))


def _flip(p: Path, seed: int) -> None:
    data = bytearray(_base(p))
    rng = random.Random(seed)
    for _ in range(rng.randint(1, 8)):
        data[rng.randrange(8, min(len(data), 4096))] ^= 1 << rng.randrange(8)
    p.write_bytes(bytes(data))


for _seed in range(40):
    maker(f"damage_bitflip_{_seed}")(lambda p, s=_seed: _flip(p, s))

maker("damage_first_8_bytes")(lambda p: p.write_bytes(_base(p)[:8]))
maker("damage_signature_then_zeros")(lambda p: p.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(4096)))
maker("damage_user_block_signature")(lambda p: p.write_bytes(bytes(512) + b"\x89HDF\r\n\x1a\n" + bytes(100)))


def build_corpus(directory: Path) -> list[Path]:
    """Write every file of the corpus into ``directory``; returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, make in MAKERS:
        path = directory / f"{name}.h5"
        make(path)
        paths.append(path)
    fifo = directory / "fifo.h5"  # a FIFO named like a run: never opened
    if hasattr(os, "mkfifo"):
        os.mkfifo(fifo)
    return paths
