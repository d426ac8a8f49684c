"""Opening is read-only, lock-free, SWMR-aware, and fails with one clear reason."""

import hashlib
import os
import subprocess
import sys
import textwrap

import h5py
import numpy as np
import pytest

from heatscope.errors import HeatscopeError
from heatscope.sources.opening import open_hdf5, resolve_inputs
from heatscope.sources.signature import has_hdf5_signature


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _clean_env():
    env = dict(os.environ)
    env.pop("HDF5_USE_FILE_LOCKING", None)
    return env


def test_input_file_is_byte_identical_and_mtime_unchanged(tmp_path, load_file):
    path = tmp_path / "run.h5"
    path.write_bytes(load_file.read_bytes())
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    before = (_digest(path), path.stat().st_mtime_ns)
    from heatscope.catalog.datasets import build_catalog
    from heatscope.read.selection import Selection, read_block

    with open_hdf5(path) as f:
        catalog = build_catalog(f)
        info = catalog.find("relative_expert_load")
        read_block(f[info.path], Selection.default(info.shape))
    assert (_digest(path), path.stat().st_mtime_ns) == before


def test_trainer_can_open_for_append_while_heatscope_holds_the_file(tmp_path, load_file):
    path = tmp_path / "run.h5"
    path.write_bytes(load_file.read_bytes())
    writer = textwrap.dedent(
        f"""
        import h5py
        with h5py.File({str(path)!r}, "a") as f:
            f.attrs["touched"] = 1
        print("appended")
        """
    )
    with open_hdf5(path) as f:
        assert f.mode == "r"
        result = subprocess.run(
            [sys.executable, "-c", writer], capture_output=True, text=True, env=_clean_env(), timeout=60
        )
    assert result.returncode == 0, result.stderr
    assert "appended" in result.stdout


def test_swmr_writer_file_opens_in_swmr_read_mode(tmp_path):
    path = tmp_path / "live.h5"
    ready = tmp_path / "ready"
    done = tmp_path / "done"
    writer = textwrap.dedent(
        f"""
        import os, time, h5py, numpy as np
        f = h5py.File({str(path)!r}, "w", libver="latest")
        d = f.create_dataset("counts", (1, 8), maxshape=(None, 8), dtype="i8", chunks=(1, 8))
        f.swmr_mode = True
        d[0] = np.arange(8)
        f.flush()
        open({str(ready)!r}, "w").close()
        for _ in range(600):
            if os.path.exists({str(done)!r}):
                break
            time.sleep(0.05)
        f.close()
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", writer], env=_clean_env())
    try:
        for _ in range(400):
            if ready.exists():
                break
            proc.poll()
            assert proc.returncode is None, "writer died"
            import time

            time.sleep(0.025)
        with open_hdf5(path) as f:
            assert f["counts"][0].tolist() == list(range(8))
        done.touch()
        assert proc.wait(timeout=30) == 0
    finally:
        done.touch()
        proc.kill() if proc.poll() is None else None


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: None, "no such file"),
        (lambda p: p.mkdir(), "is a directory"),
        (lambda p: p.write_text("hello, not hdf5\n" * 100), "not an HDF5 file"),
        (lambda p: p.write_bytes(b""), "not an HDF5 file"),
    ],
)
def test_bad_inputs_give_one_clear_reason(tmp_path, make, message):
    path = tmp_path / "input.h5"
    make(path)
    with pytest.raises(HeatscopeError) as err:
        open_hdf5(path)
    assert message in str(err.value)
    assert str(path) in str(err.value)


def test_truncated_file(tmp_path, load_file):
    path = tmp_path / "cut.h5"
    path.write_bytes(load_file.read_bytes()[:20000])
    with pytest.raises(HeatscopeError, match="truncated"):
        open_hdf5(path)


def test_signature_after_user_block(tmp_path):
    path = tmp_path / "ub.h5"
    with h5py.File(path, "w", userblock_size=512) as f:
        f["x"] = np.arange(3)
    assert has_hdf5_signature(path)
    with open_hdf5(path) as f:
        assert f["x"][()].tolist() == [0, 1, 2]


def test_resolve_inputs_directories(tmp_path, samples_dir):
    assert {p.name for p in resolve_inputs([str(samples_dir)])} >= {"expert_load.h5"}
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("x")
    with pytest.raises(HeatscopeError, match="no HDF5 files"):
        resolve_inputs([str(empty)])
