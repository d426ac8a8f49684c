"""``--workers`` and ``--scheduler``: where the heavy part of a command runs.

Nothing here imports dask: ``Engine.for_input`` imports the client module when a cluster is
first needed, so ``heatscope --help`` and every command without the flags stay light.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys

from heatscope.errors import HeatscopeError

AUTO = 0  # --workers without N: one worker per core, for large inputs only
LARGE_INPUT = 256 << 20  # below this, --workers alone reads in this process (a cluster costs more)
INSTALL = "--workers and --scheduler need dask.distributed: pip install 'heatscope[distributed]'"


def _workers(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of workers: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def add_cluster_flags(parser: argparse.ArgumentParser, what: str) -> None:
    """``--workers [N]`` and ``--scheduler ADDRESS`` for a command that runs ``what`` on them."""
    group = parser.add_argument_group("dask cluster (pip install 'heatscope[distributed]')")
    group.add_argument("--workers", nargs="?", const=AUTO, type=_workers, metavar="N",
                       help=f"{what} on a local cluster of N worker processes (without N: one per core, when the "
                            "input is 256 MB or more); 1: in this process")
    group.add_argument("--scheduler", metavar="ADDRESS",
                       help=f"{what} on the dask cluster at ADDRESS, e.g. tcp://10.0.0.5:8786 "
                            "(default: $DASK_SCHEDULER_ADDRESS)")


class Engine:
    """The cluster the flags ask for: started or connected on first use, closed on exit.
    ``for_input(nbytes)`` is None where the work stays in this process."""

    def __init__(self, workers: int | None, scheduler: str | None) -> None:
        if workers is not None and scheduler:
            raise HeatscopeError("give --workers or --scheduler, not both")
        if workers is None and not scheduler:
            scheduler = os.environ.get("DASK_SCHEDULER_ADDRESS") or None
        self.workers, self.scheduler = workers, scheduler
        self._cluster = None
        if self.requested and not _have_distributed():
            raise HeatscopeError(INSTALL)

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Engine:
        return cls(args.workers, args.scheduler)

    @property
    def requested(self) -> bool:
        """Whether work may leave this process at all."""
        return bool(self.scheduler) or (self.workers is not None and self.workers != 1)

    def for_input(self, nbytes: int):
        """The running cluster for an input of ``nbytes``, or None to work in this process."""
        if not self.requested or (self.workers == AUTO and nbytes < LARGE_INPUT):
            return None
        if self._cluster is None:
            from heatscope.cluster import dask_cluster

            if self.scheduler:
                self._cluster = dask_cluster.connect(self.scheduler)
            else:
                self._cluster = dask_cluster.local_cluster(self.workers or os.cpu_count() or 1)
            n = self._cluster.n_workers
            print(f"heatscope: on {self._cluster.where}: {n} worker{'s' if n != 1 else ''}", file=sys.stderr)
        return self._cluster

    def close(self) -> None:
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _have_distributed() -> bool:
    try:
        return importlib.util.find_spec("distributed") is not None
    except (ImportError, ValueError):  # a module set to None in sys.modules
        return False
