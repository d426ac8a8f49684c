"""Imports and metric views on a real dask.distributed cluster: a scheduler and workers
started on 127.0.0.1 as the ``dask`` command line starts them, and a local cluster of worker
processes (``--workers 2``). Results equal the single-process ones byte for byte; a scheduler
that cannot be reached, that is killed mid-import or that stops answering gives one line,
exit status 2, no output file, in bounded time."""

import os
import re
import signal
import socket
import subprocess
import sys
import time

import numpy as np
import pytest

from tests.framework_files import write_router_traces

pytest.importorskip("distributed", reason="dask.distributed not installed: pip install 'heatscope[distributed]'")

PY = sys.executable


def run_cli(*args, env=None, timeout=120):
    return subprocess.run([PY, "-m", "heatscope", *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def _wait_for(log, pattern, count=1, proc=None, timeout=60.0):
    """The first match of ``pattern`` once ``log`` holds ``count`` of them."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.findall(pattern, log.read_text(errors="replace")) if log.exists() else []
        if len(found) >= count:
            return found[0]
        if proc is not None and proc.poll() is not None:
            break
        time.sleep(0.1)
    raise AssertionError(f"{pattern!r} x {count} not in {log}:\n{log.read_text(errors='replace')[-2000:]}")


def _spawn(args, log, cwd):
    with open(log, "w") as fh:  # the child keeps its own copy of the descriptor
        return subprocess.Popen([PY, "-m", *args], stdout=fh, stderr=subprocess.STDOUT, cwd=cwd,
                                start_new_session=True)


def _start_cluster(directory, workers):
    """``dask scheduler`` and ``dask worker`` processes; their address and processes."""
    directory.mkdir(parents=True, exist_ok=True)
    log = directory / "scheduler.log"
    procs = [_spawn(["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard"],
                    log, directory)]
    try:
        address = _wait_for(log, r"Scheduler at:\s+(tcp://127\.0\.0\.1:\d+)", proc=procs[0])
        for i in range(workers):
            procs.append(_spawn(["distributed.cli.dask_worker", address, "--nthreads", "1", "--no-nanny",
                                 "--no-dashboard", "--name", f"w{i}"], directory / f"worker{i}.log", directory))
        _wait_for(log, r"Register worker addr", count=workers, proc=procs[0])
        from distributed import Client

        with Client(address, timeout=10, set_as_default=False) as client:
            client.wait_for_workers(workers, timeout=60)  # registered and running
    except BaseException:
        _stop(procs)
        raise
    return address, procs


def _stop(procs):
    for proc in procs:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # its process group: nothing it started survives
        except ProcessLookupError:
            pass
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    address, procs = _start_cluster(tmp_path_factory.mktemp("dask"), workers=2)
    yield address
    _stop(procs)


def _task_prefixes(address):
    from distributed import Client

    with Client(address, timeout=10, set_as_default=False) as client:
        return set(client.run_on_scheduler(lambda dask_scheduler: list(dask_scheduler.task_prefixes)))


@pytest.fixture(scope="module")
def traces(tmp_path_factory):
    """4 ranks' router traces (1.4 MB: cut into several spans a file), with a damaged line, a
    blank line and a record cut by a killed job."""
    directory = tmp_path_factory.mktemp("traces") / "t"
    write_router_traces(directory, ranks=4, steps=50, layers=4, tokens=200, topk=2, mtp=True)
    path = directory / "router_trace_rank1.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    lines[40:40] = ['{"step": 13, "block": "decoder", "layer": 2, "top_indices": [[1, 2]], oops}\n', "\n"]
    path.write_text("".join(lines))
    last = directory / "router_trace_rank3.jsonl"
    last.write_text(last.read_text()[:-50])
    return directory


def _import(traces, out, *extra, env=None):
    r = run_cli("import", "megatron", traces, "-o", out, "--dp-size", "4", *extra, env=env)
    assert r.returncode == 0, r.stderr
    return r


def _without_cluster_line(stderr):
    return [line for line in stderr.splitlines() if not line.startswith("heatscope: on ")]


@pytest.fixture(scope="module")
def alone(traces, tmp_path_factory):
    """The single-process import of ``traces``: its output file and what it printed."""
    out = tmp_path_factory.mktemp("alone") / "alone.h5"
    r = _import(traces, out)
    assert "heatscope: skipped" in r.stderr and "marked missing" in r.stdout
    return out, r


def test_import_on_a_running_cluster_equals_one_process(tmp_path, traces, cluster, alone):
    out, alone = alone
    on = _import(traces, tmp_path / "on.h5", "--scheduler", cluster)
    assert f"heatscope: on {cluster}: 2 workers" in on.stderr
    assert on.stdout.replace(str(tmp_path / "on.h5"), str(out)) == alone.stdout
    assert _without_cluster_line(on.stderr) == _without_cluster_line(alone.stderr)
    assert (tmp_path / "on.h5").read_bytes() == out.read_bytes()
    assert "read_span" in _task_prefixes(cluster)  # the workers read the spans
    env = _import(traces, tmp_path / "env.h5", env={"DASK_SCHEDULER_ADDRESS": cluster})
    assert f"heatscope: on {cluster}" in env.stderr
    assert (tmp_path / "env.h5").read_bytes() == out.read_bytes()


def test_import_on_two_local_workers_equals_one_process(tmp_path, traces, alone):
    local = _import(traces, tmp_path / "local.h5", "--workers", "2")
    assert "heatscope: on a local dask cluster: 2 workers" in local.stderr
    assert (tmp_path / "local.h5").read_bytes() == alone[0].read_bytes()
    small = _import(traces, tmp_path / "small.h5", "--workers")  # one per core, but the input is small
    assert "heatscope: on " not in small.stderr
    assert (tmp_path / "small.h5").read_bytes() == alone[0].read_bytes()


@pytest.fixture(scope="module")
def counts_file(tmp_path_factory):
    """2,000 steps x 8 layers x 64 experts of token counts: four blocks of a reduction."""
    from heatscope.importers.arrays_file import ImportedArray, counts_attrs, write_arrays
    from heatscope.importers.output import ImportReport

    path = tmp_path_factory.mktemp("counts") / "run.h5"
    rng = np.random.default_rng(3)
    counts = rng.poisson(rng.gamma(0.5, 40.0, size=(1, 8, 64)), size=(2000, 8, 64)).astype(np.int64)
    counts[7, 3] = -1  # a missing cell
    axes = [("step", range(2000)), ("layer", range(8)), ("expert", range(64))]
    write_arrays(path, [ImportedArray("expert_token_counts", counts, axes, counts_attrs())], ImportReport(), "test")
    return path


def test_export_reduce_on_the_cluster_equals_local(counts_file, cluster):
    args = ("export", counts_file, "--reduce", "expert=hot", "-f", "csv", "-o", "-")
    local = run_cli(*args)
    assert local.returncode == 0, local.stderr
    assert len(local.stdout.splitlines()) > 100
    on = run_cli(*args, "--scheduler", cluster)
    assert on.returncode == 0, on.stderr
    assert on.stdout == local.stdout and f"heatscope: on {cluster}" in on.stderr
    assert "reduce_blocks" in _task_prefixes(cluster)
    workers = run_cli(*args, "--workers", "2")
    assert workers.returncode == 0, workers.stderr
    assert workers.stdout == local.stdout


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_scheduler_is_one_line_and_exit_2(tmp_path, traces):
    address = f"tcp://127.0.0.1:{_free_port()}"
    start = time.monotonic()
    r = run_cli("import", "megatron", traces, "-o", tmp_path / "out.h5", "--dp-size", "4", "--scheduler", address)
    assert time.monotonic() - start < 20
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr == f"heatscope: error: {address}: cannot reach the dask scheduler (no answer within 5 s)\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("how", ["killed", "stopped"])
def test_scheduler_gone_mid_import_is_one_line_and_exit_2(tmp_path, traces, how):
    """The worker is stopped, so the import waits on its tasks; then the scheduler is killed
    (its futures are cancelled) or stopped (it no longer answers the heartbeat)."""
    address, procs = _start_cluster(tmp_path / "dask", workers=1)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    try:
        os.killpg(procs[1].pid, signal.SIGSTOP)
        importing = subprocess.Popen([PY, "-m", "heatscope", "import", "megatron", str(traces), "-o",
                                      str(out_dir / "out.h5"), "--dp-size", "4", "--scheduler", address],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
        try:
            # the second client: _start_cluster's was the first
            _wait_for(tmp_path / "dask" / "scheduler.log", r"Receive client connection", count=2, proc=procs[0])
            time.sleep(1.5)  # it submits its spans right after connecting
            os.killpg(procs[0].pid, signal.SIGKILL if how == "killed" else signal.SIGSTOP)
            start = time.monotonic()
            stdout, stderr = importing.communicate(timeout=60)
            took = time.monotonic() - start
        finally:
            if importing.poll() is None:
                os.killpg(importing.pid, signal.SIGKILL)
                importing.wait()
    finally:
        _stop(procs)
    assert importing.returncode == 2, stderr
    assert stdout == ""
    lines = [line for line in stderr.splitlines() if not line.startswith("heatscope: on ")]
    reason = "lost the connection to the dask scheduler" if how == "killed" else \
        "the dask scheduler stopped answering"
    assert len(lines) == 1 and lines[0].startswith(f"heatscope: error: {address}: {reason}"), stderr
    assert took < 20
    assert list(out_dir.iterdir()) == []  # neither the output nor its staging file


def test_without_distributed_the_flags_are_one_line_and_exit_2(tmp_path, traces):
    code = ("import sys\nsys.modules['distributed'] = None\nfrom heatscope.cli import main\n"
            "raise SystemExit(main(sys.argv[1:]))\n")
    r = subprocess.run([PY, "-c", code, "import", "megatron", str(traces), "-o", str(tmp_path / "o.h5"),
                        "--workers", "2"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert r.stderr == ("heatscope: error: --workers and --scheduler need dask.distributed: "
                        "pip install 'heatscope[distributed]'\n")
    assert list(tmp_path.iterdir()) == []
    r = subprocess.run([PY, "-c", code, "import", "megatron", str(traces), "-o", str(tmp_path / "o.h5"),
                        "--dp-size", "4"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr  # without the flags, dask is never needed


def test_help_and_commands_without_the_flags_never_import_dask(tmp_path, traces):
    code = ("import sys, contextlib, io\nfrom heatscope.cli import main\n"
            "for argv in (['--help'], ['import', 'megatron', '--help'], ['export', '--help']):\n"
            "    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
            "        main(argv)\n"
            f"assert main(['import', 'megatron', {str(traces)!r}, '-o', {str(tmp_path / 'o.h5')!r}, '--dp-size', '4',"
            " '--workers', '1']) == 0\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed'))\n"
            "print(bad)\nraise SystemExit(1 if bad else 0)\n")
    r = subprocess.run([PY, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
