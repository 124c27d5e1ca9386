"""``Work``: the handle of a collective started with ``async_op=True``.

Every collective is started non-blocking (MPI's ``Iallreduce`` and friends, an
NCCL call on a stream) and completed by polling, so that no wait is endless:
a wait gives up after the process group's timeout, and it stops at once when
another rank reports that it failed (see :mod:`.faults`).
"""
from __future__ import annotations

import time

from . import faults
from .faults import DistBackendError


class Work:
    """A pending collective: ``wait()`` blocks until it is done, ``is_completed()`` asks.

    Args:
        test: a callable returning True once the communication is complete.
        name: the collective's name, for error messages.
        timeout: seconds ``wait`` may block before raising :class:`DistBackendError`.
        finish: an optional callable run once after completion (copy-back, averaging).
    """

    def __init__(self, test, name, timeout, finish=None, result=None):
        self._test, self._name, self._timeout = test, name, timeout
        self._finish, self._result = finish, result
        self._done = False

    def _complete(self):
        self._done = True
        if self._finish is not None:
            fin, self._finish = self._finish, None
            fin()

    def is_completed(self):
        """True once the collective has finished (drives MPI's progress as a side effect)."""
        if not self._done and self._test():
            self._complete()
        return self._done

    def wait(self, timeout=None):
        """Block until the collective is done; raise :class:`DistBackendError` after the timeout."""
        if self._done:
            return True
        limit = self._timeout if timeout is None else _seconds(timeout)
        start = time.monotonic()
        next_check = start + 0.001
        test = self._test
        while not test():
            now = time.monotonic()
            if now >= next_check:
                faults.check_peers()
                next_check = now + 0.001
                if now - start > limit:
                    raise DistBackendError(
                        f"{self._name} timed out after {limit:g} s on rank {faults.rank_label()}: "
                        "a peer rank failed, hangs, or did not reach this collective "
                        "(init_process_group(timeout=...) sets the limit)")
            if now - start > 0.0005:
                time.sleep(5e-5)
        self._complete()
        return True

    def result(self):
        """What the collective produced (the output tensors), after ``wait()``."""
        self.wait()
        return self._result


class _Done(Work):
    """An already-completed work (a collective on one rank needs no communication)."""

    def __init__(self, name="collective", result=None):
        super().__init__(lambda: True, name, 0.0, None, result)
        self._done = True


def _seconds(timeout):
    """Seconds from a number or a ``datetime.timedelta``."""
    if hasattr(timeout, "total_seconds"):
        return float(timeout.total_seconds())
    value = float(timeout)
    if value <= 0:
        raise ValueError(f"timeout must be positive, got {timeout!r}")
    return value
