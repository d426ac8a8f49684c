"""The one exception type heatscope shows to users as a single clear line."""

from __future__ import annotations


class HeatscopeError(Exception):
    """A problem with the user's input: shown as one line, never as a traceback.

    ``where`` names the file, dataset or argument the problem is about.
    """

    def __init__(self, message: str, where: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where

    def __reduce__(self):  # pickled whole (a dask worker's error reaches the client with its ``where``)
        return type(self), (self.message, self.where)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message
