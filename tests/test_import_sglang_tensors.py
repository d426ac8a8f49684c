"""``heatscope import sglang`` on dumps written the way SGLang's recorder writes them
(torch.save of its dicts), and ``heatscope import tensor`` on .npy/.npz/.safetensors/.pt
files written by numpy, the safetensors library and torch.save."""

import json
import pickle
import subprocess
import sys

import h5py
import numpy as np

from tests.framework_files import sglang_per_pass_dumps, sglang_stat_dump


def run_cli(*args, python_code: str | None = None):
    argv = [sys.executable, "-m", "heatscope", *map(str, args)] if python_code is None else \
        [sys.executable, "-c", python_code, *map(str, args)]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120)


def _labels(dset):
    return [v.decode() if isinstance(v, bytes) else v for v in dset[()]]


def test_sglang_stat_dumps_in_time_order(tmp_path, torch):
    first = np.arange(2 * 3 * 4, dtype=np.int32).reshape(2, 3, 4)
    first[:, 0] = 0  # a dense layer: no token in any pass
    second = np.full((1, 3, 4), 5, np.int32)
    second[:, 0] = 0
    sglang_stat_dump(tmp_path, second, stamp=1764000100.5)  # written later, listed first by name length
    sglang_stat_dump(tmp_path, first, stamp=1764000000.25)
    out = tmp_path / "sgl.h5"
    r = run_cli("import", "sglang", tmp_path, "-o", out)
    assert r.returncode == 0, r.stderr
    assert "found: SGLang expert distribution recorder: stat dump (logical_count)" in r.stdout
    assert "assumed: 2 dumps put one after the other in file-name (time) order" in r.stdout
    assert "layers [0] routed no token in any pass (dense layers): marked missing" in r.stdout
    with h5py.File(out) as f:
        counts = f["expert_token_counts"][()]
        assert counts.shape == (3, 3, 4) and f["expert_token_counts"].attrs["kind"] == "expert_token_counts"
        assert np.array_equal(counts[:2, 1:], first[:, 1:]) and np.array_equal(counts[2, 1:], second[0, 1:])
        assert (counts[:, 0] == -1).all()


def test_sglang_per_pass_maps_physical_slots_to_logical_experts(tmp_path, torch):
    # 2 ranks, 2 passes, 2 layers, 6 physical slots for 4 logical experts (slots 4, 5 replicate 0 and 3)
    mapping = np.array([[0, 1, 2, 3, 0, 3], [0, 1, 2, 3, 1, 1]])
    physical = np.arange(2 * 2 * 2 * 6).reshape(2, 2, 2, 6)
    sglang_per_pass_dumps(tmp_path, physical, mapping)
    out = tmp_path / "pp.h5"
    r = run_cli("import", "sglang", tmp_path, "-o", out)
    assert r.returncode == 0, r.stderr
    assert "per_pass dumps (records)" in r.stdout and "counts of all ranks summed per forward_pass_id" in r.stdout
    summed = physical.sum(axis=0)  # pass x layer x slot
    expected = np.zeros((2, 2, 4), np.int64)
    for layer in range(2):
        for slot in range(6):
            expected[:, layer, mapping[layer, slot]] += summed[:, layer, slot]
    with h5py.File(out) as f:
        assert np.array_equal(f["expert_token_counts"][()], expected)
        assert f["forward_pass"][()].tolist() == [100, 101]


def test_sglang_json_and_bad_dumps(tmp_path, torch):
    (tmp_path / "loc.json").write_text(json.dumps({"logical_count": [[1, 2, 3], [4, 5, 6]]}))
    r = run_cli("import", "sglang", tmp_path / "loc.json", "-o", tmp_path / "a.h5")
    assert r.returncode == 0 and "init-expert-location JSON" in r.stdout
    with h5py.File(tmp_path / "a.h5") as f:
        assert f["expert_token_counts"][()].tolist() == [[[1, 2, 3], [4, 5, 6]]]
    (tmp_path / "ragged.json").write_text(json.dumps({"logical_count": [[1, 2], [3]]}))
    r = run_cli("import", "sglang", tmp_path / "ragged.json", "-o", tmp_path / "b.h5")
    assert r.returncode == 2 and "logical_count: not a regular array" in r.stderr
    (tmp_path / "place.json").write_text(json.dumps({"physical_to_logical_map": [[0, 1]]}))
    r = run_cli("import", "sglang", tmp_path / "place.json", "-o", tmp_path / "b.h5")
    assert r.returncode == 2 and "an expert placement (physical_to_logical_map), not counts" in r.stderr
    bad = tmp_path / "bad"
    bad.mkdir()
    torch.save({"records": [{"forward_pass_id": 1, "rank": 0, "gatherer_key": "primary",
                             "global_physical_count": torch.ones(2, 3, dtype=torch.int32)},
                            {"forward_pass_id": 2, "rank": 0, "gatherer_key": "primary",
                             "topk_ids_of_layer": torch.zeros(2, 5, 8, dtype=torch.int32)}],
                "last_physical_to_logical_map": torch.tensor([[0, 1, 2], [0, 1, 2]])},
               str(bad / "expert_distribution_recorder_1764000000.0_0.pt"))
    r = run_cli("import", "sglang", bad, "-o", tmp_path / "c.h5")
    assert r.returncode == 0, r.stderr
    assert "expert_distribution_recorder_1764000000.0_0.pt: records[1]: no global_physical_count" in r.stderr
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir())


def test_tensor_npy_npz_with_axes_labels_and_kind(tmp_path):
    cube = np.arange(2 * 3 * 4).reshape(2, 3, 4)
    np.save(tmp_path / "load.npy", cube)
    out = tmp_path / "npy.h5"
    r = run_cli("import", "tensor", tmp_path / "load.npy", "-o", out, "--axes", "step,layer,expert",
                "--label", "layer=1..3", "--label", "step=a,b", "--kind", "expert_token_counts")
    assert r.returncode == 0, r.stderr
    with h5py.File(out) as f:
        assert np.array_equal(f["load"][()], cube) and f["load"].attrs["kind"] == "expert_token_counts"
        assert [d.label for d in f["load"].dims] == ["step", "layer", "expert"]
        assert f["layer"][()].tolist() == [1, 2, 3] and _labels(f["step"]) == ["a", "b"]
    info = run_cli("info", out)
    assert "load  step=2 x layer=3 x expert=4  int64  expert_token_counts  viewable" in info.stdout
    np.savez(tmp_path / "both.npz", counts=cube, bias=np.ones(4, np.float32), names=np.array([object()]))
    r = run_cli("import", "tensor", tmp_path / "both.npz", "-o", tmp_path / "npz.h5", "--axes", "step,layer,expert")
    assert r.returncode == 0, r.stderr
    assert "both.npz: bias: 1-D (4,), --axes names 3" in r.stderr and "both.npz: names:" in r.stderr
    with h5py.File(tmp_path / "npz.h5") as f:
        assert list(f["counts"].dims[2].keys()) == ["expert"] and "bias" not in f
    r = run_cli("import", "tensor", tmp_path / "both.npz", "-o", tmp_path / "k.h5", "--key", "bias")
    assert r.returncode == 0 and "bias: dim0=4" in r.stdout
    r = run_cli("import", "tensor", tmp_path / "load.npy", "-o", tmp_path / "x.h5", "--label", "layer=1,2")
    assert r.returncode == 2 and "--label layer=1,2: no axis 'layer' (axes: dim0, dim1, dim2)" in r.stderr
    r = run_cli("import", "tensor", tmp_path / "load.npy", "-o", tmp_path / "x.h5", "--axes", "a,b,c",
                "--label", "b=1,2")
    assert r.returncode == 2 and "2 labels for axis 'b' of length 3" in r.stderr
    r = run_cli("import", "tensor", tmp_path / "load.npy", "-o", tmp_path / "x.h5", "--kind", "bogus")
    assert r.returncode == 2 and "unknown kind" in r.stderr


def test_tensor_safetensors_stacks_per_layer_buffers(tmp_path):
    from safetensors.numpy import save_file

    rng = np.random.default_rng(0)
    per_layer = {f"model.layers.{i}.moe.tokens_per_expert": rng.integers(0, 100, 8).astype(np.float32)
                 for i in (1, 3, 5)}
    save_file({**per_layer, "model.norm.weight": np.ones(16, np.float32)}, str(tmp_path / "m.safetensors"),
              metadata={"format": "pt"})
    out = tmp_path / "st.h5"
    r = run_cli("import", "tensor", tmp_path / "m.safetensors", "-o", out)
    assert r.returncode == 0, r.stderr
    assert "3 tensors model.layers.{layer}.moe.tokens_per_expert stacked along a 'layer' axis" in r.stdout
    with h5py.File(out) as f:
        stacked = f["model.layers.moe.tokens_per_expert"]
        assert stacked.shape == (3, 8) and f["layer"][()].tolist() == [1, 3, 5]
        assert np.array_equal(stacked[1], per_layer["model.layers.3.moe.tokens_per_expert"])
        assert f["model.norm.weight"].shape == (16,)


def test_safetensors_bfloat16_and_damage(tmp_path, torch):
    from safetensors.torch import save_file

    bias = torch.tensor([[0.5, -1.25, 3.0]], dtype=torch.bfloat16)
    save_file({"expert_bias": bias}, str(tmp_path / "b.safetensors"))
    r = run_cli("import", "tensor", tmp_path / "b.safetensors", "-o", tmp_path / "b.h5", "--axes", "layer,expert")
    assert r.returncode == 0, r.stderr
    with h5py.File(tmp_path / "b.h5") as f:
        assert f["expert_bias"][()].tolist() == [[0.5, -1.25, 3.0]]
    raw = (tmp_path / "b.safetensors").read_bytes()
    (tmp_path / "cut.safetensors").write_bytes(raw[:-2])
    r = run_cli("import", "tensor", tmp_path / "cut.safetensors", "-o", tmp_path / "c.h5")
    assert r.returncode == 2 and "cut.safetensors: expert_bias: byte range" in r.stderr
    (tmp_path / "junk.safetensors").write_bytes(b"\xff" * 64)
    r = run_cli("import", "tensor", tmp_path / "junk.safetensors", "-o", tmp_path / "c.h5")
    assert r.returncode == 2 and "not a safetensors file" in r.stderr


def test_pt_state_dict_and_list_of_layers(tmp_path, torch):
    state = {f"layers.{i}.moe.expert_bias": torch.linspace(-1, 1, 4) * i for i in range(3)}
    state["layers.0.attention.wq.weight"] = torch.zeros(2, 2)
    state["step"] = 7
    torch.save(state, str(tmp_path / "ckpt.pt"))
    r = run_cli("import", "tensor", tmp_path / "ckpt.pt", "-o", tmp_path / "pt.h5")
    assert r.returncode == 0, r.stderr
    assert "ckpt.pt: step: not a tensor (int)" in r.stderr
    with h5py.File(tmp_path / "pt.h5") as f:
        assert f["layers.moe.expert_bias"].shape == (3, 4)
        assert np.allclose(f["layers.moe.expert_bias"][2], np.linspace(-1, 1, 4) * 2)
    # DeepSeek EPLB's weight[layers, logical_experts] and a list of per-layer counts
    torch.save([torch.tensor([1, 2, 3]), torch.tensor([4, 5, 6])], str(tmp_path / "list.pt"))
    r = run_cli("import", "tensor", tmp_path / "list.pt", "-o", tmp_path / "list.h5", "--axes", "layer,expert",
                "--kind", "expert_token_counts")
    assert r.returncode == 0, r.stderr
    with h5py.File(tmp_path / "list.h5") as f:
        assert f["index"][()].tolist() == [[1, 2, 3], [4, 5, 6]] and f["layer"][()].tolist() == [0, 1]
        assert f["index"].attrs["kind"] == "expert_token_counts"


class _Evil:
    def __reduce__(self):
        import os

        return (os.system, ("echo pwned > /dev/null",))


def test_malicious_pickle_is_refused(tmp_path, torch):
    path = tmp_path / "evil.pt"
    torch.save({"weight": torch.ones(2), "payload": _Evil()}, str(path))
    r = run_cli("import", "tensor", path, "-o", tmp_path / "e.h5")
    assert r.returncode == 2, r.stdout
    assert "refused: the pickle asks for more than tensors and plain containers" in r.stderr
    assert not (tmp_path / "e.h5").exists()
    plain = tmp_path / "plain.pt"
    plain.write_bytes(pickle.dumps(_Evil()))  # a legacy (non-zip) pickle: refused the same way
    r = run_cli("import", "tensor", plain, "-o", tmp_path / "e.h5")
    assert r.returncode == 2 and "refused: the pickle asks for more than tensors" in r.stderr


def test_pt_without_torch_says_what_to_install(tmp_path):
    (tmp_path / "x.pt").write_bytes(b"PK\x03\x04")
    code = ("import sys; sys.modules['torch'] = None\n"
            "from heatscope.cli import main; raise SystemExit(main(sys.argv[1:]))")
    r = run_cli("import", "tensor", tmp_path / "x.pt", "-o", tmp_path / "x.h5", python_code=code)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        f"heatscope: error: {tmp_path / 'x.pt'}: reading .pt files needs PyTorch: pip install 'heatscope[torch]'"]


def test_sglang_directory_with_stray_json_and_a_truncated_dump(tmp_path, torch):
    """SGLang dumps into the system temp directory, beside anything else; a dump cut short is
    reported in one plain line naming it, and the other dumps still import."""
    first = np.arange(2 * 3 * 4, dtype=np.int32).reshape(2, 3, 4) + 1
    sglang_stat_dump(tmp_path, first, stamp=1764000000.25)
    cut = sglang_stat_dump(tmp_path, np.full((40, 3, 4), 7, np.int32), stamp=1764000100.5)
    data = cut.read_bytes()
    cut.write_bytes(data[:len(data) // 2])
    (tmp_path / "package.json").write_text(json.dumps({"name": "something else"}))
    (tmp_path / "half.json").write_text('{"logical_count": [[1, 2')
    out = tmp_path / "sgl.h5"
    r = run_cli("import", "sglang", tmp_path, "-o", out)
    assert r.returncode == 0, r.stderr
    assert r.stderr.splitlines() == [
        f"heatscope: skipped {cut}: truncated or damaged: the zip archive torch.save writes is incomplete "
        f"({len(data) // 2:,} bytes)"]
    assert "note: package.json skipped: not an SGLang expert distribution file (neither logical_count nor " \
        "records (keys: name))" in r.stdout
    assert "note: half.json skipped: not an SGLang expert distribution file (JSON cut off after 24 characters)" \
        in r.stdout
    assert f"note: {cut.name} could not be read (truncated or damaged" in r.stdout
    assert "its passes are not in the import" in r.stdout
    with h5py.File(out) as f:
        assert np.array_equal(f["expert_token_counts"][()], first)
    r = run_cli("import", "sglang", cut, "-o", tmp_path / "one.h5")  # the damaged dump alone: one line, exit 2
    assert r.returncode == 2 and r.stderr.splitlines() == [
        f"heatscope: error: {cut}: truncated or damaged: the zip archive torch.save writes is incomplete "
        f"({len(data) // 2:,} bytes)"]
    assert "miniz" not in r.stderr


def test_sglang_per_pass_with_a_damaged_rank_dump(tmp_path, torch):
    """Passes summed over ranks are missing when a rank's dump cannot be read, never partial."""
    mapping = np.array([[0, 1, 2, 3], [0, 1, 2, 3]])
    physical = np.arange(3 * 2 * 2 * 4).reshape(3, 2, 2, 4)
    paths = sglang_per_pass_dumps(tmp_path, physical, mapping)
    paths[2].write_bytes(paths[2].read_bytes()[:300])
    out = tmp_path / "pp.h5"
    r = run_cli("import", "sglang", tmp_path, "-o", out)
    assert r.returncode == 0, r.stderr
    assert f"skipped {paths[2]}: truncated or damaged" in r.stderr
    assert "note: 2 of 2 forward passes lack the records of some of ranks [0, 1, 2]: marked missing" in r.stdout
    with h5py.File(out) as f:
        assert (f["expert_token_counts"][()] == -1).all()
