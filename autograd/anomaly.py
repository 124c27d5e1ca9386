"""Anomaly detection: ``detect_anomaly`` makes a NaN/inf produced in backward raise.

The error names the op whose backward produced it and where that op was
created (the user's file:line and module path, recorded for every node), and
the node is flagged ``_anomalous`` so that ``ag.viz.make_dot`` draws it in red.
"""
from __future__ import annotations

import functools

from .grad_mode import state

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled"]


def is_anomaly_enabled() -> bool:
    """True inside :func:`detect_anomaly` (backward checks every gradient for NaN/inf)."""
    return bool(state.anomaly)


class detect_anomaly:
    """Context manager (and decorator) that checks every gradient computed in backward.

    When the backward of an op returns a NaN or infinite value, a
    ``RuntimeError`` names the op (``LogBackward``) and where its forward was
    called (file:line, and the module path inside an ``nn.Module``).

    Args:
        check_nan (bool): check for NaN/inf (default True). With False the
            context changes nothing, as PyTorch's.

    Example::

        >>> x = ag.tensor([0.0, 1.0], requires_grad=True)
        >>> with ag.detect_anomaly():
        ...     y = x.sqrt().sum()
        ...     y.backward()  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        RuntimeError: Function 'SqrtBackward' returned inf values in its 0th output (created at ...
    """

    def __init__(self, check_nan: bool = True):
        self.check_nan = bool(check_nan)
        self._prev = []

    def __enter__(self):
        self._prev.append(state.anomaly)
        state.anomaly = self.check_nan
        return self

    def __exit__(self, *exc):
        state.anomaly = self._prev.pop()
        return False

    def __call__(self, fn):
        check = self.check_nan

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with detect_anomaly(check):
                return fn(*args, **kwargs)

        return wrapper


class set_detect_anomaly(detect_anomaly):
    """Turn anomaly detection on or off; a plain call, a context manager or a decorator.

    Args:
        mode (bool): whether backward checks gradients for NaN/inf.
    """

    def __init__(self, mode: bool, check_nan: bool = True):
        super().__init__(bool(mode) and check_nan)
        self._prev = [state.anomaly]
        state.anomaly = self.check_nan

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        state.anomaly = self._prev[0]
        return False
