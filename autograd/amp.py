"""``ag.amp`` (and ``ag.cuda.amp``, ``ag.autocast``): mixed precision entry points, as pass-throughs.

xpgrad has no autocasting: ops run in their inputs' dtypes (float32 stays float32), so
``autocast`` is a context manager/decorator that changes nothing, and ``GradScaler`` behaves as
PyTorch's ``GradScaler(enabled=False)``: ``scale(loss)`` returns ``loss``, ``step(opt)`` calls
``opt.step()``, ``unscale_``/``update`` do nothing and the scale is 1.0. Programs written for AMP
run unchanged, in full precision.
"""
from __future__ import annotations

import functools

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


class GradScaler:
    """Loss scaling for float16 training, here a pass-through (as ``GradScaler(enabled=False)``)."""

    def __init__(self, device="cuda", init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5,
                 growth_interval=2000, enabled=True):
        self.device = device

    def scale(self, outputs):
        """``outputs`` unchanged (no scaling is needed without float16 autocast)."""
        return outputs

    def unscale_(self, optimizer):
        """Nothing to unscale."""

    def step(self, optimizer, *args, **kwargs):
        """``optimizer.step(*args, **kwargs)``."""
        return optimizer.step(*args, **kwargs)

    def update(self, new_scale=None):
        """Nothing to update."""

    def get_scale(self):
        return 1.0

    def is_enabled(self):
        return False

    def state_dict(self):
        return {}

    def load_state_dict(self, state_dict):
        pass
