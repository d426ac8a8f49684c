"""Value metadata: kind, CF attributes, colormap defaults, decoding."""

import h5py
import numpy as np
import pytest

from heatscope.catalog.values import read_value_info


@pytest.fixture
def f(tmp_path):
    with h5py.File(tmp_path / "v.h5", "w") as h:
        yield h


def test_cf_attributes(f):
    d = f.create_dataset("d", data=np.array([[1, -999, 3]], "i2"))
    d.attrs.update({"long_name": "Avg JS Divergence", "units": "nats", "valid_min": 0.1,
                    "valid_max": 0.6, "_FillValue": np.int16(-999), "kind": "divergence"})
    v = read_value_info(d)
    assert (v.kind, v.colormap, v.valid_min, v.valid_max) == ("divergence", "Blues", 0.1, 0.6)
    assert v.title("d") == "Avg JS Divergence [nats]"
    values, missing = v.decode(d[()])
    assert missing.tolist() == [[False, True, False]]
    assert np.isnan(values[0, 1]) and values[0, 2] == 3.0


def test_valid_range_scale_factor_and_center(f):
    d = f.create_dataset("d", data=np.array([10, 20], "i2"))
    d.attrs.update({"valid_range": [0.0, 10.0], "scale_factor": 0.5, "add_offset": 1.0, "center": 5.0})
    v = read_value_info(d)
    assert (v.valid_min, v.valid_max, v.center) == (0.0, 10.0, 5.0)
    assert v.colormap == "vik"  # a center asks for a diverging map
    assert v.decode(d[()])[0].tolist() == [6.0, 11.0]


def test_kinds_and_defaults(f):
    expect = {"relative_expert_load": "YlOrRd", "expert_token_counts": "YlOrRd",
              "signed": "vik", "generic": "viridis", "nonsense": "viridis"}
    for kind, cmap in expect.items():
        d = f.create_dataset(kind, data=np.zeros(2))
        d.attrs["kind"] = kind
        v = read_value_info(d)
        assert v.colormap == cmap, kind
    assert read_value_info(f["signed"]).center == 0.0
    assert read_value_info(f["nonsense"]).kind == "generic"
    assert "unknown kind" in read_value_info(f["nonsense"]).notes[0]
    d = f.create_dataset("explicit", data=np.zeros(2))
    d.attrs.update({"kind": "divergence", "colormap": "viridis_r"})
    assert read_value_info(d).colormap == "viridis_r"


def test_malformed_attributes_are_ignored_with_a_note(f):
    d = f.create_dataset("d", data=np.zeros(2))
    d.attrs.update({"valid_range": [5.0, 1.0], "long_name": np.array([1, 2]), "kind": np.array([3])})
    v = read_value_info(d)
    assert v.valid_min is None and v.long_name is None and v.kind == "generic"
    assert any("valid_range" in n for n in v.notes)
