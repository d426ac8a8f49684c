"""The bundled sample runs are reproducible and put the hot spots where the seeds do."""

import h5py
import numpy as np
import pytest

from heatscope.stats.slice_stats import load_stats
from tests.conftest import REPO

SAMPLE_NAMES = ["expert_load.h5", "js_divergence.h5", "layer_components.h5", "training_balance.h5"]


def _contents(path):
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                attrs = {k: v for k, v in obj.attrs.items() if k not in ("DIMENSION_LIST", "REFERENCE_LIST")}
                out[name] = (obj[()], repr(sorted(attrs.items(), key=lambda kv: kv[0])))
        f.visititems(visit)
    return out


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_script_reproduces_committed_samples(samples_dir, name):
    committed, fresh = _contents(REPO / "sample_runs" / name), _contents(samples_dir / name)
    assert committed.keys() == fresh.keys()
    for key in committed:
        a, b = committed[key], fresh[key]
        assert np.array_equal(a[0], b[0]), key
        assert a[1] == b[1], key


@pytest.fixture(scope="module")
def load(load_file):
    with h5py.File(load_file, "r") as f:
        return f["relative_expert_load"][()], f["expert_token_counts"][()]


BASED, FREE = 0, 1
WIKI, GITHUB, DM = 0, 1, 2


def _top(row, n=1):
    return sorted((np.argsort(-row)[:n] + 1).tolist())


def test_relative_load_derives_from_counts(load):
    rel, counts = load
    assert np.allclose(rel, counts * 64 / counts.sum(-1, keepdims=True), atol=1e-5)
    assert np.allclose(rel.mean(-1), 1.0, atol=1e-4)
    assert rel.min() >= 0 and rel.max() <= 10.67  # top-6 of 64: at most 64/6


def test_seed_002_layer_9_and_18(load):
    rel, _ = load
    l9 = rel[FREE, 8]
    assert _top(l9[DM]) == [25] and l9.max() == l9[DM, 24] and l9[DM, 24] > 9.5
    assert _top(l9[DM], 5) == [3, 25, 27, 45, 46]
    assert _top(l9[GITHUB], 2) == [44, 48]
    assert _top(l9[WIKI], 2) == [6, 51]
    assert rel[BASED, 8].max() < 3.0  # aux-loss-based: rarely exceeds 2-3
    l18 = rel[FREE, 17]
    assert _top(l18[GITHUB]) == [30]
    assert _top(l18[DM], 4) == [13, 16, 41, 62]
    assert _top(l18[WIKI], 2) == [1, 41]
    assert rel[BASED, 17].max() < rel[BASED, 8].max()  # layer 18 more uniform than 9


def test_seed_000_layers_25_26(load):
    rel, _ = load
    assert [_top(r) for r in rel[FREE, 24]] == [[11], [11], [11]]
    assert _top(rel[FREE, 25, WIKI], 2) == [15, 41] and _top(rel[FREE, 25, GITHUB], 2) == [15, 41]
    assert _top(rel[FREE, 25, DM]) == [61]
    assert (rel[FREE, 24:26].max(-1) > 9.5).all() or rel[FREE, 25, DM].max() > 9.5
    assert rel[BASED, 24:26].max() < 2.5


def test_seed_001_layers_7_to_12(load):
    rel, _ = load
    for layer in (7, 8, 10, 11, 12):
        assert [_top(r) for r in rel[FREE, layer - 1]] == [[15], [21], [24]]
        assert rel[FREE, layer - 1].max() >= 8.5
        assert rel[BASED, layer - 1].max() < 3.0
    assert rel[FREE, 9, DM, 23] < rel[FREE, 11, DM, 23]  # layer 10 weaker, 12 strongest
    assert rel[FREE, 11, DM, 23] == pytest.approx(10.0, abs=0.01)


def test_seed_003_divergence_rows(samples_dir):
    with h5py.File(samples_dir / "js_divergence.h5") as f:
        js = f["js_divergence"][()]
        assert [x.decode() if isinstance(x, bytes) else x for x in f["position"][()]] == ["Subj.", "Attn.", "Last."]
    subj, attn, last = js
    assert (subj[:18] > 0.48).all() and (subj[22:] < 0.16).all() and 0.35 < subj[18] < 0.45
    assert (attn < 0.22).all() and attn[14:18].mean() > attn[:14].mean() + 0.04
    assert (last[:8] < 0.14).all() and (np.diff(last[8:15]) > -0.02).all() and (last[15:] > 0.28).all()
    assert 0.06 <= js.min() and js.max() <= 0.62  # 0.1..0.6 scale; the lowest cells clip
    assert abs(attn[:14].mean() - 0.1) < 0.01


def test_seed_004_component_trends(samples_dir):
    with h5py.File(samples_dir / "layer_components.h5") as f:
        m = f["component_score"][()]
        assert f["component_score"].attrs["center"] == pytest.approx(0.14)
    q, k, v, o, up, down, gate = m.T
    assert q[:4].mean() < 0.12 and q[24:].mean() > 0.135  # rises with depth
    assert k[15:22].min() > 0.158  # orange band
    assert v[:4].mean() > 0.158 and v[6:19].mean() < 0.126
    assert o[15:19].mean() > 0.158 and o[6:13].mean() < 0.138
    assert abs(up.mean() - 0.14) < 0.005 and abs(down.mean() - 0.142) < 0.004
    assert gate[:7].mean() < 0.122 and gate[22:].mean() > 0.137
    assert 0.11 <= m.min() and m.max() <= 0.17


def test_training_run_converges(samples_dir):
    with h5py.File(samples_dir / "training_balance.h5") as f:
        counts = f["expert_token_counts"][()]
        assert f["step"][()][:3].tolist() == [0, 50, 100]
    maxvio = [np.mean([load_stats(counts[s, l]).max_vio for l in range(counts.shape[1])]) for s in range(counts.shape[0])]
    assert maxvio[0] > 3.0 and maxvio[-1] < 0.5
    assert all(a >= b - 0.15 for a, b in zip(maxvio[:-5], maxvio[5:]))  # falls over steps
