"""``ag.amp.GradScaler``: dynamic loss scaling, as PyTorch's.

``scale(loss)`` multiplies by the scale (2**16 to start); ``unscale_(opt)`` divides the
optimizer's gradients by it in place and notes whether any is inf or NaN; ``step(opt)`` unscales
if not done yet and runs ``opt.step()`` only when every gradient was finite; ``update()`` halves
the scale after a skipped step and doubles it after ``growth_interval`` finite ones in a row.
As PyTorch's, a scaler for ``"cuda"`` is disabled (with a warning) where CUDA is not available;
a disabled scaler passes everything through (scale 1.0, every step taken).
"""
from __future__ import annotations

import math
import warnings

from .grad_mode import no_grad

__all__ = ["GradScaler"]

_READY, _UNSCALED, _STEPPED = "ready", "unscaled", "stepped"


def _fresh_state():
    return {"stage": _READY, "found_inf": None}


class GradScaler:
    """Scales the loss so that small float16 gradients do not flush to zero, and skips the
    optimizer step whenever the scaled gradients overflowed (as ``torch.amp.GradScaler``)."""

    _warning_stacklevel = 2  # the warning points at the caller's line

    def __init__(self, device="cuda", init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5,
                 growth_interval=2000, enabled=True):
        self._device = device
        self._enabled = bool(enabled)
        if self._enabled and device == "cuda":
            from . import cuda

            if not cuda.is_available():
                warnings.warn("torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling.",
                              stacklevel=self._warning_stacklevel)
                self._enabled = False
        if self._enabled:
            if growth_factor <= 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")
        self._scale = None  # a Python float once scale() has been called
        self._init_scale = float(init_scale)
        self._growth_factor, self._backoff_factor = growth_factor, backoff_factor
        self._growth_interval = growth_interval
        self._growth_tracker = 0
        self._per_optimizer_states = {}

    def _state(self, optimizer):
        return self._per_optimizer_states.setdefault(id(optimizer), _fresh_state())

    def _check_scale(self, funcname):
        if self._scale is None:
            raise AssertionError(f"Attempted {funcname} but _scale is None.  This may indicate your "
                                 "script did not use scaler.scale(loss or outputs) earlier in the iteration.")

    def scale(self, outputs):
        """``outputs`` (a Tensor or an iterable of Tensors) times the scale; unchanged when disabled."""
        if not self._enabled:
            return outputs
        if self._scale is None:
            self._scale = self._init_scale
        from .tensor import Tensor

        def apply(val):
            if isinstance(val, Tensor):  # a Python float keeps the outputs' dtype (float16 too)
                return val * self._scale
            if isinstance(val, (list, tuple)):
                return type(val)(apply(v) for v in val)
            if hasattr(val, "__iter__"):
                return map(apply, val)
            raise ValueError("outputs must be a Tensor or an iterable of Tensors")

        return apply(outputs)

    def unscale_(self, optimizer):
        """Divide ``optimizer``'s gradients by the scale, in place (once per ``update()``), noting
        whether any of them is inf or NaN."""
        if not self._enabled:
            return
        self._check_scale("unscale_")
        state = self._state(optimizer)
        if state["stage"] == _UNSCALED:
            raise RuntimeError("unscale_() has already been called on this optimizer since the last "
                               "update().")
        if state["stage"] == _STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        state["found_inf"] = self._unscale_grads(optimizer, _as_float32(1.0 / self._scale))
        state["stage"] = _UNSCALED

    @staticmethod
    def _unscale_grads(optimizer, inv_scale):
        """Multiply every gradient by ``inv_scale`` in place; True if any of them is not finite."""
        found = False
        with no_grad():
            for group in optimizer.param_groups:
                for p in group["params"]:
                    g = p.grad
                    if g is None:
                        continue
                    if g.dtype.name == "float16":
                        raise ValueError("Attempting to unscale FP16 gradients.")
                    found = found or not bool(g.isfinite().all())
                    g.mul_(inv_scale)
        return found

    def step(self, optimizer, *args, **kwargs):
        """Unscale (unless done) and run ``optimizer.step(*args, **kwargs)`` if every gradient is
        finite; returns its result, or None for a skipped step."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        self._check_scale("step")
        state = self._state(optimizer)
        if state["stage"] == _STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if state["stage"] == _READY:
            self.unscale_(optimizer)
        result = None if state["found_inf"] else optimizer.step(*args, **kwargs)
        state["stage"] = _STEPPED
        return result

    def update(self, new_scale=None):
        """Back off the scale after a skipped step, grow it after ``growth_interval`` good ones
        (or set it to ``new_scale``, a float or a one-element tensor)."""
        if not self._enabled:
            return
        self._check_scale("update")
        if new_scale is not None:
            if not isinstance(new_scale, float):
                if new_scale.numel() != 1 or new_scale.requires_grad:
                    raise AssertionError("new_scale should be a float or a 1-element tensor with "
                                         "requires_grad=False.")
                new_scale = float(new_scale.item())
            self._scale = new_scale
        else:
            found = [s["found_inf"] for s in self._per_optimizer_states.values()
                     if s["found_inf"] is not None]
            if not found:
                raise AssertionError("No inf checks were recorded prior to update.")
            if any(found):
                self._scale *= self._backoff_factor
                self._growth_tracker = 0
            else:
                self._growth_tracker += 1
                if self._growth_tracker == self._growth_interval:
                    grown = self._scale * self._growth_factor
                    if math.isfinite(grown):
                        self._scale = grown
                    self._growth_tracker = 0
            self._scale = float(_as_float32(self._scale))
        self._per_optimizer_states = {}

    def get_scale(self):
        """The current scale (1.0 when disabled)."""
        if not self._enabled:
            return 1.0
        return self._init_scale if self._scale is None else self._scale

    def get_growth_factor(self):
        return self._growth_factor

    def set_growth_factor(self, new_factor):
        self._growth_factor = new_factor

    def get_backoff_factor(self):
        return self._backoff_factor

    def set_backoff_factor(self, new_factor):
        self._backoff_factor = new_factor

    def get_growth_interval(self):
        return self._growth_interval

    def set_growth_interval(self, new_interval):
        self._growth_interval = new_interval

    def _get_growth_tracker(self):
        return self._growth_tracker if self._enabled else 0

    def is_enabled(self):
        return self._enabled

    def state_dict(self):
        """``scale``, ``growth_factor``, ``backoff_factor``, ``growth_interval`` and
        ``_growth_tracker`` ({} when disabled)."""
        if not self._enabled:
            return {}
        return {"scale": self.get_scale(), "growth_factor": self._growth_factor,
                "backoff_factor": self._backoff_factor, "growth_interval": self._growth_interval,
                "_growth_tracker": self._growth_tracker}

    def load_state_dict(self, state_dict):
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was saved from a "
                               "disabled instance of GradScaler.")
        self._init_scale = float(state_dict["scale"])
        if self._scale is not None:
            self._scale = self._init_scale
        self._growth_factor = state_dict["growth_factor"]
        self._backoff_factor = state_dict["backoff_factor"]
        self._growth_interval = state_dict["growth_interval"]
        self._growth_tracker = int(state_dict["_growth_tracker"])


def _as_float32(x):
    """``x`` rounded to float32, as PyTorch keeps the scale in a float32 tensor."""
    import struct

    return struct.unpack("f", struct.pack("f", x))[0]
