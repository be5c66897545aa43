"""A real interruption (SIGINT, SIGTERM) told apart from an exception raised by a pack's code.

The ``kl21rules`` script turns both signals into :class:`Interrupted` (a ``KeyboardInterrupt``),
which the containment of packs' code lets through while it turns a ``KeyboardInterrupt`` or
``SystemExit`` *raised* by a pack into an error naming the pack: only a real interruption stops
the run. The run then stops at once, files being written are removed and the previous output is
left as it was. Worker processes leave both signals to the parent (SIGINT ignored, SIGTERM at its
default), which ends them. Used as a library without the script, a Ctrl-C is Python's plain
``KeyboardInterrupt`` and cannot be told from one raised by a pack.
"""

from __future__ import annotations

import contextlib
import signal
from types import FrameType


class Interrupted(KeyboardInterrupt):
    """The run was interrupted by a signal (Ctrl-C is SIGINT); the exit code is 128 + its number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


#: The signal that interrupted this process, once one has.
received: int | None = None

#: The signals that interrupt a run.
SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})


def _raise(signum: int, _frame: FrameType | None) -> None:
    global received
    received = signum
    raise Interrupted(signum)


def install() -> None:
    """Make SIGINT and SIGTERM raise :class:`Interrupted` in the main thread of this process."""
    signal.signal(signal.SIGINT, _raise)
    signal.signal(signal.SIGTERM, _raise)


def in_worker() -> None:
    """In a worker process: the parent stops the run; a worker ignores Ctrl-C (sent to the whole
    process group) and dies at SIGTERM (sent by the parent's pool when it ends)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNALS)  # blocked by the parent while forking


def blocked() -> contextlib.AbstractContextManager[None]:
    """Hold SIGINT and SIGTERM while worker processes are forked, so that none starts with the
    parent's handler: each sets its own (:func:`in_worker`) and then lets them through."""
    return _Blocked()


class _Blocked(contextlib.AbstractContextManager[None]):
    def __enter__(self) -> None:
        self._old = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)

    def __exit__(self, *exc: object) -> None:
        signal.pthread_sigmask(signal.SIG_SETMASK, self._old)  # a signal held meanwhile arrives now
