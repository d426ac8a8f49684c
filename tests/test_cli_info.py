"""`heatscope info` output, literal text, and one-line errors with exit status 2."""

import subprocess
import sys
import textwrap

import h5py
import numpy as np
import pytest


def run(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "heatscope", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_info_lists_axes_dtypes_kinds(load_file):
    r = run("info", str(load_file))
    assert r.returncode == 0 and r.stderr == ""
    lines = r.stdout.splitlines()
    assert lines[0].startswith(str(load_file))
    row = next(l for l in lines if "relative_expert_load  variant" in l)
    assert "variant=2 x layer=26 x dataset=3 x expert=64  float32  relative_expert_load  viewable" in row
    assert "range 0..10" in row
    assert any("dataset  dataset=3  string  scale, not viewable: strings" in l for l in lines)
    assert "\x1b" not in r.stdout  # no colors when piped


def test_info_on_directory_lists_every_sample(samples_dir):
    r = run("info", str(samples_dir))
    assert r.returncode == 0
    for name in ("expert_load.h5", "js_divergence.h5", "layer_components.h5", "training_balance.h5"):
        assert name in r.stdout
    assert "component_score  layer=28 x component=7" in r.stdout


def test_markup_and_escapes_print_literally(tmp_path):
    path = tmp_path / "evil.h5"
    with h5py.File(path, "w") as f:
        d = f.create_dataset("[bold red]x\x1b[31m\x07", data=np.zeros((2, 2)))
        d.dims[0].label = "[link=http://x]row[/link]"
    r = run("info", str(path))
    assert r.returncode == 0
    assert "[bold red]x\\x1b[31m\\x07" in r.stdout
    assert "[link=http://x]row[/link]=2" in r.stdout
    assert "\x1b" not in r.stdout and "\x07" not in r.stdout


@pytest.mark.parametrize(
    "setup, expect",
    [
        ("missing", "no such file or directory"),
        ("text", "not an HDF5 file"),
        ("emptydir", "directory contains no HDF5 files"),
        ("truncated", "damaged HDF5 file: truncated"),
    ],
)
def test_bad_input_one_line_exit_2(tmp_path, load_file, setup, expect):
    path = tmp_path / "input"
    if setup == "text":
        path.write_text("a,b\n1,2\n")
    elif setup == "emptydir":
        path.mkdir()
    elif setup == "truncated":
        path.write_bytes(load_file.read_bytes()[:30000])
    r = run("info", str(path))
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert r.stderr == f"heatscope: error: {path}: {expect}" + r.stderr[len(f"heatscope: error: {path}: {expect}"):]
    assert expect in r.stderr


def test_unavailable_filter_is_listed_with_reason(tmp_path):
    path = tmp_path / "lz4.h5"
    write = textwrap.dedent(
        f"""
        import h5py, hdf5plugin, numpy as np
        with h5py.File({str(path)!r}, "w") as f:
            f.create_dataset("packed", data=np.ones((64, 64)), **hdf5plugin.LZ4())
            f["plain"] = np.ones((2, 2))
        """
    )
    subprocess.run([sys.executable, "-c", write], check=True, timeout=60)
    # With hdf5plugin available the filter just works.
    ok = run("info", str(path))
    assert ok.returncode == 0 and "packed  axis0=64 x axis1=64  float64  generic  viewable" in ok.stdout
    # Without it (blocked import, no plugin path) the dataset is listed with the reason.
    blocked = textwrap.dedent(
        f"""
        import sys
        sys.modules["hdf5plugin"] = None
        from heatscope.cli import main
        raise SystemExit(main(["info", {str(path)!r}]))
        """
    )
    import os

    env = dict(os.environ, HDF5_PLUGIN_PATH=str(tmp_path / "no-plugins"))
    r = subprocess.run([sys.executable, "-c", blocked], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "packed  axis0=64 x axis1=64  float64  not viewable: compressed with HDF5 lz4 filter (filter id 32004), which is not available" in r.stdout


def test_version_and_help():
    r = run("--version")
    assert r.returncode == 0 and r.stdout.startswith("heatscope 0.")
    r = run("--help")
    assert r.returncode == 0 and "heatscope info PATH" in r.stdout
    r = run("info")
    assert r.returncode == 2 and r.stderr.startswith("heatscope: error: ")
