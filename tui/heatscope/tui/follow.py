"""Live follow (``--follow`` or ``F``): poll the open files, show new steps as they arrive."""

from __future__ import annotations

from textual import work

from heatscope.tui.messages import WorkerUpdate, while_running
from heatscope.views.follow import at_newest, followed_state

POLL_SECONDS = 0.5


class FileGrew(WorkerUpdate):
    """File ``file_index`` changed on disk; its catalog is fresh."""

    def __init__(self, file_index: int) -> None:
        super().__init__()
        self.file_index = file_index


class FollowMixin:
    """Follow mode of ``HeatscopeApp``."""

    following = False
    _follow_timer = None

    def set_following(self, on: bool) -> None:
        self.following = on
        if self._follow_timer is not None:
            self._follow_timer.stop()
            self._follow_timer = None
        if on:
            self._follow_timer = self.set_interval(POLL_SECONDS, self._poll)

    def action_toggle_follow(self) -> None:
        self.set_following(not self.following)
        if self.following and self.state is not None:
            self.set_state(at_newest(self.state))
        self.notify("following: new data is shown as it is written" if self.following else "follow off",
                    timeout=2)

    @while_running
    def _poll(self) -> None:
        if self.state is not None:
            self.check_growth(self.state.file_index)

    @work(thread=True, exclusive=True, exit_on_error=False, group="follow")
    def check_growth(self, file_index: int) -> None:
        try:
            changed = self.session.refresh(file_index)
        except Exception as exc:  # noqa: BLE001 - a writer mid-flush: try again next poll
            self.log.warning(f"follow: {exc!r}")
            return
        if changed:
            self.post_message(FileGrew(file_index))

    def on_file_grew(self, message: FileGrew) -> None:
        state = self.state
        if state is None or message.file_index != state.file_index:
            return
        fresh = self.session.files[state.file_index].catalog.find(state.info.path)
        if fresh is None or not fresh.viewable:
            self.notify(f"{state.info.display_path} is gone from the file", severity="warning")
            return
        from heatscope.tui.loading import scan_key

        self.scans.pop(scan_key(state), None)
        self.scan_note = "not scanned (remote)" if self.session.is_remote(state.file_index) else "pending"
        self.refill_tree()
        self.set_state(followed_state(state, fresh))
