"""``heatscope capture MODEL_DIR --text NAME=FILE ... -o OUT``: a local model directory run
over text files; bad input is one line and exit status 2."""

import json

import h5py
import pytest

from heatscope.cli import main
from tests.capture_models import model_dir, require

require("torch")
require("transformers")


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return model_dir(tmp_path_factory.mktemp("model") / "tiny-mixtral")


def _texts(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("the quick brown fox jumps over the lazy dogs " * 12)
    b.write_text("123 456 123 456 fox 123 " * 9)
    return [f"--text=prose={a}", f"--text=numbers={b}"]


def test_capture_writes_the_file_and_prints_how_to_show_it(model, tmp_path, capsys):
    out = tmp_path / "eval.h5"
    argv = ["capture", str(model), *_texts(tmp_path), "-o", str(out), "--seq-len", "16", "--batch", "3"]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert f"show it:    heatscope {out}" in printed
    assert f"the figure: heatscope export {out} --facet layer=0:1 --facet variant -o eval.png" in printed
    with h5py.File(out, "r") as f:
        counts = f["expert_token_counts"]
        assert counts.shape == (1, 2, 2, 6)
        assert [v.decode() for v in f["variant"][()]] == ["tiny-mixtral"]
        tokens = counts.attrs["tokens"][0].tolist()
        assert (counts[0].sum(axis=2) == [[t * 2 for t in tokens]] * 2).all()  # every token counted, top-2
    assert f"tokens counted: prose {tokens[0]}, numbers {tokens[1]}" in printed
    # --tokens caps each dataset; a second variant goes into the same file
    assert main(["capture", str(model), *_texts(tmp_path), "-o", str(out), "--variant", "capped", "--tokens", "5"]) == 0
    with h5py.File(out, "r") as f:
        assert f["expert_token_counts"].attrs["tokens"].tolist() == [tokens, [5, 5]]
    assert main(["export", str(out), "--facet", "layer=0:1", "--facet", "variant", "-o", str(tmp_path / "e.svg")]) == 0


@pytest.mark.parametrize("case, message", [
    ("missing", "heatscope: error: {tmp}/nope: no such model directory"),
    ("unknown", "heatscope: error: {tmp}/unknown: unknown architecture 'not-a-model': transformers "),
    ("empty", "heatscope: error: {tmp}/empty.txt: empty text: nothing to run the model on"),
    ("not utf8", "heatscope: error: {tmp}/bad.txt: not UTF-8 text (byte 2)"),
    ("no text file", "heatscope: error: {tmp}/absent.txt: no such file"),
    ("dense", "heatscope: error: no MoE router found in LlamaForCausalLM: heatscope capture reads the routing of "
              "Mixtral, OLMoE"),
    ("seq-len", "heatscope: error: --seq-len: must be at least 1, got 0"),
    ("device", "heatscope: error: --device: device 'cuda' unavailable"),
    ("force onto a text file", "heatscope: error: {tmp}/out.h5: exists and is not an HDF5 file: not replaced"),
    ("not a capture file", "heatscope: error: {tmp}/out.h5: exists and is not a heatscope capture file"),
])
def test_bad_input_is_one_line_and_exit_2(case, message, model, tmp_path, capsys):
    text = tmp_path / "t.txt"
    text.write_text("fox " * 10)
    model_path, texts, extra = model, [f"--text=t={text}"], []
    if case == "missing":
        model_path = tmp_path / "nope"
    elif case == "unknown":
        model_path = tmp_path / "unknown"
        model_path.mkdir()
        (model_path / "config.json").write_text(json.dumps({"model_type": "not-a-model"}))
    elif case == "empty":
        (tmp_path / "empty.txt").write_text("  \n")
        texts = [f"--text=e={tmp_path / 'empty.txt'}"]
    elif case == "not utf8":
        (tmp_path / "bad.txt").write_bytes(b"ab\xff\xfe")
        texts = [f"--text=b={tmp_path / 'bad.txt'}"]
    elif case == "no text file":
        texts = [f"--text=b={tmp_path / 'absent.txt'}"]
    elif case == "dense":
        from transformers import LlamaConfig, LlamaForCausalLM

        model_path = tmp_path / "dense"
        LlamaForCausalLM(LlamaConfig(vocab_size=96, hidden_size=32, intermediate_size=32, num_hidden_layers=1,
                                     num_attention_heads=4, num_key_value_heads=2)).save_pretrained(model_path)
        for name in ("tokenizer.json", "tokenizer_config.json"):
            (model_path / name).write_bytes((model / name).read_bytes())
    elif case == "seq-len":
        extra = ["--seq-len", "0"]
    elif case == "device":
        if require("torch").cuda.is_available():
            pytest.skip("a CUDA device is available here")
        extra = ["--device", "cuda"]
    out = tmp_path / "out.h5"
    if case == "force onto a text file":
        out.write_text("my notes\n")
        extra = ["--force"]
    elif case == "not a capture file":
        with h5py.File(out, "w") as f:
            f["x"] = [1, 2]
    before = out.read_bytes() if out.exists() else None
    status = main(["capture", str(model_path), *texts, "-o", str(out), *extra])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2
    assert len(err) == 1 and err[0].startswith(message.format(tmp=tmp_path)), err
    assert (out.read_bytes() if out.exists() else None) == before
