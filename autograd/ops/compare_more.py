"""More tests on values: isinf, isposinf, isneginf, isclose, allclose, nan_to_num, signbit.

The predicates return bool tensors (no gradient); ``nan_to_num`` is a composite of ``where``
(gradient 1 where the input is finite, 0 where it was replaced).
"""
from __future__ import annotations

from .. import backend
from ..tensor import Tensor
from . import elementwise as ew
from ._util import as_tensor_like, promote

__all__ = ["isinf", "isposinf", "isneginf", "isclose", "allclose", "nan_to_num", "signbit"]


def _bool(input, fn):
    if not isinstance(input, Tensor):
        raise TypeError(f"expected a Tensor, got {type(input).__name__}")
    return Tensor._make(backend.as_array(fn(input.device.xp, input._data), input.device), input.device)


def isinf(input):
    """True where ``input`` is +inf or -inf."""
    return _bool(input, lambda xp, a: xp.isinf(a))


def isposinf(input):
    """True where ``input`` is +inf."""
    return _bool(input, lambda xp, a: xp.isinf(a) & (a > 0))


def isneginf(input):
    """True where ``input`` is -inf."""
    return _bool(input, lambda xp, a: xp.isinf(a) & (a < 0))


def signbit(input):
    """True where the sign bit is set (negative numbers and -0.0)."""
    return _bool(input, lambda xp, a: xp.signbit(a))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """``|input - other| <= atol + rtol * |other|`` elementwise (infinities equal when they match)."""
    a, b = promote(input, other)
    a = a if isinstance(a, Tensor) else as_tensor_like(a, b)
    b = b if isinstance(b, Tensor) else as_tensor_like(b, a)
    if a.dtype != b.dtype:
        raise RuntimeError(f"{a.dtype} did not match {b.dtype}")
    xp = a.device.xp
    out = xp.isclose(a._data, b._data, rtol=rtol, atol=atol, equal_nan=equal_nan)
    return Tensor._make(backend.as_array(out, a.device), a.device)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    """True when every element of ``input`` is close to ``other`` (see :func:`isclose`)."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """``input`` with NaN, +inf and -inf replaced (by 0 and the dtype's largest/lowest finite value)."""
    if input.dtype.kind != "f":
        return input.clone()
    info = backend.Device("cpu").xp.finfo(input.dtype)
    hi = float(info.max) if posinf is None else posinf
    lo = float(info.min) if neginf is None else neginf
    out = ew.where(isposinf(input), hi, input)
    out = ew.where(isneginf(input), lo, out)
    return ew.where(ew.isnan(input), nan, out)
