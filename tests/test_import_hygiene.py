"""The headless core (every module outside the Textual app) never imports textual."""

import pkgutil
import subprocess
import sys

# Everything but the Textual app: discovered, so a new module is covered without being listed.
# heatscope.tui.launch and heatscope.tui.terminal.first_frame run before textual is imported (the early
# heatmap is drawn while it loads).
BEFORE_TEXTUAL = {"heatscope.tui.launch", "heatscope.tui.terminal", "heatscope.tui.terminal.first_frame",
                  "heatscope.tui.options", "heatscope.tui.model"}


def _headless_modules() -> list[str]:
    import heatscope

    found = []
    for module in pkgutil.walk_packages(heatscope.__path__, "heatscope."):
        name = module.name
        if name.endswith("__main__"):
            continue  # importing it runs the CLI
        if name.startswith("heatscope.tui") and name not in BEFORE_TEXTUAL:
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
