"""Results that arrive while the app closes never touch removed widgets.

Textual prunes the screens before it drains the app's queue, and timers fire on their own
tasks; this used to raise NoMatches (and failed test_follow about one run in five).
Here every kind of worker message, timer and after-refresh callback is delivered after
the widgets are gone, deterministically.
"""

from heatscope.tui.messages import (
    FileGrew,
    FilesOpened,
    LoadFailed,
    PanelsLoaded,
    RunOpened,
    ScanFinished,
    ScanProgress,
)
from heatscope.tui.range_scans import scan_key
from tests.tui_helpers import make_app, settle


async def test_updates_arriving_after_the_widgets_are_gone_are_dropped(samples_dir):
    app = make_app(*sorted(samples_dir.glob("*.h5")), follow=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        state, panels = app.state, app.panels
        original = app._close_all

        async def close_all_then_deliver():
            await original()
            assert not app.query("HeatmapView")  # the widgets really are gone now
            for message in (FileGrew(0), ScanFinished(scan_key(state), None), ScanProgress(scan_key(state), 0.5),
                            PanelsLoaded(state.slice_key, panels), LoadFailed("late"), RunOpened(1, True),
                            FilesOpened(app.session.files)):
                app.post_message(message)
            app.stats.update()  # what the stats timer calls
            app.follower.poll()  # what the follow timer calls
            app._fill_tree()  # what runs after the first refresh
            app._start_scan(state)

        app._close_all = close_all_then_deliver
    assert app._exception is None  # run_test re-raises it; checked for clarity


async def test_quitting_with_workers_in_flight(samples_dir):
    """q while a scan and a prefetch are running: a clean exit, nothing raised."""
    for _ in range(5):
        app = make_app(*sorted(samples_dir.glob("*.h5")))
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("]", "]", "r", "q")
        assert app.return_code in (0, None)
