"""More ``*_`` in-place forms: trigonometric and other unary math, the arithmetic aliases
(``multiply_``, ``divide_``, ``subtract_``...), ``atan2_``, ``xlogy_``, ``copysign_``,
``float_power_``, ``cumsum_``/``cumprod_``, ``addmm_``/``baddbmm_``, the bitwise ones.

Each runs the out-of-place op of the same name (the Tensor method, so one op, one definition)
through :func:`autograd.ops.inplace._apply`, which records the change under grad mode (gradients
flow as through the out-of-place op) and checks that the result can be written into the tensor
(``sin_`` on an integer tensor raises PyTorch's "result type Float can't be cast" error).
"""
from __future__ import annotations

from ..tensor import Tensor
from .inplace import _apply

_NAMES = [
    # unary
    "absolute_", "acos_", "arccos_", "asin_", "arcsin_", "atan_", "arctan_", "cosh_", "sinh_", "tan_",
    "deg2rad_", "rad2deg_", "exp2_", "fix_", "negative_", "sgn_", "sinc_", "logit_", "nan_to_num_",
    "bitwise_not_",
    # with another operand
    "atan2_", "arctan2_", "copysign_", "xlogy_", "floor_divide_", "true_divide_", "divide_", "multiply_",
    "subtract_", "heaviside_", "bitwise_and_", "bitwise_or_", "bitwise_xor_",
    # with a dimension, matrices
    "cumsum_", "cumprod_", "addmm_", "baddbmm_", "addmv_", "addbmm_", "addr_",
]

#: comparisons and logical ops: the bool result written as the tensor's dtype (1/0), as PyTorch
_BOOLEAN = ["eq_", "ne_", "lt_", "le_", "gt_", "ge_", "greater_", "greater_equal_", "less_", "less_equal_",
            "not_equal_", "logical_and_", "logical_or_", "logical_xor_", "logical_not_"]

__all__ = _NAMES + _BOOLEAN + ["float_power_"]


def _inplace(name):
    base = name[:-1]

    def method(input, *args, **kwargs):
        return _apply(input, lambda a, *xs: getattr(a, base)(*xs, **kwargs), *args)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"In-place ``{base}`` (``Tensor.{base}``'s result written into the tensor)."
    return method


for _n in _NAMES:
    globals()[_n] = _inplace(_n)


def _boolean(name):
    base = name[:-1]

    def op(a, *xs):
        r = getattr(a, base)(*xs).to(a.dtype)
        if a.requires_grad:  # as PyTorch, the result stays in the graph with a zero gradient to ``a``
            from .compare import where

            nowhere = Tensor._make(a.device.xp.zeros(a.shape, dtype=bool), a.device)
            r = where(nowhere, a, r)
        return r

    def method(input, *args):
        return _apply(input, op, *args)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"In-place ``{base}``: its bool result written as the tensor's dtype (1 or 0)."
    return method


for _n in _BOOLEAN:
    globals()[_n] = _boolean(_n)


def float_power_(input, exponent):
    """In-place ``float_power``: as PyTorch, only a float64 tensor can hold its (double) result."""
    if input.dtype.kind != "f" or input.dtype.itemsize != 8:
        from .math_more import torch_name

        raise RuntimeError(f"the base given to float_power_ has dtype {torch_name(input.dtype)} but the "
                           "operation's result requires dtype Double")
    return _apply(input, lambda a, e: a.float_power(e), exponent)
