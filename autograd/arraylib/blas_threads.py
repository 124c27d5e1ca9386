"""BLAS's thread count, read and set through ``threadpoolctl`` when it is installed.

:func:`one_thread` holds BLAS to one thread for a while: a convolution's GEMMs multiply
cache-sized im2col blocks that the calling thread has just written, and for thin ones a
second OpenBLAS thread costs more than it gains (``bench`` ``cnn``, LeNet at two threads:
14.6 ms a step with two BLAS threads in its convolutions, 12.8 ms with one). Without
``threadpoolctl`` these are no-ops and BLAS keeps the count it started with.
"""
from __future__ import annotations

import threading

_lock = threading.Lock()
_state = {"blas": None, "held": 0, "saved": ()}


def _controllers():
    """threadpoolctl's controllers of the BLAS libraries loaded (``[]`` without threadpoolctl)."""
    if _state["blas"] is None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:
            _state["blas"] = []
        else:
            _state["blas"] = [c for c in ThreadpoolController().lib_controllers if c.user_api == "blas"]
    return _state["blas"]


def get_num_threads():
    """BLAS's thread count (``None`` when it cannot be read)."""
    blas = _controllers()
    return blas[0].get_num_threads() if blas else None


def set_num_threads(n):
    """Set BLAS's thread count (a no-op without threadpoolctl; OpenBLAS ignores a raise from a
    thread other than the main one)."""
    with _lock:
        for c in _controllers():
            c.set_num_threads(n)


class one_thread:
    """Context manager: BLAS runs on one thread inside (re-entrant). It acts in the main thread
    only: OpenBLAS ignores a count raised from another thread, so another thread could not
    restore it."""

    __slots__ = ("acts",)

    def __enter__(self):
        self.acts = threading.current_thread() is threading.main_thread()
        if self.acts:
            if _state["held"] == 0:
                _state["saved"] = [(c, c.get_num_threads()) for c in _controllers()]
                for c, n in _state["saved"]:
                    if n != 1:
                        c.set_num_threads(1)
            _state["held"] += 1

    def __exit__(self, *exc):
        if self.acts:
            _state["held"] -= 1
            if _state["held"] == 0:
                for c, n in _state["saved"]:
                    if n != 1:
                        c.set_num_threads(n)
