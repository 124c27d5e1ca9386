"""``ag.amp`` (and ``ag.cuda.amp``, ``ag.autocast``): mixed precision entry points.

xpgrad has no autocasting: ops run in their inputs' dtypes (float32 stays float32), so
``autocast`` is a context manager/decorator that changes nothing. ``GradScaler``
(``grad_scaler.py``) is PyTorch's: it scales the loss, unscales the gradients and skips the
steps whose gradients overflowed; for ``"cuda"`` without CUDA it is disabled, as PyTorch's.
Programs written for AMP run unchanged, in full precision.
"""
from __future__ import annotations

import functools

from .grad_scaler import GradScaler

__all__ = ["autocast", "GradScaler", "is_autocast_available"]


class autocast:
    """Accepts ``torch.autocast``'s arguments; computation keeps the tensors' own dtypes."""

    def __init__(self, device_type="cuda", dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        self.device_type, self.fast_dtype, self.enabled = device_type, dtype, bool(enabled)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)

        return wrapper


def is_autocast_available(device_type: str) -> bool:
    """False: xpgrad does not autocast."""
    return False
