"""``inference_mode``: no recording, and what it makes can never enter a recorded graph later.

As in PyTorch, an output made in inference mode is an *inference tensor*
(``t.is_inference()``); a later recorded op that would save it for backward
raises ``RuntimeError("Inference tensors cannot be saved for backward...")``.
``clone()`` it (outside inference mode) to get a normal tensor.
"""
from __future__ import annotations

import functools

from .grad_mode import state

__all__ = ["inference_mode", "is_inference_mode_enabled"]

_MESSAGE = ("Inference tensors cannot be saved for backward. To work around you can make a clone to get "
            "a normal tensor and use it in autograd.")


def is_inference_mode_enabled() -> bool:
    """True inside ``inference_mode()``."""
    return getattr(state, "inference", False)


def check_saved(t):
    """Raise PyTorch's error when a recorded op saves an inference tensor (``t``) for backward."""
    if t._inference:
        raise RuntimeError(f"{_MESSAGE} (a tensor of shape {tuple(t.shape)} made in inference mode)")


class inference_mode:
    """Context manager and decorator: ``no_grad``, plus outputs marked as inference tensors.

    Args:
        mode (bool): ``False`` leaves inference mode and enables grad mode
            (``inference_mode(False)`` inside ``no_grad`` records again), as in PyTorch.

    Example::

        >>> w = ag.ones(2, requires_grad=True)
        >>> with ag.inference_mode():
        ...     y = w * 2
        >>> y.requires_grad, y.is_inference()
        (False, True)
    """

    def __new__(cls, mode=True):
        self = super().__new__(cls)
        if callable(mode) and not isinstance(mode, bool):  # ``@inference_mode`` without parentheses
            self.mode = True
            return self(mode)
        return self

    def __init__(self, mode=True):
        self.mode = bool(mode)

    def __enter__(self):
        self._prev = (state.enabled, getattr(state, "inference", False))
        if self.mode:
            state.enabled, state.inference = False, True
        else:  # PyTorch's InferenceMode(false) sets grad mode to True, not left as it was
            state.enabled, state.inference = True, False

    def __exit__(self, *exc):
        state.enabled, state.inference = self._prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with inference_mode(self.mode):
                return fn(*args, **kwargs)

        return wrapper

    def clone(self):
        return inference_mode(self.mode)
