"""hdf5:// paths on a real HSDS server started here (127.0.0.1, local POSIX storage), with a
sample loaded by hsload: info, export and the TUI read it as they read the local file; a run
appended step by step costs a few requests (counted by a proxy in front of the server)."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.appended_run import check_costs_little, write_appended_run
from tests.conftest import REPO
from tests.remote_servers import CountingProxy, ServerUnavailable, hsds_server
from tests.tui_helpers import make_app, screen_text, settle

pytest.importorskip("h5pyd", reason="hdf5:// paths need the hsds extra: pip install 'heatscope[hsds]'")
BIN = Path(sys.executable).parent
SAMPLE = REPO / "sample_runs" / "expert_load.h5"
APPENDED = (2048, 16, 64)  # 2,048 one-step chunks (hsload takes ~15 s for them)


@pytest.fixture(scope="module")
def hsds(tmp_path_factory):
    """A running HSDS (one data node) with /home/tester/expert_load.h5 loaded by hsload."""
    try:
        with hsds_server(tmp_path_factory.mktemp("hsds")) as env:
            loaded = subprocess.run([str(BIN / "hsload"), str(SAMPLE), "/home/tester/"], env=env,
                                    capture_output=True, text=True, timeout=120)
            assert loaded.returncode == 0, loaded.stderr
            yield env
    except ServerUnavailable as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def hsds_appended(hsds, tmp_path_factory):
    """/home/tester/appended.h5: a run appended in blocks of steps, loaded by hsload."""
    path = tmp_path_factory.mktemp("appended") / "appended.h5"
    base = write_appended_run(path, *APPENDED)
    loaded = subprocess.run([str(BIN / "hsload"), str(path), "/home/tester/"], env=hsds, capture_output=True,
                            text=True, timeout=300)
    assert loaded.returncode == 0, loaded.stderr
    return base


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


async def test_an_appended_run_on_hsds_costs_a_few_requests(hsds, hsds_appended, monkeypatch):
    host, port = hsds["HS_ENDPOINT"].rsplit("/", 1)[-1].split(":")
    proxy = CountingProxy(host, int(port))
    try:
        env = dict(hsds, HS_ENDPOINT=proxy.url)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        await check_costs_little("hdf5://home/tester/appended.h5", proxy, APPENDED[0], hsds_appended, env=env)
    finally:
        proxy.stop()
