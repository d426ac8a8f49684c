"""The headless core (every module outside the Textual app) never imports textual."""

import importlib.util
import pkgutil
import subprocess
import sys

# Everything but the Textual app: discovered, so a new module is covered without being listed.
# heatscope.tui.launch and heatscope.tui.terminal.first_frame run before textual is imported (the early
# heatmap is drawn while it loads).
BEFORE_TEXTUAL = {"heatscope.tui.launch", "heatscope.tui.terminal", "heatscope.tui.terminal.first_frame",
                  "heatscope.tui.options", "heatscope.tui.model"}
# heatscope.capture imports torch where it counts (the capture extra); these modules do not
CAPTURE_WITHOUT_TORCH = {"heatscope.capture", "heatscope.capture.sites", "heatscope.capture.command"}
HAVE_TORCH = importlib.util.find_spec("torch") is not None


def _headless_modules() -> list[str]:
    import heatscope

    found = []
    for module in pkgutil.walk_packages(heatscope.__path__, "heatscope."):
        name = module.name
        if name.endswith("__main__"):
            continue  # importing it runs the CLI
        if name.startswith("heatscope.tui") and name not in BEFORE_TEXTUAL:
            continue
        if name.startswith("heatscope.capture.") and name not in CAPTURE_WITHOUT_TORCH and not HAVE_TORCH:
            continue
        found.append(name)
    return found


HEADLESS = _headless_modules()


def test_the_headless_list_is_discovered():
    assert {"heatscope.read.session", "heatscope.views.view_state", "heatscope.export.command",
            "heatscope.tui.terminal.first_frame", "heatscope.cli"} <= set(HEADLESS)
    assert "heatscope.tui.app" not in HEADLESS and len(HEADLESS) > 70


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


def test_torch_and_transformers_are_imported_only_by_capture():
    """``import heatscope`` and every headless module outside heatscope.capture leave torch and
    transformers unloaded (``heatscope.capture`` is imported, with torch, when first used)."""
    outside = [m for m in HEADLESS if not m.startswith("heatscope.capture.") or m in CAPTURE_WITHOUT_TORCH]
    code = (
        "import sys\nimport heatscope\n"
        + "".join(f"import {m}\n" for m in outside)
        + "bad = sorted(m for m in ('torch', 'transformers') if m in sys.modules)\n"
        + "print(bad)\nraise SystemExit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert {"heatscope.capture.sites", "heatscope.capture.command", "heatscope.cli"} <= set(outside)


def test_heatscope_capture_is_callable_and_loads_no_transformers():
    """The capture package counts without transformers (it recognizes modules by class); only
    the command line's model loading imports it."""
    if not HAVE_TORCH:
        return
    code = ("import sys\nimport heatscope\nassert callable(heatscope.capture)\n"
            "import heatscope.capture.session\nassert callable(heatscope.capture)\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'transformers'))\n"
            "print(bad)\nraise SystemExit(1 if bad else 0)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
