"""hdf5:// paths on a real HSDS server started here (127.0.0.1, local POSIX storage), with a
sample loaded by hsload: info, export and the TUI read it as they read the local file."""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.remote_servers import free_port
from tests.tui_helpers import make_app, screen_text, settle

pytest.importorskip("h5pyd", reason="hdf5:// paths need the hsds extra: pip install 'heatscope[hsds]'")
BIN = Path(sys.executable).parent
SAMPLE = REPO / "sample_runs" / "expert_load.h5"


@pytest.fixture(scope="module")
def hsds(tmp_path_factory):
    """A running HSDS (one data node) with /home/tester/expert_load.h5 loaded by hsload."""
    server_bin, load_bin = shutil.which("hsds", path=str(BIN)), shutil.which("hsload", path=str(BIN))
    if server_bin is None or load_bin is None:
        pytest.skip("the hsds package (server and hsload) is not installed")
    with socket.socket() as probe:  # HSDS puts its data node on 6101 whatever the service port
        if probe.connect_ex(("127.0.0.1", 6101)) == 0:
            pytest.skip("port 6101 is taken (HSDS's data node port is fixed): another HSDS running?")
    root = tmp_path_factory.mktemp("hsds")
    (root / "hsdstest").mkdir()
    port = free_port()
    env = dict(os.environ, HS_ENDPOINT=f"http://127.0.0.1:{port}", HS_USERNAME="tester", HS_PASSWORD="pw-secret",
               HS_BUCKET="hsdstest")
    log = open(root / "hsds.log", "w")
    server = subprocess.Popen([server_bin, "--root_dir", str(root), "--bucket_name", "hsdstest", "--hs_username",
                               "tester", "--hs_password", "pw-secret", "--host", "127.0.0.1", "--port", str(port),
                               "--count", "1", "--loglevel", "ERROR", "--logfile", str(root / "server.log")],
                              stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while "READY" not in (root / "hsds.log").read_text():
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.skip(f"the HSDS server did not start: {(root / 'hsds.log').read_text()[-300:]}")
            time.sleep(0.3)
        for folder in ("/home/", "/home/tester/"):
            subprocess.run([str(BIN / "hstouch"), folder], env=env, capture_output=True, timeout=60)
        loaded = subprocess.run([load_bin, str(SAMPLE), "/home/tester/"], env=env, capture_output=True, text=True,
                                timeout=120)
        assert loaded.returncode == 0, loaded.stderr
        yield env
    finally:
        os.killpg(server.pid, 15)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
        log.close()


def run_cli(*args, env):
    return subprocess.run([sys.executable, "-m", "heatscope", *map(str, args)], capture_output=True, text=True,
                          timeout=120, env=env)


def test_info_and_export_from_hsds(hsds):
    info = run_cli("info", "hdf5://home/tester/expert_load.h5", env=hsds)
    assert info.returncode == 0, info.stderr
    assert "relative_expert_load  variant=2 x layer=26 x dataset=3 x expert=64  float32  relative_expert_load  " \
           "viewable  cmap YlOrRd  range 0..10" in info.stdout
    folder = run_cli("info", "hdf5://home/tester/", env=hsds)
    assert folder.returncode == 0 and "hdf5://home/tester/expert_load.h5  (6 datasets, 2 viewable)" in folder.stdout
    local = run_cli("export", SAMPLE, "--select", "layer=9", "-f", "csv", "-o", "-", env=hsds)
    remote = run_cli("export", "hdf5://home/tester/expert_load.h5", "--select", "layer=9", "-f", "csv", "-o", "-",
                     env=hsds)
    assert remote.returncode == 0 and remote.stdout == local.stdout  # labels from HSDS's dimension scales too
    endpoint = hsds["HS_ENDPOINT"]
    by_option = run_cli("--hsds", endpoint, "info", "hdf5://home/tester/expert_load.h5",
                        env={k: v for k, v in hsds.items() if k != "HS_ENDPOINT"})
    assert by_option.returncode == 0, by_option.stderr
    missing = run_cli("info", "hdf5://home/tester/nope.h5", env=hsds)
    assert missing.returncode == 2 and "hdf5://home/tester/nope.h5: no such domain or folder" in missing.stderr
    wrong = run_cli("info", "hdf5://home/tester/expert_load.h5", env=dict(hsds, HS_PASSWORD="wrong-pw-value"))
    assert wrong.returncode == 2 and "wrong-pw-value" not in wrong.stderr + wrong.stdout


async def test_tui_on_hsds(hsds, monkeypatch):
    for key, value in hsds.items():
        monkeypatch.setenv(key, value)
    app = make_app("hdf5://home/tester/")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert "Aux-Loss-Free Layer 9" in screen_text(app)
        await pilot.press("]")
        await settle(pilot)
        assert "Aux-Loss-Free Layer 10" in screen_text(app)
