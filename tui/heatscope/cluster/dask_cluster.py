"""The dask.distributed side: a local cluster of worker processes, or an existing scheduler,
and tasks run on it with their results handed back in submission order.

Every way a cluster can fail ends as one ``HeatscopeError`` line, never a hang: a scheduler
that cannot be reached (``CONNECT_TIMEOUT``), that goes away mid-run (its futures are
cancelled), or that stops answering (asked every ``HEARTBEAT`` seconds without a finished
task, it has ``ANSWER_TIMEOUT`` to reply); no worker (``WORKERS_TIMEOUT``); a worker that
keeps dying on a task. Local workers are forked on Linux (a spawned worker imports numpy,
h5py and dask again: seconds of a short import); the cluster is started before the client
opens an HDF5 file, so no file handle is shared.
"""

from __future__ import annotations

import logging
import sys
import time
import warnings
from asyncio import CancelledError
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import CancelledError as FutureCancelledError

import dask
from distributed import Client, KilledWorker, LocalCluster, wait
from distributed.client import FuturesCancelledError
from distributed.comm.core import CommClosedError
from distributed.exceptions import WorkerStartTimeoutError

from heatscope.errors import HeatscopeError

CONNECT_TIMEOUT = 5.0
WORKERS_TIMEOUT = 30.0
POLL = 1.0
HEARTBEAT = 3.0
ANSWER_TIMEOUT = 5.0
SPAN_RANGE = (16 << 10, 64 << 20)  # bytes of input per task: small enough to spread, big enough to pay
QUIET = logging.CRITICAL + 1
GONE = (FuturesCancelledError, CancelledError, FutureCancelledError, CommClosedError, OSError)  # the scheduler left


class DaskCluster:
    """A connected client (and the local cluster it runs on, if any)."""

    def __init__(self, client: Client, where: str, local: LocalCluster | None = None) -> None:
        self.client, self.where, self._local = client, where, local

    @property
    def n_workers(self) -> int:
        return max(1, len(self.client.scheduler_info().get("workers", {})))

    def span_bytes(self, total: int) -> int:
        """Bytes of input per task: about four tasks per worker, within ``SPAN_RANGE``."""
        low, high = SPAN_RANGE
        return max(low, min(high, total // (4 * self.n_workers) + 1))

    def ordered(self, fn: Callable, items: Sequence[tuple], sizes: Sequence[int],
                advance: Callable[[int], None] | None = None) -> Iterator:
        """``fn(*item)`` of every item, run on the cluster, yielded in the items' order (a
        result waits only for those before it); ``advance(size)`` as each one finishes."""
        futures = [self.client.submit(fn, *item, pure=False, priority=len(items) - i) for i, item in enumerate(items)]
        index = {f.key: i for i, f in enumerate(futures)}
        ready, pending, next_i = {}, set(futures), 0
        try:
            while next_i < len(futures):
                for future in self._wait(pending):
                    pending.discard(future)
                    i = index[future.key]
                    ready[i] = self._result(future)
                    futures[i] = None  # released on the cluster
                    if advance is not None:
                        advance(sizes[i])
                while next_i in ready:
                    yield ready.pop(next_i)
                    next_i += 1
        finally:
            if pending:
                self._cancel(pending)

    def _wait(self, pending: set) -> set:
        """The futures that finished; raises when the scheduler is gone or silent."""
        quiet_since = time.monotonic()
        no_workers_since = None
        while True:
            try:
                done, _ = wait(pending, timeout=POLL, return_when="FIRST_COMPLETED")
                return done
            except TimeoutError:
                pass
            except GONE as exc:
                raise self._lost(exc) from None
            if self.client.status not in ("running", "connecting"):
                raise self._lost(None)
            if time.monotonic() - quiet_since < HEARTBEAT:
                continue
            try:
                identity = self.client.sync(self.client.scheduler.identity, callback_timeout=ANSWER_TIMEOUT)
            except Exception:  # noqa: BLE001 - timed out or refused
                raise HeatscopeError(f"the dask scheduler stopped answering (no reply in {ANSWER_TIMEOUT:.0f} s)",
                                     self.where) from None
            quiet_since = time.monotonic()
            if identity.get("n_workers", len(identity.get("workers", ()))):
                no_workers_since = None
            else:
                no_workers_since = no_workers_since or quiet_since
                if quiet_since - no_workers_since > WORKERS_TIMEOUT:
                    raise HeatscopeError(f"no dask worker left for {WORKERS_TIMEOUT:.0f} s", self.where)

    def _result(self, future):
        try:
            if future.status == "error":
                exc = future.exception()
            elif future.status == "cancelled":
                raise self._lost(None)
            else:
                return future.result()
        except GONE as lost:  # the scheduler went away while we asked
            raise self._lost(lost) from None
        if isinstance(exc, HeatscopeError):
            raise exc
        if isinstance(exc, KilledWorker):
            raise HeatscopeError("dask workers kept dying on a task (out of memory?)", self.where) from None
        if isinstance(exc, OSError):
            raise HeatscopeError(f"a dask worker cannot read the input ({exc}); workers need the files at the "
                                 "same path", self.where) from None
        raise exc

    def _lost(self, exc=None) -> HeatscopeError:
        if exc is not None and not isinstance(exc, GONE[:4]) and str(exc):  # an OSError says what happened
            return HeatscopeError(f"lost the connection to the dask scheduler ({str(exc).splitlines()[0][:120]})",
                                  self.where)
        return HeatscopeError("lost the connection to the dask scheduler (it stopped, or the network)", self.where)

    def _cancel(self, futures) -> None:
        try:
            self.client.cancel(list(futures), asynchronous=False)
        except Exception:  # noqa: BLE001 - the scheduler may be gone already
            pass

    def close(self) -> None:
        for closing in (self.client, self._local):
            if closing is None:
                continue
            try:
                closing.close(timeout=ANSWER_TIMEOUT)
            except Exception:  # noqa: BLE001 - a dead scheduler cannot be told goodbye
                pass


def _quiet() -> None:
    """dask's logs (reconnect attempts, tracebacks of lost comms) never reach the terminal:
    its loggers have their own levels (dask's logging config), so each one is set."""
    for name in [n for n in logging.root.manager.loggerDict if n.split(".")[0] == "distributed"] + ["distributed"]:
        logging.getLogger(name).setLevel(QUIET)
    dask.config.set({"distributed.admin.tick.limit": "1h"})  # no "event loop was unresponsive" warnings


def connect(address: str) -> DaskCluster:
    """A client of the scheduler at ``address`` with at least one worker."""
    _quiet()
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=True)
    except Exception as exc:  # noqa: BLE001 - OSError, TimeoutError, ValueError for a bad address
        reason = "no answer" if isinstance(exc, (OSError, TimeoutError)) else str(exc).splitlines()[0][:120]
        raise HeatscopeError(f"cannot reach the dask scheduler ({reason} within {CONNECT_TIMEOUT:.0f} s)",
                             address) from None
    cluster = DaskCluster(client, address)
    try:
        client.wait_for_workers(1, timeout=WORKERS_TIMEOUT)
    except WorkerStartTimeoutError:
        cluster.close()
        raise HeatscopeError(f"no dask worker joined the scheduler within {WORKERS_TIMEOUT:.0f} s", address) from None
    except GONE as exc:
        cluster.close()
        raise cluster._lost(exc) from None
    return cluster


def local_cluster(n_workers: int) -> DaskCluster:
    """A cluster of ``n_workers`` single-threaded worker processes on this machine."""
    _quiet()
    if sys.platform.startswith("linux"):
        dask.config.set({"distributed.worker.multiprocessing-method": "fork"})
    try:
        with warnings.catch_warnings():  # "Port 8787 is already in use": another cluster's HTTP server
            warnings.simplefilter("ignore")
            local = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None,
                                 silence_logs=QUIET, host="127.0.0.1")
        client = Client(local, timeout=CONNECT_TIMEOUT, set_as_default=True)
    except Exception as exc:  # noqa: BLE001 - no free port, no fork, ...
        raise HeatscopeError(f"cannot start a local dask cluster ({type(exc).__name__}: "
                             f"{str(exc).splitlines()[0][:120] if str(exc) else ''})") from None
    return DaskCluster(client, "a local dask cluster", local)
