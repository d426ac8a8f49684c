"""Import speed of ``heatscope import megatron`` in one process, on a local dask cluster
(``--workers N``, one worker per core) and on an existing cluster (``--scheduler``: a
``dask scheduler`` and N ``dask worker`` processes this script starts on 127.0.0.1), for a
router trace of several hundred MB written as Megatron-LM's RouterTracer writes it
(import_bench.py's generator: 8 ranks, 16 layers, 4,096 tokens x top-8 of 128 experts).

Each configuration is run ``--repeat`` times, interleaved (the machine may be shared: the
spread says how noisy it was); wall time of the whole command, as a user sees it, so the
local cluster's start and stop are included and the existing cluster's are not. Every
output is checked byte for byte against the single-process one.

    python benchmarks/distributed_bench.py [--mb 600] [--workers N] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_bench import RANKS, write_trace  # noqa: E402

PY = sys.executable


def _start_cluster(directory: Path, workers: int) -> tuple[str, list[subprocess.Popen]]:
    log = directory / "scheduler.log"
    procs = []

    def spawn(args, path):
        with open(path, "w") as fh:
            procs.append(subprocess.Popen([PY, "-m", *args], stdout=fh, stderr=subprocess.STDOUT, cwd=directory,
                                          start_new_session=True))

    spawn(["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard"], log)
    deadline = time.monotonic() + 60
    while not (found := re.search(r"Scheduler at:\s+(tcp://\S+)", log.read_text())):
        if time.monotonic() > deadline:
            sys.exit("the scheduler did not start:\n" + log.read_text())
        time.sleep(0.1)
    address = found.group(1)
    for i in range(workers):
        spawn(["distributed.cli.dask_worker", address, "--nthreads", "1", "--no-dashboard", "--name", f"w{i}"],
              directory / f"worker{i}.log")
    from distributed import Client

    with Client(address, timeout=10, set_as_default=False) as client:
        client.wait_for_workers(workers, timeout=120)
    return address, procs


def _stop(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for proc in procs:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _run(trace: Path, out: Path, extra: list[str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run([PY, "-m", "heatscope", "import", "megatron", str(trace), "-o", str(out), "--force",
                           "--dp-size", str(RANKS), *extra], capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode:
        sys.exit(f"{' '.join(extra) or 'one process'}: {proc.stderr}")
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=600.0, help="trace size (default 600 MB)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="workers (default: one per core)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        trace = tmp / "trace"
        trace.mkdir()
        write_trace(trace, args.mb * 1e6)
        size = sum(p.stat().st_size for p in trace.iterdir())
        print(f"trace: {size / 1e6:.0f} MB in {RANKS} rank files; {args.workers} workers; "
              f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at the start")
        (tmp / "dask").mkdir()
        address, procs = _start_cluster(tmp / "dask", args.workers)
        try:
            configs = {"1 process": [], f"local cluster (--workers {args.workers})": ["--workers", str(args.workers)],
                       f"existing cluster ({args.workers} workers)": ["--scheduler", address]}
            _run(trace, tmp / "warm.h5", [])  # the page cache holds the trace for every configuration
            times = {name: [] for name in configs}
            for _ in range(args.repeat):
                for i, (name, extra) in enumerate(configs.items()):
                    times[name].append(_run(trace, tmp / f"out{i}.h5", extra))
            reference = (tmp / "out0.h5").read_bytes()
            for i in range(1, len(configs)):
                assert (tmp / f"out{i}.h5").read_bytes() == reference, f"output {i} differs from one process"
        finally:
            _stop(procs)
        print(f"load average {os.getloadavg()[0]:.1f} at the end; outputs identical byte for byte")
        single = statistics.median(times["1 process"])
        for name, walls in times.items():
            median = statistics.median(walls)
            print(f"{name:32s} {median:6.2f} s median ({min(walls):.2f}-{max(walls):.2f})  "
                  f"{size / 1e6 / median:5.0f} MB/s  {median / single:.2f}x one process")


if __name__ == "__main__":
    main()
