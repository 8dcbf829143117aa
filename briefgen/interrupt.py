"""Stopping a build cleanly on SIGINT (Ctrl-C), SIGTERM (a CI runner cancelling the job) or
SIGHUP (the terminal closed).

While a build runs, those signals raise Interrupted, a BaseException, so no `except Exception`
on the way mistakes it for one brief's failure: it unwinds through write.py, whose temporaries
are removed on the way out, up to corpus.py, which stops the workers, records what was finished
and reports one line. The few renames that put a brief's files in place run with the signals
held (`held()`), so a signal never lands between two of them.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Interrupted(BaseException):
    """A stop signal arrived; the build must end now, keeping every finished file."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def name(self) -> str:
        """SIGINT, SIGTERM or SIGHUP."""
        return signal.Signals(self.signum).name


_holding = 0  # how many held() blocks are open
_pending: int | None = None  # a signal that arrived while held, raised when the hold ends
_owner: int | None = None  # the process whose build installed the handlers


def _raise(signum: int, frame: object) -> None:
    global _pending
    if os.getpid() != _owner:  # a worker forked before it set its own handlers: just go
        os._exit(128 + signum)
    if _holding:
        _pending = signum
        return
    raise Interrupted(signum)


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Within this block (in the main thread), a stop signal raises Interrupted."""
    global _owner, _pending, _holding
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _owner, _pending, _holding = os.getpid(), None, 0
    previous = {s: signal.signal(s, _raise) for s in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _owner, _pending, _holding = None, None, 0


@contextmanager
def held() -> Iterator[None]:
    """Defer stop signals until the block ends, then raise the one that arrived, if any.
    Outside stop_on_signals (and in other threads) this changes nothing."""
    global _holding, _pending
    _holding += 1
    try:
        yield
    finally:
        _holding -= 1
        if not _holding and _pending is not None:
            signum, _pending = _pending, None
            raise Interrupted(signum)


def hold_from_now() -> None:
    """Defer every further stop signal until stop_on_signals ends: for the short clean-up after
    a first signal, which a second Ctrl-C must not cut short."""
    global _holding
    _holding += 1


def in_worker(busy: Callable[[], bool]) -> None:
    """Signal handling for a forked worker process: SIGINT is left to the parent (a Ctrl-C
    reaches the whole process group, and the parent stops the workers itself); SIGTERM and
    SIGHUP raise Interrupted while the worker builds a brief (busy() is true), so its
    temporaries are removed, and otherwise end the worker at once."""
    global _owner, _pending, _holding
    _owner, _pending, _holding = os.getpid(), None, 0

    def stop(signum: int, frame: object) -> None:
        if busy():
            _raise(signum, frame)
        else:
            os._exit(128 + signum)

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
