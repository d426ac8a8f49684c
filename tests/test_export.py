"""Export: golden files for the seed layouts, PNG pixels at hot cells, diffs, errors."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

GOLDEN = Path(__file__).parent / "golden"
SAMPLES = REPO / "sample_runs"
UPDATE = os.environ.get("HEATSCOPE_UPDATE_GOLDEN") == "1"

SEED_LAYOUTS = {
    "seed000": ["expert_load.h5", "--facet", "layer=25:26", "--facet", "variant"],
    "seed001": ["expert_load.h5", "--facet", "layer=7:12", "--facet", "variant"],
    "seed002": ["expert_load.h5", "--facet", "layer=9,18", "--facet", "variant"],
    "seed003": ["js_divergence.h5"],
    "seed004": ["layer_components.h5"],
}


def export(*args, check=True):
    r = subprocess.run([sys.executable, "-m", "heatscope", "export", *map(str, args)],
                       capture_output=True, text=True, timeout=120)
    if check:
        assert r.returncode == 0, r.stderr
    return r


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path} (run with HEATSCOPE_UPDATE_GOLDEN=1)"
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("seed", sorted(SEED_LAYOUTS))
@pytest.mark.parametrize("fmt", ["txt", "csv", "svg"])
def test_golden_exports(tmp_path, seed, fmt):
    file, *options = SEED_LAYOUTS[seed]
    out = tmp_path / f"{seed}.{fmt}"
    r = export(SAMPLES / file, *options, "-o", out)
    assert r.stdout.strip() == str(out)
    _golden(f"{seed}.{fmt}", out.read_text(encoding="utf-8"))


def test_seed_002_layout_titles_in_order():
    r = export(SAMPLES / "expert_load.h5", "--facet", "layer=9,18", "--facet", "variant", "-o", "-", "-f", "txt")
    titles = [line.strip() for line in r.stdout.splitlines() if "Layer" in line]
    assert [t.split("  ")[-1].strip() for t in titles] == [
        "Aux-Loss-Based Layer 9", "Aux-Loss-Free Layer 9", "Aux-Loss-Based Layer 18", "Aux-Loss-Free Layer 18"]
    assert r.stdout.count("Relative Expert Load") == 1  # one shared colorbar


def test_png_size_and_hot_cell_colors(tmp_path):
    from PIL import Image

    out = tmp_path / "seed002.png"
    export(SAMPLES / "expert_load.h5", "--facet", "layer=9", "--facet", "variant", "-o", out)
    image = Image.open(out).convert("RGB")
    width, height = image.size
    assert 900 <= width <= 1600 and 150 <= height <= 600
    # find the map: the darkest red pixel is DM Mathematics expert 25 of the free panel
    pixels = image.load()
    dark = [(x, y) for x in range(width) for y in range(height) if pixels[x, y] == (128, 0, 38)]
    assert dark, "no darkest-red cell"
    xs = sorted({x for x, _ in dark})
    cell = len(xs)
    assert 12 <= cell <= 24
    # the same column in the aux-loss-based panel (above) is pale yellow, not red
    x, y = dark[0]
    above = [pixels[x, yy] for yy in range(0, y - 3 * cell) if pixels[x, yy][0] > 240 and pixels[x, yy][2] < 220]
    assert above, "based panel should be pale at expert 25"


def test_diff_of_variants_at_layer_9():
    r = export(SAMPLES / "expert_load.h5", "--select", "layer=9", "--diff", "variant=Aux-Loss-Based,Aux-Loss-Free",
               "-o", "-", "-f", "csv")
    rows = [line.split(",") for line in r.stdout.splitlines()[1:]]
    best = max(rows, key=lambda row: float(row[-1]))
    assert best[0] == "Aux-Loss-Free minus Aux-Loss-Based Layer 9"
    assert (best[3], best[4]) == ("DM Mathematics", "25")
    txt = export(SAMPLES / "expert_load.h5", "--select", "layer=9", "--diff", "variant=Aux-Loss-Based,Aux-Loss-Free",
                 "-o", "-").stdout
    assert "Relative Expert Load difference" in txt and "-5" in txt  # symmetric range around 0


def test_two_file_diff(tmp_path, samples_dir):
    import shutil

    import h5py

    b = tmp_path / "run_b.h5"
    shutil.copy(samples_dir / "expert_load.h5", b)
    with h5py.File(b, "a") as f:
        f["relative_expert_load"][1, 8, 0, 0] += 3.0
    r = export(samples_dir / "expert_load.h5", b, "-o", "-", "-f", "csv")
    rows = [line.split(",") for line in r.stdout.splitlines()[1:]]
    nonzero = [row for row in rows if abs(float(row[-1])) > 1e-6]
    assert len(nonzero) == 1 and nonzero[0][3:5] == ["Wikipedia (en)", "1"]
    assert float(nonzero[0][-1]) == pytest.approx(3.0)
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f["relative_expert_load"] = [[1.0, 2.0]]
    r = export(samples_dir / "expert_load.h5", other, "-o", "-", check=False)
    assert r.returncode == 2 and "shapes differ" in r.stderr and r.stderr.count("\n") == 1


@pytest.mark.parametrize("args, message", [
    (["--dataset", "nope"], "no dataset named 'nope'"),
    (["--select", "layer=99"], "axis 'layer' has no label or index '99'"),
    (["--facet", "depth"], "no axis named 'depth'"),
    (["--facet", "expert"], "it is a displayed axis"),
    (["--diff", "variant=Aux-Loss-Free"], "--diff wants AXIS=A,B"),
    (["-o", "x.bmp"], "cannot tell the format"),
    (["-o", "-", "-f", "png"], "text formats only"),
    (["--cmap", "nope"], "unknown colormap"),
])
def test_export_errors_one_line_exit_2(tmp_path, args, message):
    r = subprocess.run([sys.executable, "-m", "heatscope", "export", str(SAMPLES / "expert_load.h5"), *args],
                       capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr.startswith("heatscope: error: ") and message in r.stderr
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr


def test_default_export_is_the_tui_view(tmp_path):
    r = subprocess.run([sys.executable, "-m", "heatscope", "export", str(SAMPLES / "expert_load.h5")],
                       capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = tmp_path / r.stdout.strip()
    assert out.suffix == ".svg" and "Aux-Loss-Free_Layer_9" in out.name
    assert "Aux-Loss-Free Layer 9" in out.read_text().replace("&#160;", " ")


def test_export_path_imports_no_textual(tmp_path):
    code = (
        "import sys\nfrom heatscope.cli import main\n"
        f"rc = main(['export', {str(SAMPLES / 'expert_load.h5')!r}, '--facet', 'variant', '-o', {str(tmp_path / 'x.svg')!r}])\n"
        f"rc |= main(['export', {str(SAMPLES / 'expert_load.h5')!r}, '-o', {str(tmp_path / 'x.png')!r}])\n"
        "assert not [m for m in sys.modules if m.startswith('textual')], 'textual imported'\n"
        "raise SystemExit(rc)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
