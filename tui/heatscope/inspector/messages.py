"""Messages posted from worker threads back to the app."""

from __future__ import annotations

from textual.message import Message

from heatscope.data.session import OpenedFile


class FilesOpened(Message):
    """Every input file was opened and catalogued (or failed with a reason)."""

    def __init__(self, files: list[OpenedFile]) -> None:
        super().__init__()
        self.files = files


class PanelsLoaded(Message):
    """The panels (``render.panels.Panel``) read for the view whose ``slice_key`` is ``key``."""

    def __init__(self, key: tuple, panels: list) -> None:
        super().__init__()
        self.key = key
        self.panels = panels


class LoadFailed(Message):
    """Reading failed; ``text`` is one line for the user."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class ScanProgress(Message):
    """Progress of the global-range scan of dataset ``key`` (0..1)."""

    def __init__(self, key: tuple, fraction: float) -> None:
        super().__init__()
        self.key = key
        self.fraction = fraction

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ScanProgress) and message.key == self.key


class ScanFinished(Message):
    """The global-range scan of dataset ``key`` finished with a ``ScanResult``."""

    def __init__(self, key: tuple, result) -> None:
        super().__init__()
        self.key = key
        self.result = result
