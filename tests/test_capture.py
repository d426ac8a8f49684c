"""heatscope.capture's contract beyond the counts: refusals, hooks removed, padding left out,
variants added to one file, the per-token sample, and the file heatscope shows."""

import h5py
import pytest

from heatscope.errors import HeatscopeError
from tests.capture_models import VOCAB, require, routers, tiny_model

torch = require("torch")
require("transformers")
import heatscope  # noqa: E402


def _hooks(model) -> int:
    return sum(len(m._forward_pre_hooks) + len(m._forward_hooks) for m in model.modules())


def _run(model, ids, mask=None):
    with torch.no_grad():
        model(input_ids=ids, attention_mask=mask)


def _counts(path):
    with h5py.File(path, "r") as f:
        return f["expert_token_counts"][()]


def test_a_dense_model_is_refused_naming_what_is_supported(tmp_path):
    from transformers import LlamaConfig, LlamaForCausalLM

    model = LlamaForCausalLM(LlamaConfig(vocab_size=64, hidden_size=32, intermediate_size=32, num_hidden_layers=2,
                                         num_attention_heads=4, num_key_value_heads=2))
    with pytest.raises(HeatscopeError, match=r"no MoE router found in LlamaForCausalLM: .*Mixtral.*DeepSeek-V3.*"
                                             r"GPT-OSS.*Megatron-core TopKRouter"):
        heatscope.capture(model, tmp_path / "e.h5")
    assert _hooks(model) == 0 and not (tmp_path / "e.h5").exists()


def test_hooks_are_removed_on_close_and_when_the_forward_raises(tmp_path):
    model = tiny_model("mixtral")
    before = _hooks(model)
    cap = heatscope.capture(model, tmp_path / "a.h5")
    assert _hooks(model) == before + 2 + len(routers(model))
    with cap.dataset("x"):
        _run(model, torch.randint(3, VOCAB, (1, 4)))
    cap.close()
    assert _hooks(model) == before and (tmp_path / "a.h5").exists()
    with pytest.raises(IndexError):  # a token id beyond the vocabulary: the embedding raises mid-forward
        with heatscope.capture(model, tmp_path / "b.h5") as cap, cap.dataset("x"):
            _run(model, torch.full((1, 4), VOCAB + 5))
    assert _hooks(model) == before and not (tmp_path / "b.h5").exists()
    _run(model, torch.randint(3, VOCAB, (1, 4)))  # the model runs as before, no capture left


def test_padding_is_not_counted(tmp_path):
    """A right-padded batch counts what its rows count run alone without padding."""
    model = tiny_model("qwen3_moe")
    ids = torch.randint(3, VOCAB, (2, 8))
    mask = torch.ones_like(ids)
    mask[1, 3:] = 0
    with heatscope.capture(model, tmp_path / "padded.h5") as cap, cap.dataset("x"):
        _run(model, ids, mask)
    with heatscope.capture(model, tmp_path / "alone.h5") as cap, cap.dataset("x"):
        _run(model, ids[:1])
        _run(model, ids[1:, :3])
    padded, alone = _counts(tmp_path / "padded.h5"), _counts(tmp_path / "alone.h5")
    assert padded.tolist() == alone.tolist()
    assert (padded.sum(axis=3) == 11 * 3).all()  # 11 tokens x top-3 in every layer
    with h5py.File(tmp_path / "padded.h5", "r") as f:
        assert f["expert_token_counts"].attrs["tokens"].tolist() == [[11]]


def test_mask_given_positionally_and_generation_with_a_cache(tmp_path):
    model = tiny_model("olmoe")
    ids = torch.randint(3, VOCAB, (1, 6))
    with heatscope.capture(model, tmp_path / "e.h5") as cap, cap.dataset("x"), torch.no_grad():
        model(ids, torch.tensor([[1, 1, 1, 1, 0, 0]]))  # forward(input_ids, attention_mask)
        model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=3, do_sample=False)
    # 4 + 6 prompt tokens + 2 new tokens fed back (the third is sampled from the last forward), top-2
    assert (_counts(tmp_path / "e.h5").sum(axis=3) == (4 + 6 + 2) * 2).all()


def test_a_mask_that_is_not_batch_by_sequence_is_refused(tmp_path):
    model = tiny_model("mixtral")
    with heatscope.capture(model, tmp_path / "e.h5") as cap, cap.dataset("x"):
        with pytest.raises(HeatscopeError, match=r"attention_mask of shape \(1, 1, 4, 4\): heatscope capture reads "
                                                 r"a 2-D \(batch, sequence\) padding mask"):
            _run(model, torch.randint(3, VOCAB, (1, 4)), torch.ones(1, 1, 4, 4))
        _run(model, torch.randint(3, VOCAB, (1, 4)))
    assert (_counts(tmp_path / "e.h5").sum(axis=3) == 8).all()


def test_a_second_variant_extends_the_variant_axis(tmp_path):
    path = tmp_path / "e.h5"
    first, second = tiny_model("mixtral", seed=0), tiny_model("mixtral", seed=1)
    ids = {"a": torch.randint(3, VOCAB, (2, 5)), "b": torch.randint(3, VOCAB, (2, 7))}
    with heatscope.capture(first, path, variant="aux-loss") as cap:
        for name in ("a", "b"):
            with cap.dataset(name):
                _run(first, ids[name])
    before = _counts(path)
    with heatscope.capture(second, path, variant="aux-free") as cap:
        for name in ("b", "a"):  # another order: stored in the file's order
            with cap.dataset(name):
                _run(second, ids[name])
    with heatscope.capture(second, tmp_path / "alone.h5") as cap:
        for name in ("a", "b"):
            with cap.dataset(name):
                _run(second, ids[name])
    after = _counts(path)
    assert after.shape == (2, 2, 2, 6)
    assert after[0].tolist() == before[0].tolist() and after[1].tolist() == _counts(tmp_path / "alone.h5")[0].tolist()
    with h5py.File(path, "r") as f:
        assert [v.decode() for v in f["variant"][()]] == ["aux-loss", "aux-free"]
        assert f["expert_token_counts"].attrs["tokens"].tolist() == [[10, 14], [10, 14]]


def test_a_different_shape_or_a_repeated_variant_is_refused_before_the_file_changes(tmp_path):
    path = tmp_path / "e.h5"
    model = tiny_model("mixtral")
    with heatscope.capture(model, path, variant="v") as cap, cap.dataset("a"):
        _run(model, torch.randint(3, VOCAB, (1, 4)))
    stat = path.stat()
    with pytest.raises(HeatscopeError, match=r"holds model class MixtralForCausalLM, this capture OlmoeForCausalLM"):
        heatscope.capture(tiny_model("olmoe"), path, variant="w")
    with pytest.raises(HeatscopeError, match="already holds variant 'v'"):
        heatscope.capture(model, path, variant="v")
    with pytest.raises(HeatscopeError, match=r"holds routing sample tokens \(max_tokens\) 0, this capture 8"):
        heatscope.capture(model, path, variant="w", max_tokens=8)
    cap = heatscope.capture(model, path, variant="w")
    with cap.dataset("other"):
        _run(model, torch.randint(3, VOCAB, (1, 4)))
    with pytest.raises(HeatscopeError, match=r"holds datasets \['a'\], this capture \['other'\]"):
        cap.close()
    assert path.stat().st_mtime_ns == stat.st_mtime_ns and path.stat().st_size == stat.st_size
    assert _hooks(model) == 0


def test_forwards_outside_a_dataset_or_of_a_submodule_are_refused(tmp_path):
    model = tiny_model("mixtral")
    with heatscope.capture(model, tmp_path / "e.h5") as cap:
        with pytest.raises(HeatscopeError, match=r"outside cap.dataset\(NAME\)"):
            _run(model, torch.randint(3, VOCAB, (1, 4)))
        with pytest.raises(HeatscopeError, match="outside a forward of the captured model"), cap.dataset("x"):
            model.model(input_ids=torch.randint(3, VOCAB, (1, 4)))
        with cap.dataset("x"):
            _run(model, torch.randint(3, VOCAB, (1, 4)))
    assert (_counts(tmp_path / "e.h5").sum(axis=3) == 8).all()


def test_the_routing_sample_holds_each_tokens_selected_experts(tmp_path):
    model = tiny_model("gpt_oss")
    ids = torch.randint(3, VOCAB, (2, 4))
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 0, 0]])
    seen = {}
    hooks = [r.register_forward_hook(lambda m, a, o, layer=layer: seen.__setitem__(layer, o[2].clone()))
             for layer, r in routers(model)]
    with heatscope.capture(model, tmp_path / "e.h5", max_tokens=7) as cap, cap.dataset("x"):
        _run(model, ids, mask)
        _run(model, ids, mask)  # past max_tokens: not sampled
    for hook in hooks:
        hook.remove()
    with h5py.File(tmp_path / "e.h5", "r") as f:
        sample, token_ids = f["routing_sample"][0, 0], f["routing_sample_token_id"][0, 0]
        assert [d.label for d in f["routing_sample"].dims] == ["variant", "dataset", "token", "layer", "slot"]
    assert sample.shape == (7, 2, 2)
    for i, layer in enumerate(sorted(seen)):
        expected = seen[layer][:7].numpy().copy()
        expected[[6]] = -1  # position 6 is row 1's first padding token
        assert sample[:, i].tolist() == expected.tolist()
    assert token_ids.tolist() == [*ids[0].tolist(), *ids[1, :2].tolist(), -1]


def test_export_draws_the_capture_faceted_by_layer_and_variant(tmp_path, capsys):
    from heatscope.cli import main

    path = tmp_path / "e.h5"
    for seed in (0, 1):
        model = tiny_model("qwen2_moe", seed=seed)  # MoE layers 0 and 2 (layer 1 is dense)
        with heatscope.capture(model, path, variant=f"s{seed}") as cap, cap.dataset("text"):
            _run(model, torch.randint(3, VOCAB, (2, 6)))
    out = tmp_path / "fig.csv"
    assert main(["export", str(path), "--facet", "layer=0,2", "--facet", "variant", "-o", str(out)]) == 0
    rows = out.read_text().splitlines()
    assert len(rows) == 1 + 2 * 2 * 8  # 2 layers x 2 variants x 1 dataset x 8 experts
    header = rows[0].split(",")
    counts = _counts(path)
    values = {(r.split(",")[header.index("variant")], r.split(",")[header.index("layer")],
               r.split(",")[header.index("expert")]): float(r.split(",")[-1]) for r in rows[1:]}
    total = counts[1, 1, 0].sum()
    assert values[("s1", "2", "5")] == pytest.approx(counts[1, 1, 0, 5] * 8 / total, rel=1e-5)  # relative load
