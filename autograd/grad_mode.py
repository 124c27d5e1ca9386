"""Grad modes: ``no_grad``, ``enable_grad``, ``set_grad_enabled`` (thread-local)."""
from __future__ import annotations

import functools
import threading


class _State(threading.local):
    def __init__(self):
        self.enabled = True
        self.anomaly = False
        self.inference = False  # inside ag.inference_mode() (autograd/inference.py)
        self.accumulating = True  # the running backward fills leaves' .grad (False in ag.grad)


state = _State()


def is_grad_enabled() -> bool:
    """True when operations are being recorded for backward."""
    return state.enabled


class _GradMode:
    """Base of the grad-mode context managers; also usable as decorators (with or without ``()``)."""

    mode = True

    def __new__(cls, *args):
        if cls is not set_grad_enabled and len(args) == 1 and callable(args[0]):
            return cls()(args[0])  # ``@no_grad`` without parentheses, as PyTorch allows
        return super().__new__(cls)

    def __enter__(self):
        self._prev = state.enabled
        state.enabled = self.mode and not state.inference  # inference mode records nothing (PyTorch)

    def __exit__(self, *exc):
        state.enabled = self._prev
        return False

    def __call__(self, fn):
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            prev = state.enabled
            state.enabled = mode and not state.inference
            try:
                return fn(*args, **kwargs)
            finally:
                state.enabled = prev

        return wrapper


class no_grad(_GradMode):
    """Context manager (and decorator) that disables gradient recording.

    Example::

        >>> x = ag.ones(2, requires_grad=True)
        >>> with ag.no_grad():
        ...     y = x * 2
        >>> y.requires_grad
        False
    """

    mode = False


class enable_grad(_GradMode):
    """Context manager (and decorator) that enables gradient recording."""

    mode = True


class set_grad_enabled(_GradMode):
    """Set gradient recording on or off; a context manager, decorator or plain call.

    Args:
        mode (bool): whether to record operations.
    """

    def __init__(self, mode: bool):
        self.mode = bool(mode)
        self._prev = state.enabled
        state.enabled = self.mode and not state.inference

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        state.enabled = self._prev
        return False

    def __call__(self, fn):
        state.enabled = self._prev  # used as a decorator: undo the call-time switch
        return super().__call__(fn)
