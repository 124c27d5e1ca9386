"""PyTorch's argument checks for the sampling fills (``uniform_``, ``normal_``, ``exponential_``,
``bernoulli_``, ``rand``, ``randn``): an integer or bool destination, a reversed or unbounded range,
a negative standard deviation or a non-positive rate raise instead of filling wrong samples."""
from __future__ import annotations

import sys

_NAMES = {"bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short", "int32": "Int",
          "int64": "Long", "float16": "Half", "float32": "Float", "float64": "Double"}
_MAX = {"float16": 65504.0, "float32": 3.4028234663852886e38, "float64": sys.float_info.max}
_C_FLOAT = {"float16": "c10::Half", "float32": "float", "float64": "double"}


def _need_float(dtype, kernel):
    if dtype.kind != "f":
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_NAMES.get(str(dtype), str(dtype))}'")
    return dtype


def check_uniform(dtype, a, b):
    """``uniform_(a, b)``'s checks: a floating dtype, finite bounds within it, ``a <= b``."""
    dtype = _need_float(dtype, "check_uniform_bounds")
    a, b = float(a), float(b)
    fmax = _MAX[str(dtype)]
    for name, v in (("from", a), ("to", b)):
        if not -fmax <= v <= fmax:
            raise RuntimeError(f"{name} is out of bounds for {_C_FLOAT.get(str(dtype), str(dtype))}")
    if a > b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={a:g} > to={b:g}")
    if b - a > fmax:
        raise RuntimeError(f"uniform_ expects to-from <= std::numeric_limits<{_NAMES[str(dtype)]}>::max(), "
                           f"but found to={b:g} and from={a:g} which result in to-from to exceed the limit")


def check_normal(dtype, std):
    """``normal_(mean, std)``'s checks: a floating dtype and ``std >= 0`` (NaN fails)."""
    _need_float(dtype, "normal_kernel_cpu")
    if not isinstance(std, (int, float)):
        return
    if not std >= 0.0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")


def check_exponential(dtype, lambd):
    """``exponential_(lambd)``'s checks: a floating dtype and ``lambd > 0``."""
    if dtype.kind != "f":
        raise RuntimeError("Exponential distribution is a continuous probability distribution. "
                           f"dtype must be a floating point but you specified {dtype}")
    if not lambd > 0.0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd:g}")


def check_bernoulli_p(p):
    """``bernoulli_(p)`` with a number: ``0 <= p <= 1``."""
    if isinstance(p, (int, float)) and not 0.0 <= p <= 1.0:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p:g}")


__all__ = ["check_uniform", "check_normal", "check_exponential", "check_bernoulli_p"]
