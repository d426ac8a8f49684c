"""Live follow (``--follow`` or ``F``): poll the open file, show new steps as they arrive."""

from __future__ import annotations

from heatscope.tui import workers
from heatscope.tui.messages import while_running

POLL_SECONDS = 0.5


class Follower:
    """The poll timer of ``app``'s follow mode (the model keeps whether it is on)."""

    def __init__(self, app) -> None:
        self.app = app
        self.timer = None

    def set(self, on: bool) -> None:
        self.app.model.following = on
        if self.timer is not None:
            self.timer.stop()
            self.timer = None
        if on:
            self.timer = self.app.set_interval(POLL_SECONDS, self.poll)

    @while_running
    def poll(self) -> None:
        state = self.app.model.state
        if state is not None:
            workers.start(self.app, workers.check_growth, state.file_index, group="follow")
