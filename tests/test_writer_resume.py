"""RunWriter for real training jobs: resuming after a restart (and going back to a
checkpoint), one writer per file, many ranks writing through rank 0, and a writer killed
with SIGKILL leaving every flushed step readable."""

import signal
import subprocess
import sys

import h5py
import numpy as np
import pytest

from heatscope.writer.run_writer import RunFileBusy, RunWriter, StepsDropped

AXES = {"layer": [1, 2, 3], "expert": range(4)}


def _counts(step):
    return np.full((3, 4), step, dtype=np.int64) + np.arange(4)


def _write(path, steps, **options):
    with RunWriter(path, expert_token_counts=AXES, **options) as run:
        for step in steps:
            run.append(step, expert_token_counts=_counts(step))
        return run


def _read(path):
    with h5py.File(path, "r", libver="latest", swmr=True, locking=False) as f:  # also after a crash
        return f["step"][()].tolist(), f["expert_token_counts"][()]


def test_resume_continues_and_a_rewind_drops_later_steps(tmp_path):
    path = tmp_path / "run.h5"
    _write(path, range(0, 50, 10))
    _write(path, [50, 60], resume=True)
    steps, counts = _read(path)
    assert steps == [0, 10, 20, 30, 40, 50, 60]
    assert all(np.array_equal(counts[i], _counts(s)) for i, s in enumerate(steps))
    with pytest.warns(StepsDropped, match=r"step 30 is not after the last step written \(60\).*4 steps from 30 on"):
        run = _write(path, [30, 40], resume=True)  # the job went back to the checkpoint of step 30
    assert run.dropped == [(30, 4)]
    steps, counts = _read(path)
    assert steps == [0, 10, 20, 30, 40] and np.array_equal(counts[3], _counts(30))
    with h5py.File(path, "r", locking=False) as f:
        assert f["layer"][()].tolist() == [1, 2, 3] and [d.label for d in f["expert_token_counts"].dims] == \
            ["step", "layer", "expert"]


def test_resume_refuses_a_different_run_and_never_replaces_by_accident(tmp_path):
    path = tmp_path / "run.h5"
    _write(path, [0, 1])
    before = path.read_bytes()
    with pytest.raises(FileExistsError, match="pass resume=True to continue the run or overwrite=True"):
        RunWriter(path, expert_token_counts=AXES)
    with pytest.raises(ValueError, match=r"has axes \['layer', 'expert'\], this writer names \['layer', 'slot'\]"):
        RunWriter(path, expert_token_counts=("layer", "slot"), resume=True)
    with pytest.raises(ValueError, match="labels of expert_token_counts axis 'layer' differ"):
        RunWriter(path, expert_token_counts={"layer": [0, 1, 2], "expert": range(4)}, resume=True)
    with pytest.raises(ValueError, match=r"holds \['expert_token_counts'\], this writer writes"):
        RunWriter(path, expert_token_counts=AXES, divergence=("layer",), resume=True)
    assert path.read_bytes() == before  # refused before anything was written
    with RunWriter(path, expert_token_counts=AXES, resume=True) as run:
        with pytest.raises(ValueError, match="differs from the first step"):
            run.append(2, expert_token_counts=np.zeros((3, 5)))
    assert _read(path)[0] == [0, 1]
    _write(path, [7], overwrite=True)
    assert _read(path)[0] == [7]
    fresh = tmp_path / "fresh.h5"
    _write(fresh, [0], resume=True)  # resume=True on the first start simply starts the run
    assert _read(fresh)[0] == [0]


def test_a_second_writer_is_refused(tmp_path):
    path = tmp_path / "run.h5"
    with RunWriter(path, expert_token_counts=AXES) as run:
        run.append(0, expert_token_counts=_counts(0))
        with pytest.raises(RunFileBusy, match="already being written by another RunWriter"):
            RunWriter(path, expert_token_counts=AXES, resume=True)
        code = ("import sys\nfrom heatscope.writer.run_writer import RunWriter, RunFileBusy\n"
                "try:\n    RunWriter(sys.argv[1], x=('a',), overwrite=True)\n"
                "except RunFileBusy as exc:\n    print(exc); raise SystemExit(3)\n")
        other = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=60)
        assert other.returncode == 3, other.stderr
        assert "one writer per run file" in other.stdout
        run.append(1, expert_token_counts=_counts(1))  # the first writer is unharmed
    assert _read(path)[0] == [0, 1]
    _write(path, [2], resume=True)  # closed: the next writer may open it
    assert _read(path)[0] == [0, 1, 2]


WRITER = """
import sys, time
import numpy as np
from heatscope.writer.run_writer import RunWriter
with RunWriter(sys.argv[1], expert_token_counts={"layer": [1, 2, 3], "expert": range(4)},
               resume=True) as run:
    start = 0 if run.last_step is None else run.last_step + 1
    for step in range(start, start + 100000):
        run.append(step, expert_token_counts=np.full((3, 4), step, dtype=np.int64) + np.arange(4))
        print(step, flush=True)
        time.sleep(0.002)
"""


def _killed_after(path, steps: int) -> list[int]:
    """Run WRITER on ``path`` until it has returned from ``steps`` appends, then SIGKILL it;
    the steps it printed."""
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        return [int(proc.stdout.readline()) for _ in range(steps)]
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)


def test_sigkill_leaves_every_flushed_step_and_the_run_resumes(tmp_path):
    path = tmp_path / "run.h5"
    printed = _killed_after(path, 40)
    assert printed == list(range(40))
    steps, counts = _read(path)
    assert steps[:40] == printed and len(steps) >= 40  # every step the writer had returned from
    assert all(np.array_equal(counts[i], _counts(s)) for i, s in enumerate(steps))
    info = subprocess.run([sys.executable, "-m", "heatscope", "info", str(path)], capture_output=True, text=True,
                          timeout=60)
    assert info.returncode == 0 and f"expert_token_counts  step={len(steps)} x layer=3 x expert=4" in info.stdout
    csv = subprocess.run([sys.executable, "-m", "heatscope", "export", str(path), "--select", f"step={steps[-1]}",
                          "-f", "csv", "-o", "-"], capture_output=True, text=True, timeout=60)
    assert csv.returncode == 0, csv.stderr
    rows = csv.stdout.splitlines()[1:]
    assert len(rows) == 12 and all(row.split(",")[1] == str(steps[-1]) for row in rows)
    resumed = _killed_after(path, 5)
    assert resumed[0] == steps[-1] + 1  # the killed writer's flags cleared, the run continued
    after, counts = _read(path)
    assert after[:len(steps)] == steps and after[len(steps):len(steps) + 5] == resumed


RANK = """
import sys
import numpy as np
import torch
import torch.distributed as dist
from heatscope.writer.run_writer import RunFileBusy, RunWriter

rank, world, init, path = int(sys.argv[1]), 2, sys.argv[2], sys.argv[3]
dist.init_process_group("gloo", init_method=init, rank=rank, world_size=world)
writer = RunWriter(path, expert_token_counts=("layer", "expert")) if rank == 0 else None
dist.barrier()
if rank == 1:
    try:
        RunWriter(path, expert_token_counts=("layer", "expert"), resume=True)
    except RunFileBusy:
        print("busy", flush=True)
for step in range(3):
    local = torch.full((2, 4), float(rank + 1)) * (step + 1)  # this rank's tokens per expert
    dist.all_reduce(local)  # summed over ranks before one rank writes
    if writer is not None:
        writer.append(step, expert_token_counts=local.numpy())
if writer is not None:
    writer.close()
dist.destroy_process_group()
"""


def test_many_ranks_write_through_rank_zero(tmp_path, torch):
    path = tmp_path / "run.h5"
    init = f"file://{tmp_path / 'rendezvous'}"
    procs = [subprocess.Popen([sys.executable, "-c", RANK, str(rank), init, str(path)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for rank in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-400:] for o in outs]
    assert outs[1][0].strip() == "busy"  # rank 1 could not open a second writer
    steps, counts = _read(path)
    assert steps == [0, 1, 2] and counts[:, 0, 0].tolist() == [3, 6, 9]  # (1 + 2) x (step + 1)
