"""The headless core (data, render, samples, info) never imports textual."""

import subprocess
import sys

HEADLESS = [
    "heatscope.data.opening",
    "heatscope.data.catalog",
    "heatscope.data.axes",
    "heatscope.data.values",
    "heatscope.data.selection",
    "heatscope.data.slices",
    "heatscope.data.stats",
    "heatscope.data.scan",
    "heatscope.data.session",
    "heatscope.data.summary",
    "heatscope.render.catalog_tree",
    "heatscope.render.colormaps",
    "heatscope.render.normalize",
    "heatscope.render.geometry",
    "heatscope.render.ticks",
    "heatscope.render.heatmap_panel",
    "heatscope.render.stats_panel",
    "heatscope.render.view_state",
    "heatscope.render.facets",
    "heatscope.render.panels",
    "heatscope.render.follow",
    "heatscope.render.titles",
    "heatscope.export.figure",
    "heatscope.export.text_formats",
    "heatscope.export.png",
    "heatscope.export.command",
    "heatscope.importers.megatron",
    "heatscope.importers.command",
    "heatscope.importers.megatron_trace",
    "heatscope.importers.sglang",
    "heatscope.importers.tensors",
    "heatscope.importers.safetensors_file",
    "heatscope.importers.torch_files",
    "heatscope.importers.output",
    "heatscope.importers.arrays_file",
    "heatscope.data.remote",
    "heatscope.data.hsds",
    "heatscope.data.backends",
    "heatscope.writer_lock",
    "heatscope.run_file_flags",
    "heatscope.parsing",
    "heatscope.launch",
    "heatscope.first_frame",  # drawn before textual is imported
    "heatscope.render.screen_layout",
    "heatscope.writer",
    "heatscope.samples",
    "heatscope.cli",
]


def test_headless_modules_do_not_import_textual():
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in HEADLESS)
        + "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        + "print(bad)\nraise SystemExit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "[]"


def test_info_command_runs_without_textual(load_file):
    code = (
        "import sys\nfrom heatscope.cli import main\n"
        f"rc = main(['info', {str(load_file)!r}])\n"
        "assert 'textual' not in sys.modules, 'textual imported'\n"
        "raise SystemExit(rc)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "relative_expert_load" in result.stdout
