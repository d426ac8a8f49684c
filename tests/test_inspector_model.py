"""The inspector's model without Textual: intents change the view and say what to do."""

from __future__ import annotations

import subprocess
import sys

from heatscope.read.session import Session
from heatscope.tui.model import Inspector
from heatscope.tui.range_scans import Scan, scan_key
from heatscope.views.view_state import initial_state


def _model(path) -> Inspector:
    session = Session([path])
    session.open_all()
    model = Inspector(session)
    info = session.files[0].catalog.default_dataset()
    model.start(initial_state(0, info))
    return model


def test_the_model_never_imports_textual():
    code = "import sys, heatscope.tui.model; print(any(m.startswith('textual') for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


def test_the_app_has_no_mixins():
    from textual.app import App

    from heatscope.tui.app import HeatscopeApp

    assert HeatscopeApp.__mro__[1] is App  # nothing shares the app's namespace but Textual's own App


def test_stepping_moves_the_layer_and_reads_a_new_slice(load_file):
    model = _model(load_file)
    state = model.state
    layer = state.step_axis
    outcome = model.step(1)
    assert outcome.view.selection.index[layer] == state.selection.index[layer] + 1
    assert model.move(outcome.view) is True  # another slice: its panels must be read
    assert model.move(model.state) is False
    assert model.step(-1).view.selection.index[layer] == state.selection.index[layer]


def test_a_bad_facet_is_a_notice_and_no_change(load_file):
    model = _model(load_file)
    outcome = model.facet("nosuchaxis")
    assert outcome.view is None and outcome.severity == "error" and "nosuchaxis" in outcome.notice
    good = model.facet("layer=9,18 variant")
    assert len(good.view.facets) == 2 and good.view.n_panels() == 4


def test_a_diff_is_colored_around_zero_and_clears(load_file):
    model = _model(load_file)
    view = model.diff("variant=Aux-Loss-Based,Aux-Loss-Free").view
    assert view.differenced and view.cmap == "RdBu_r"
    model.move(view)
    assert model.set_range("log").notice == "a diff is always colored symmetrically around 0"
    cleared = model.clear_diff().view
    assert not cleared.differenced and cleared.cmap == model.state.info.value.colormap


def test_goto_a_displayed_axis_moves_the_cursor(load_file):
    model = _model(load_file)
    view = model.goto("expert=25").view
    experts = model.state.info.axes[model.state.selection.col_axis]
    assert view.cursor[1] == experts.find("25") and experts.label(view.cursor[1]) == "25"
    assert model.goto("layer=999").severity == "error"


def test_scan_status_follows_the_workers(load_file):
    model = _model(load_file)
    assert model.ranges.status is Scan.PENDING and model.scan_note() == "global range pending"
    assert model.scan_due() and model.ranges.status is Scan.RUNNING
    key = scan_key(model.state)
    assert model.scan_progress(key, 0.5) and model.scan_note() == "global range 50%"
    assert not model.scan_progress(("other",), 0.7)
    assert model.scan_finished(key, object()) and model.ranges.status is Scan.DONE and model.scan_note() == ""
    model.start(model.step(1).view)  # the same dataset: scanned already
    assert model.ranges.status is Scan.DONE


def test_a_metric_view_is_computed_and_left(samples_dir):
    model = _model(samples_dir / "training_balance.h5")
    outcome = model.metric("expert", "maxvio")
    assert outcome.fresh and outcome.compute and outcome.view.info.reduction.stat == "maxvio"
    model.start(outcome.view)
    back = model.leave_metric()
    assert back.view.info.reduction is None and back.fresh


def test_stacking_needs_two_runs(load_file):
    model = _model(load_file)
    assert model.stack_runs().notice == "only one run is open"
    assert model.facet("run").severity == "error"  # one run: no run axis to facet by


def test_a_new_slice_is_never_drawn_with_the_old_slices_panels(samples_dir):
    """Found by the fuzz drive: ``t`` (a new slice, panels not read yet), then a scan
    finishing, redrew the transposed labels over the old panels (IndexError in the ticks)."""
    from heatscope.views.panels import read_panels

    model = _model(samples_dir / "layer_components.h5")
    state = model.state
    assert model.panels_loaded(state.slice_key, read_panels(model.session, state))
    assert model.redraw() is not None
    assert model.move(model.transpose().view)  # another slice: to be read
    assert model.current_panels() is None and model.redraw() is None  # the last frame stays
    assert model.scan_finished(scan_key(model.state), None) and model.redraw() is None
    transposed = model.state
    assert model.panels_loaded(transposed.slice_key, read_panels(model.session, transposed))
    frame = model.redraw()
    assert frame.panels[0].values.shape == (transposed.selection.n_rows, transposed.selection.n_cols)
