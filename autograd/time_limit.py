"""A time limit on a block of Python code, for work that may not end by itself: a sympy
proof, a learner's own engine under audit.

`time_limit(seconds)` raises `TooLong` in the block once ``seconds`` have passed, by an
alarm signal. `TooLong` is a BaseException, so that an ``except Exception`` in the code
stopped (sympy's own, a learner's) does not swallow it. An alarm can only be set on the main
thread of a process that has ``setitimer``, and only when no other timer or handler not set
from Python is in place: otherwise the block runs without a limit, and the context manager
yields False to say so.

>>> with time_limit(5.0) as limited:
...     total = sum(range(10))
>>> total, limited
(45, True)
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class TooLong(BaseException):
    """The block took longer than its `time_limit`."""


@contextmanager
def time_limit(seconds: float) -> Iterator[bool]:
    """Raise `TooLong` in the block after ``seconds``; yields whether the limit is set.

    >>> import time
    >>> try:
    ...     with time_limit(0.05):
    ...         time.sleep(1)
    ... except TooLong:
    ...     print("stopped")
    stopped
    """
    if (not hasattr(signal, "setitimer")
            or threading.current_thread() is not threading.main_thread()
            or signal.getitimer(signal.ITIMER_REAL)[0] > 0
            or signal.getsignal(signal.SIGALRM) is None):
        yield False
        return
    done = False

    def stop(signum: int, frame: Any) -> None:
        if not done:  # an alarm that arrives as the limit is lifted is let go
            raise TooLong

    before = signal.signal(signal.SIGALRM, stop)
    try:
        signal.setitimer(signal.ITIMER_REAL, seconds)
        yield True
    finally:
        done = True
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, before)


__all__ = ["TooLong", "time_limit"]
