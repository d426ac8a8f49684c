"""A slice's summary always describes the data it is shown with, even when a metric view
fills in while the slice is being read."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from heatscope.read.reduce import reduced_info
from heatscope.read.session import Session
from heatscope.read.summary import summarize
from heatscope.views.panels import display_info, read_panels
from heatscope.views.view_state import initial_state

SAMPLES = Path(__file__).resolve().parent.parent / "sample_runs"


def test_a_metric_view_finishing_during_a_read_leaves_no_stale_summary(monkeypatch):
    session = Session([SAMPLES / "training_balance.h5"])
    session.open_all()
    file_index, base = session.initial_dataset(None)
    info = reduced_info(base, "expert", "maxvio")
    state = initial_state(file_index, info)
    partial = session.reduced(file_index, info)  # nothing reduced yet: every value missing
    session.compute_reduction(file_index, info)
    done = session.reduced(file_index, info)
    final_values, final_blocks = done.values.copy(), list(done.done)
    partial.values[...] = np.nan
    partial.done.clear()
    read = session.read

    def read_then_finish(*args, **kwargs):  # the reduction finishes just after this read
        data = read(*args, **kwargs)
        partial.values[...] = final_values
        partial.done[:] = final_blocks
        return data

    monkeypatch.setattr(session, "read", read_then_finish)
    during = read_panels(session, state)
    assert np.isnan(during[0].values).all()
    monkeypatch.setattr(session, "read", read)
    after = read_panels(session, state)  # the finished view
    assert np.isfinite(after[0].values).any()
    expected = summarize(display_info(state), after[0].data)
    assert after[0].summary.basic == expected.basic
    assert after[0].summary.hottest == expected.hottest
    session.close()
