"""Remote runs through fsspec, against real servers on 127.0.0.1: an HTTP server with Range
support (the samples, and a 1 GB run whose first heatmap must cost under 20 requests and
2 MB), moto's S3 server, a server that stops mid-session and one that never answers. A run
appended step by step (thousands of chunks, an index spread over the file) must cost as
little: nothing on the way to the first picture walks its chunk index."""

import os
import socket
import subprocess
import sys
import threading
import time

import h5py
import numpy as np
import pytest
from h5py import h5d, h5p

from heatscope.sources import remote
from tests.appended_run import check_costs_little, write_appended_run
from tests.conftest import REPO
from tests.remote_servers import CountingProxy, RangeServer
from tests.tui_helpers import make_app, screen_text, settle

fsspec = pytest.importorskip("fsspec", reason="remote paths need the remote extra: pip install 'heatscope[remote]'")
SAMPLES = REPO / "sample_runs"
STEPS, LAYERS, EXPERTS = 16384, 61, 256  # 1.02 GB of float32
APPENDED = (4096, 16, 64)  # 17 MB in 4,096 one-step chunks: a walk of their index reads ~10 MB in ~80 requests


def run_cli(*args, env=None, timeout=120):
    return subprocess.run([sys.executable, "-m", "heatscope", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env=env)


@pytest.fixture(scope="module")
def big_run(tmp_path_factory):
    """A 1 GB chunked run (space allocated up front, sparse on disk) with a few steps written."""
    path = tmp_path_factory.mktemp("big") / "big.h5"
    with h5py.File(path, "w", libver="latest") as f:
        scales = []
        for name, values in (("step", np.arange(STEPS)), ("layer", np.arange(1, LAYERS + 1)),
                             ("expert", np.arange(EXPERTS))):
            scale = f.create_dataset(name, data=values)
            scale.make_scale(name)
            scales.append(scale)
        dcpl = h5p.create(h5p.DATASET_CREATE)
        dcpl.set_chunk((1, LAYERS, EXPERTS))
        dcpl.set_alloc_time(h5d.ALLOC_TIME_EARLY)
        dcpl.set_fill_time(h5d.FILL_TIME_NEVER)
        space = h5py.h5s.create_simple((STEPS, LAYERS, EXPERTS))
        dset = h5py.Dataset(h5d.create(f.id, b"relative_expert_load", h5py.h5t.NATIVE_FLOAT, space, dcpl=dcpl))
        for i, scale in enumerate(scales):
            dset.dims[i].attach_scale(scale)
            dset.dims[i].label = scale.name.lstrip("/")
        dset.attrs["kind"] = "relative_expert_load"
        dset[STEPS // 2] = np.arange(LAYERS * EXPERTS, dtype=np.float32).reshape(LAYERS, EXPERTS) % 7
    assert path.stat().st_size > 1e9
    return path


@pytest.fixture(scope="module")
def appended_run(tmp_path_factory):
    path = tmp_path_factory.mktemp("appended") / "appended.h5"
    base = write_appended_run(path, *APPENDED)
    return path, base


async def test_an_appended_run_over_http_costs_a_few_requests(appended_run):
    path, base = appended_run
    server = RangeServer(path.parent)
    try:
        await check_costs_little(f"{server.url}/{path.name}", server, APPENDED[0], base)
    finally:
        server.stop()


@pytest.fixture
def http_samples():
    server = RangeServer(SAMPLES)
    yield server
    server.stop()


def test_info_and_export_over_http(http_samples):
    url = f"{http_samples.url}/expert_load.h5"
    info = run_cli("info", url)
    assert info.returncode == 0, info.stderr
    assert info.stdout.splitlines()[0] == f"{url}  (6 datasets, 2 viewable)"
    local = run_cli("export", SAMPLES / "expert_load.h5", "--select", "layer=9", "-f", "csv", "-o", "-")
    remote = run_cli("export", url, "--select", "layer=9", "-f", "csv", "-o", "-")
    assert remote.returncode == 0 and remote.stdout == local.stdout  # the same numbers, read remotely
    listing = run_cli("info", f"{http_samples.url}/")  # a directory of runs
    assert listing.returncode == 0 and f"{http_samples.url}/training_balance.h5" in listing.stdout
    missing = run_cli("info", f"{http_samples.url}/nope.h5")
    assert missing.returncode == 2 and missing.stderr.strip() == f"heatscope: error: {http_samples.url}/nope.h5: " \
                                                                   "no such file or directory"


def test_first_heatmap_of_a_1gb_remote_run_costs_a_few_requests(big_run):
    server = RangeServer(big_run.parent)
    try:
        url = f"{server.url}/big.h5"
        r = run_cli("export", url, "--select", f"step={STEPS // 2}", "-f", "csv", "-o", "-")
        assert r.returncode == 0, r.stderr
        rows = r.stdout.splitlines()[1:]
        assert len(rows) == LAYERS * EXPERTS and float(rows[9].split(",")[-1]) == 9 % 7
        assert server.requests < 20 and server.bytes < 2e6, (server.requests, server.bytes)
    finally:
        server.stop()


async def test_tui_over_http_and_a_server_that_stops(big_run, monkeypatch):
    monkeypatch.setenv("HEATSCOPE_REMOTE_TIMEOUT", "2")
    server = RangeServer(big_run.parent)
    try:
        app = make_app(f"{server.url}/big.h5")
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            assert app.panels is not None and "big" in screen_text(app)
            assert server.requests < 20 and server.bytes < 2e6, (server.requests, server.bytes)
            text = screen_text(app)
            assert "scan  not scanned (remote)" in text and "range slice" in text  # never scanned in full
            server.stop()
            await pilot.press("g")
            await pilot.pause()
            await pilot.press(*"9000", "enter")  # a step nobody read yet
            started = time.monotonic()
            await settle(pilot)
            assert time.monotonic() - started < 15
            text = screen_text(app)
            assert "relative_expert_load: cannot read slice" in text, text  # shown, not hung
            await pilot.press("]")  # still alive
            await pilot.pause()
        assert app.return_code in (0, None)
    finally:
        try:
            server.stop()
        except OSError:
            pass


def test_a_server_that_never_answers_gives_one_line(tmp_path):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])  # accepted, never answered
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        env = dict(os.environ, HEATSCOPE_REMOTE_TIMEOUT="1")
        started = time.monotonic()
        r = run_cli("info", f"http://127.0.0.1:{listener.getsockname()[1]}/run.h5", env=env, timeout=60)
        assert time.monotonic() - started < 30
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        listener.close()


def test_s3_with_moto(tmp_path):
    pytest.importorskip("s3fs", reason="S3 needs the remote extra")
    moto_server = pytest.importorskip("moto.server", reason="the S3 test server is moto[server] (test extra)")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="secret-never-printed",
                   AWS_DEFAULT_REGION="us-east-1", FSSPEC_S3_ENDPOINT_URL=f"http://{host}:{port}")
        upload = ("import os, s3fs\nfs = s3fs.S3FileSystem()\nfs.mkdir('runs')\n"
                  f"for n in ('expert_load.h5', 'training_balance.h5'):\n"
                  f"    fs.put(os.path.join({str(SAMPLES)!r}, n), 'runs/sweep/' + n)\n")
        assert subprocess.run([sys.executable, "-c", upload], env=env, timeout=60).returncode == 0
        info = run_cli("info", "s3://runs/sweep/", env=env)
        assert info.returncode == 0, info.stderr
        assert "s3://runs/sweep/expert_load.h5  (6 datasets" in info.stdout
        assert "s3://runs/sweep/training_balance.h5" in info.stdout
        out = tmp_path / "maxvio.csv"
        r = run_cli("export", "s3://runs/sweep/training_balance.h5", "--reduce", "expert=maxvio", "-f", "csv",
                    "-o", out, env=env)
        local = run_cli("export", SAMPLES / "training_balance.h5", "--reduce", "expert=maxvio", "-f", "csv", "-o", "-")
        assert r.returncode == 0 and out.read_text() == local.stdout
        missing = run_cli("info", "s3://runs/nope.h5", env=env)
        assert missing.returncode == 2 and "s3://runs/nope.h5: no such file or directory" in missing.stderr
        denied = run_cli("info", "s3://runs/sweep/expert_load.h5",
                         env=dict(env, AWS_SECRET_ACCESS_KEY="wrong-secret-value"))
        assert "wrong-secret-value" not in denied.stdout + denied.stderr  # credentials are never printed
    finally:
        server.stop()


async def test_an_appended_run_on_s3_costs_a_few_requests(appended_run, monkeypatch):
    pytest.importorskip("s3fs", reason="S3 needs the remote extra")
    moto_server = pytest.importorskip("moto.server", reason="the S3 test server is moto[server] (test extra)")
    path, base = appended_run
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    proxy = CountingProxy(*server.get_host_and_port())
    try:
        env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
               "FSSPEC_S3_ENDPOINT_URL": proxy.url}
        upload = ("import s3fs\nfs = s3fs.S3FileSystem()\nfs.mkdir('trainer')\n"
                  f"fs.put({str(path)!r}, 'trainer/appended.h5')\n")
        assert subprocess.run([sys.executable, "-c", upload], env=dict(os.environ, **env), timeout=60).returncode == 0
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        # fsspec read the FSSPEC_* variables when it was imported: the TUI in this process is told here
        monkeypatch.setitem(fsspec.config.conf, "s3", {"endpoint_url": proxy.url})
        monkeypatch.setattr(remote, "_filesystems", {})  # this endpoint's s3fs, for this test only
        await check_costs_little("s3://trainer/appended.h5", proxy, APPENDED[0], base, env=dict(os.environ, **env))
    finally:
        proxy.stop()
        server.stop()


def test_local_use_never_imports_fsspec():
    code = ("import sys\nfrom heatscope.cli import main\n"
            f"rc = main(['info', {str(SAMPLES / 'expert_load.h5')!r}])\n"
            "assert not {'fsspec', 'aiohttp', 's3fs', 'h5pyd'} & set(sys.modules)\nraise SystemExit(rc)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60).returncode == 0
