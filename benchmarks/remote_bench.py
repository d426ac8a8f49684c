"""Remote runs appended step by step (issue 22, part 1). Prints numbers; not a test.

Writes, in the system temp directory, a run the way a training loop writes one with plain
h5py (``tests/appended_run.py``: 16,000 steps x 61 layers x 256 experts of float32, 1 GB,
one chunk per step, grown in blocks of 64 steps), serves it from 127.0.0.1 over HTTP with
Range support, from moto's S3 and (``--hsds``: hsload takes a few minutes) from HSDS, each
behind a counter, and prints the requests and bytes of ``heatscope info``, ``heatscope
export`` (the default view, SVG) and the TUI's first view (160 x 48, in process).

usage: python benchmarks/remote_bench.py [--steps 16000] [--hsds] [--keep]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from tests.appended_run import write_appended_run  # noqa: E402
from tests.remote_servers import CountingProxy, RangeServer, hsds_server  # noqa: E402
from tests.tui_helpers import make_app, screen_text, settle  # noqa: E402

LAYERS, EXPERTS = 61, 256


def cli(args: list[str], env: dict) -> None:
    r = subprocess.run([sys.executable, "-m", "heatscope", *args], capture_output=True, text=True, env=env,
                       timeout=600)
    if r.returncode:
        raise RuntimeError(r.stderr)


async def first_view(url: str) -> None:
    app = make_app(url)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        if "Step 0" not in screen_text(app):
            raise RuntimeError("the first view did not show step 0")


def measure(name: str, url: str, counter, env: dict, out: Path) -> None:
    os.environ.update(env)
    for what, run in (("info", lambda: cli(["info", url], env)),
                      ("export", lambda: cli(["export", url, "-o", str(out / "view.svg")], env)),
                      ("TUI first view", lambda: asyncio.run(first_view(url)))):
        counter.reset()
        started = time.perf_counter()
        run()
        print(f"{name:>5}  {what:<15} {counter.requests:6d} requests  {counter.bytes / 1e6:8.2f} MB  "
              f"{time.perf_counter() - started:6.2f} s", flush=True)


def http(path: Path, out: Path) -> None:
    server = RangeServer(path.parent)
    try:
        measure("HTTP", f"{server.url}/{path.name}", server, dict(os.environ), out)
    finally:
        server.stop()


def s3(path: Path, out: Path) -> None:
    import fsspec.config
    from moto.server import ThreadedMotoServer

    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    proxy = CountingProxy(*moto.get_host_and_port())
    try:
        env = dict(os.environ, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                   AWS_DEFAULT_REGION="us-east-1", FSSPEC_S3_ENDPOINT_URL=proxy.url)
        upload = f"import s3fs\nfs = s3fs.S3FileSystem()\nfs.mkdir('runs')\nfs.put({str(path)!r}, 'runs/run.h5')\n"
        subprocess.run([sys.executable, "-c", upload], env=env, check=True, timeout=600)
        fsspec.config.conf["s3"] = {"endpoint_url": proxy.url}  # for the TUI in this process
        measure("S3", "s3://runs/run.h5", proxy, env, out)
    finally:
        proxy.stop()
        moto.stop()


def hsds(path: Path, out: Path) -> None:
    with hsds_server(out / "hsds") as env:
        started = time.perf_counter()
        subprocess.run([str(Path(sys.executable).parent / "hsload"), str(path), "/home/tester/"], env=env, check=True,
                       capture_output=True, timeout=3600)
        print(f"(hsload: {time.perf_counter() - started:.0f} s)")
        host, port = env["HS_ENDPOINT"].rsplit("/", 1)[-1].split(":")
        proxy = CountingProxy(host, int(port))
        try:
            measure("HSDS", f"hdf5://home/tester/{path.name}", proxy, dict(env, HS_ENDPOINT=proxy.url), out)
        finally:
            proxy.stop()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=16000)
    ap.add_argument("--hsds", action="store_true", help="also HSDS (hsload of 1 GB takes minutes)")
    ap.add_argument("--keep", action="store_true", help="keep the generated run for the next time")
    a = ap.parse_args()
    directory = Path(tempfile.gettempdir()) / "heatscope-remote-bench"
    directory.mkdir(exist_ok=True)
    path = directory / f"appended{a.steps}.h5"
    if not path.exists():
        started = time.perf_counter()
        write_appended_run(path, a.steps, LAYERS, EXPERTS)
        print(f"wrote {path} ({path.stat().st_size / 1e9:.2f} GB) in {time.perf_counter() - started:.1f} s")
    with tempfile.TemporaryDirectory() as out:
        try:
            http(path, Path(out))
            s3(path, Path(out))
            if a.hsds:
                hsds(path, Path(out))
        finally:
            if not a.keep:
                path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
