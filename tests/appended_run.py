"""A run file written the way a training loop writes one with plain h5py (defaults: the
earliest file format, whose chunk index is a version-1 B-tree): ``relative_expert_load``
step x layer x expert, one chunk per step, grown with ``resize`` in blocks of 64 steps
alongside a ``step`` dimension scale. Its chunk index ends up in hundreds of small nodes
spread over the whole file, so anything that walks the index reads the file from end to
end. ``check_costs_little`` is the test of issue 22: info, export and the TUI's first view
of such a run each cost at most 20 requests and 2 MB."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np

from tests.tui_helpers import make_app, screen_text, settle

BLOCK = 64  # steps per resize, as a trainer flushing every 64 steps
FEW_REQUESTS, FEW_BYTES = 20, 2_000_000


def write_appended_run(path: Path, steps: int, layers: int, experts: int) -> np.ndarray:
    """Write the run and return ``base``: step ``s`` holds ``base[s % 64] * (1 + s % 7)``."""
    base = np.random.default_rng(0).gamma(2.0, 0.5, (BLOCK, layers, experts)).astype("f4")
    with h5py.File(path, "w") as f:
        load = f.create_dataset("relative_expert_load", shape=(0, layers, experts),
                                maxshape=(None, layers, experts), dtype="f4", chunks=(1, layers, experts))
        load.attrs["kind"] = "relative_expert_load"
        step = f.create_dataset("step", shape=(0,), maxshape=(None,), dtype="i8")
        step.make_scale("step")
        load.dims[0].attach_scale(step)
        load.dims[0].label = "step"
        for axis, (name, size) in enumerate((("layer", layers), ("expert", experts)), start=1):
            scale = f.create_dataset(name, data=np.arange(size))
            scale.make_scale(name)
            load.dims[axis].attach_scale(scale)
            load.dims[axis].label = name
        for start in range(0, steps, BLOCK):
            n = min(BLOCK, steps - start)
            load.resize(start + n, axis=0)
            step.resize(start + n, axis=0)
            load[start:start + n] = base[:n] * (1 + (np.arange(start, start + n) % 7))[:, None, None]
            step[start:start + n] = np.arange(start, start + n)
    return base


def _assert_few(server, what: str) -> None:
    assert server.requests <= FEW_REQUESTS and server.bytes <= FEW_BYTES, \
        f"{what}: {server.requests} requests, {server.bytes} bytes: {server.log[:40]}"


async def check_costs_little(url: str, server, steps: int, base: np.ndarray, env=None) -> None:
    """info, export and the TUI's first view of the appended run of ``steps`` at ``url`` (its
    values: ``base``), each within FEW_REQUESTS and FEW_BYTES of what ``server`` counts."""
    def cli(*args):
        return subprocess.run([sys.executable, "-m", "heatscope", *args], capture_output=True, text=True,
                              timeout=120, env=env)

    layers, experts = base.shape[1:]
    server.reset()
    info = cli("info", url)
    assert info.returncode == 0, info.stderr
    assert f"relative_expert_load  step={steps} x layer={layers} x expert={experts}  float32  " \
           "relative_expert_load  viewable" in info.stdout, info.stdout
    _assert_few(server, "info")
    server.reset()
    export = cli("export", url, "-f", "csv", "-o", "-")
    assert export.returncode == 0, export.stderr
    rows = export.stdout.splitlines()
    assert rows[0] == "panel,step,layer,expert,value" and len(rows) == 1 + layers * experts
    assert [float(r.split(",")[-1]) for r in rows[1:]] == base[0].ravel().tolist()  # step 0, as written
    _assert_few(server, "export")
    server.reset()
    app = make_app(url)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        assert app.panels is not None and "Step 0" in screen_text(app)
        _assert_few(server, "the TUI's first view")
