"""One RunWriter per run file: an exclusive ``flock`` on a lock file beside it
(``.run.h5.writer-lock``), taken before HDF5 touches the run file.

HDF5's own lock is released once a writer switches to SWMR, after which a second writer's
``File(path, "w")`` would silently truncate a live run. A lock on the run file itself does
not work: HDF5 opens and closes the file internally, which drops POSIX locks, and its own
``flock`` would conflict with ours. The lock file is left in place when the writer closes
(removing it would let two writers lock two different files); readers never look at it.
"""

from __future__ import annotations

import fcntl
import os


class RunFileBusy(RuntimeError):
    """Another RunWriter has this run file open."""


def lock_path(path: str) -> str:
    head, tail = os.path.split(os.path.abspath(path))
    return os.path.join(head, f".{tail}.writer-lock")


class WriterLock:
    """Held from construction until :meth:`release` (or the process ends)."""

    def __init__(self, path: str) -> None:
        self._fd = os.open(lock_path(path), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self._fd)
            self._fd = -1
            raise RunFileBusy(f"{path} is already being written by another RunWriter: one writer per run file "
                              "(with many ranks, all-reduce the counts and write from rank 0)") from None

    def release(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)  # closing drops the lock
            self._fd = -1
