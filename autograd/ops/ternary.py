"""Pointwise ops of three operands: lerp, addcmul, addcdiv (re-exported by ``ops/unary_more.py``).

Their operands are promoted together, to PyTorch's result dtype of all three (``_util.promote_all``).
"""
from __future__ import annotations

from ..tensor import Tensor
from . import elementwise as ew
from ._util import as_tensor_like, promote_all


def lerp(input, end, weight):
    """``input + weight * (end - input)``, computed from ``end`` for ``|weight| >= 0.5`` as PyTorch
    (``end - (end - input) * (1 - weight)``), so that a weight of 1 gives ``end`` exactly."""
    if isinstance(input, Tensor) and input.dtype.kind != "f":
        from .math_more import torch_name

        raise NotImplementedError(f"\"lerp_kernel_scalar\" not implemented for '{torch_name(input.dtype)}'")
    if isinstance(weight, Tensor):
        from .math_more import Lerp  # one node: a where of the two formulas leaked 0 * inf = nan

        a, b, w = _common(input, end, weight)
        b = b if isinstance(b, Tensor) else as_tensor_like(b, a)
        return Lerp.apply(a, b.to(a.dtype), w.to(a.dtype))
    diff = ew.sub(end, input)
    if abs(weight) < 0.5:
        return ew.add(input, ew.mul(weight, diff))
    return ew.sub(end, ew.mul(diff, 1 - weight))


def _common(input, tensor1, tensor2):
    """The three operands in their result dtype, so that integer products do not overflow in a
    narrower one first (as PyTorch computes addcmul / addcdiv)."""
    return promote_all(input, tensor1, tensor2)


def _value(name, operands, value):
    """``value`` as PyTorch's kernels take it: cast to an integer result dtype (truncated: addcmul of
    integers with value=0.5 adds nothing); bool operands raise, as PyTorch."""
    kind = next(o for o in operands if isinstance(o, Tensor))._data.dtype.kind
    if kind == "b":
        raise NotImplementedError(f"\"{name}_cpu_out\" not implemented for 'Bool'")
    return int(value) if kind in "iu" and not isinstance(value, bool) else value


def addcmul(input, tensor1, tensor2, *, value=1):
    """``input + value * tensor1 * tensor2``."""
    input, tensor1, tensor2 = _common(input, tensor1, tensor2)
    value = _value("addcmul", (input, tensor1, tensor2), value)
    return ew.add(input, ew.mul(ew.mul(tensor1, tensor2), value))


def addcdiv(input, tensor1, tensor2, *, value=1):
    """``input + value * tensor1 / tensor2`` (two integer divisor operands raise, as PyTorch)."""
    if all(isinstance(t, Tensor) and t._data.dtype.kind in "iub" for t in (tensor1, tensor2)):
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a future release "
                           "addcdiv will perform a true division of tensor1 and tensor2. The historic "
                           "addcdiv behavior can be implemented as (input + value * torch.trunc(tensor1 / "
                           "tensor2)).to(input.dtype) for integer inputs and as (input + value * tensor1 / "
                           "tensor2) for float inputs. The future addcdiv behavior is just the latter "
                           "implementation: (input + value * tensor1 / tensor2), for all dtypes.")
    input, tensor1, tensor2 = _common(input, tensor1, tensor2)
    return ew.add(input, ew.mul(ew.div(tensor1, tensor2), value))
