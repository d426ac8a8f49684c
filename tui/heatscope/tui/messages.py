"""Messages posted from worker threads back to the app, and the rule that keeps them from
touching widgets once the app is closing.

Textual prunes the screens (and their widgets) before it drains the app's message queue,
and timers fire on their own tasks: a scan finishing or a file growing just as the user
quits would otherwise call ``query_one`` on removed widgets (``NoMatches``). So every
message a worker posts is a ``WorkerUpdate``, whose handlers, like callbacks run by timers
or after a refresh, are wrapped in ``while_running``: skipped once the app stops running.
"""

from __future__ import annotations

import functools

from textual.message import Message

from heatscope.read.session import OpenedFile


class WorkerUpdate(Message):
    """A result from a worker or a poll: handled only while the app is running."""


def while_running(method):
    """Skip ``method`` once its app has begun to close (its widgets may be gone)."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if not self.app.is_running:
            return None
        return method(self, *args, **kwargs)

    return wrapper


class FilesOpened(WorkerUpdate):
    """Every input file was opened and catalogued (or failed with a reason)."""

    def __init__(self, files: list[OpenedFile]) -> None:
        super().__init__()
        self.files = files


class PanelsLoaded(WorkerUpdate):
    """The panels (``render.panels.Panel``) read for the view whose ``slice_key`` is ``key``;
    ``prefetch``: the overview target to prefetch its neighbours at once they are drawn."""

    def __init__(self, key: tuple, panels: list, prefetch: tuple[int, int] | None = None) -> None:
        super().__init__()
        self.key = key
        self.panels = panels
        self.prefetch = prefetch


class ReadProgress(WorkerUpdate):
    """Progress (0..1) of reading the overview of a huge slice for the view ``key``."""

    def __init__(self, key: tuple, fraction: float) -> None:
        super().__init__()
        self.key = key
        self.fraction = fraction

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ReadProgress) and message.key == self.key


class LoadFailed(WorkerUpdate):
    """Reading failed; ``text`` is one line for the user."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class ScanProgress(WorkerUpdate):
    """Progress of the global-range scan of dataset ``key`` (0..1)."""

    def __init__(self, key: tuple, fraction: float) -> None:
        super().__init__()
        self.key = key
        self.fraction = fraction

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ScanProgress) and message.key == self.key


class ScanFinished(WorkerUpdate):
    """The global-range scan of dataset ``key`` finished with a ``ScanResult``."""

    def __init__(self, key: tuple, result) -> None:
        super().__init__()
        self.key = key
        self.result = result


class ReduceProgress(WorkerUpdate):
    """Blocks of the metric view ``key`` done so far (``fraction`` 1.0: finished, -1: failed)."""

    def __init__(self, key: tuple, fraction: float, error: str = "") -> None:
        super().__init__()
        self.key = key
        self.fraction = fraction
        self.error = error


class StackReady(WorkerUpdate):
    """The runs were stacked for the view ``key`` (``info`` None: they could not be)."""

    def __init__(self, key: tuple, info, left_out: list, then, error: str = "") -> None:
        super().__init__()
        self.key, self.info, self.left_out, self.then, self.error = key, info, left_out, then, error


class RunOpened(WorkerUpdate):
    """``file_index`` is open (None: no run could be); ``skipped`` could not be opened."""

    def __init__(self, file_index: int | None, show: bool, skipped: tuple[int, ...] = ()) -> None:
        super().__init__()
        self.file_index = file_index
        self.show = show
        self.skipped = skipped


class FileGrew(WorkerUpdate):
    """File ``file_index`` changed on disk; its catalog is fresh."""

    def __init__(self, file_index: int) -> None:
        super().__init__()
        self.file_index = file_index


class SparkReady(WorkerUpdate):
    """The cursor row's metric along the step axis, for the sparkline ``key``."""

    def __init__(self, key: tuple, label: str, values) -> None:
        super().__init__()
        self.key = key
        self.label = label
        self.values = values
