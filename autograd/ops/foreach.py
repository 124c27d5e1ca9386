"""``torch._foreach_*``: an op applied to each tensor of a list (EMA updates, hand-written optimizers).

Composites: each call loops over the list with the Tensor method of the same name (one op, one
definition), so the out-of-place forms are differentiable, as PyTorch's. As PyTorch, the
out-of-place forms return a tuple and the in-place forms (``_foreach_add_``) return the list they
were given. A second argument may be a scalar, a list of scalars, a list of tensors, or (for the
arithmetic ops) one tensor applied to every element.
"""
from __future__ import annotations

import numbers

from ..tensor import Tensor

_UNARY = ["abs", "acos", "asin", "atan", "ceil", "cos", "cosh", "erf", "erfc", "exp", "expm1", "floor",
          "frac", "lgamma", "log", "log10", "log1p", "log2", "neg", "reciprocal", "round", "rsqrt",
          "sigmoid", "sign", "sin", "sinh", "sqrt", "tan", "tanh", "trunc"]
_BINARY = ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "clamp_min", "clamp_max"]
_INPLACE_NAME = {"maximum": None, "minimum": None}  # no Tensor.maximum_: computed, then copied in

__all__ = [f"_foreach_{n}{s}" for n in _UNARY + _BINARY + ["lerp", "addcmul", "addcdiv"] for s in ("", "_")]
__all__ += ["_foreach_copy_", "_foreach_zero_", "_foreach_norm", "_foreach_max"]


def _check_list(tensors, what="self"):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"_foreach: argument '{what}' must be a list or tuple of Tensors, not "
                        f"{type(tensors).__name__}")
    if not tensors:
        raise RuntimeError("Tensor list must have at least one tensor.")
    return tensors


def _per_item(tensors, other):
    """``other`` spread over ``tensors``: one argument per tensor (PyTorch's list-length errors)."""
    if isinstance(other, (list, tuple)):
        if other and isinstance(other[0], Tensor):
            if len(other) != len(tensors):
                raise RuntimeError(f"Tensor lists must have the same number of tensors, got {len(tensors)} "
                                   f"and {len(other)}")
        elif len(other) != len(tensors):
            raise RuntimeError("Tensor list must have same number of elements as scalar list.")
        return list(other)
    if isinstance(other, Tensor) and other.ndim == 1 and other.numel() == len(tensors) and len(tensors) > 1:
        return [other[i] for i in range(len(tensors))]  # a tensor of scalars (addcmul's value=)
    return [other] * len(tensors)


def _scalar(v):
    return v.item() if isinstance(v, Tensor) and v.ndim == 0 and not v.requires_grad else v


def _apply(name, tensors, args, inplace):
    tensors = _check_list(tensors)
    spread = [_per_item(tensors, a) for a in args]
    if not inplace:
        return tuple(getattr(t, name)(*(s[i] for s in spread)) for i, t in enumerate(tensors))
    for i, t in enumerate(tensors):
        if _INPLACE_NAME.get(name, name) is None:
            t.copy_(getattr(t, name)(*(s[i] for s in spread)))
        else:
            getattr(t, name + "_")(*(s[i] for s in spread))
    return tensors


def _unary(name):
    def op(self):
        return _apply(name, self, (), False)

    def op_(self):
        return _apply(name, self, (), True)
    op.__name__, op_.__name__ = f"_foreach_{name}", f"_foreach_{name}_"
    op.__doc__ = f"``torch._foreach_{name}``: ``{name}`` of each tensor of the list (a tuple)."
    op_.__doc__ = f"``torch._foreach_{name}_``: ``{name}_`` on each tensor of the list, in place."
    return op, op_


def _binary(name):
    alpha_ok = name in ("add", "sub")

    def call(self, other, alpha, inplace):
        if isinstance(self, numbers.Number) and name == "pow":  # _foreach_pow(scalar, exponents)
            exps = _check_list(other, "exponent")
            return tuple(Tensor.__rpow__(e, self) for e in exps)
        tensors = _check_list(self)
        spread = _per_item(tensors, other)
        outs = []
        for t, o in zip(tensors, spread):
            kw = {"alpha": alpha} if alpha_ok and alpha != 1 else {}
            if inplace and name not in _INPLACE_NAME:
                getattr(t, name + "_")(_scalar(o), **kw)
            else:
                r = getattr(t, name)(_scalar(o), **kw)
                t.copy_(r) if inplace else outs.append(r)
        return tensors if inplace else tuple(outs)

    def op(self, other, *, alpha=1):
        return call(self, other, alpha, False)

    def op_(self, other, *, alpha=1):
        return call(self, other, alpha, True)
    op.__name__, op_.__name__ = f"_foreach_{name}", f"_foreach_{name}_"
    op.__doc__ = f"``torch._foreach_{name}``: ``{name}`` of each tensor with its scalar or tensor (a tuple)."
    op_.__doc__ = f"``torch._foreach_{name}_``: ``{name}_`` on each tensor with its scalar or tensor."
    return op, op_


for _n in _UNARY:
    globals()[f"_foreach_{_n}"], globals()[f"_foreach_{_n}_"] = _unary(_n)
for _n in _BINARY:
    globals()[f"_foreach_{_n}"], globals()[f"_foreach_{_n}_"] = _binary(_n)


def _foreach_lerp(self, tensors1, weight):
    """``torch._foreach_lerp``: ``self[i] + weight[i] * (tensors1[i] - self[i])`` (a tuple)."""
    return _lerp(self, tensors1, weight, False)


def _foreach_lerp_(self, tensors1, weight):
    """``torch._foreach_lerp_``: each ``self[i].lerp_(tensors1[i], weight[i])`` (EMA updates)."""
    return _lerp(self, tensors1, weight, True)


def _lerp(self, tensors1, weight, inplace):
    tensors = _check_list(self)
    ends = _per_item(tensors, _check_list(tensors1, "tensors1"))
    ws = _per_item(tensors, weight)
    if inplace:
        for t, e, w in zip(tensors, ends, ws):
            t.lerp_(e, _scalar(w))
        return tensors
    return tuple(t.lerp(e, _scalar(w)) for t, e, w in zip(tensors, ends, ws))


def _addc(name, self, tensor1, tensor2, value, inplace):
    tensors = _check_list(self)
    t1 = _per_item(tensors, _check_list(tensor1, "tensor1"))
    t2 = _per_item(tensors, _check_list(tensor2, "tensor2"))
    vs = _per_item(tensors, value)
    method = name + "_" if inplace else name
    outs = tuple(getattr(t, method)(a, b, value=_scalar(v)) for t, a, b, v in zip(tensors, t1, t2, vs))
    return tensors if inplace else outs


def _foreach_addcmul(self, tensor1, tensor2, value=1):
    """``torch._foreach_addcmul``: ``self[i] + value[i] * tensor1[i] * tensor2[i]`` (a tuple)."""
    return _addc("addcmul", self, tensor1, tensor2, value, False)


def _foreach_addcmul_(self, tensor1, tensor2, value=1):
    """``torch._foreach_addcmul_``: ``addcmul_`` on each tensor, in place."""
    return _addc("addcmul", self, tensor1, tensor2, value, True)


def _foreach_addcdiv(self, tensor1, tensor2, value=1):
    """``torch._foreach_addcdiv``: ``self[i] + value[i] * tensor1[i] / tensor2[i]`` (a tuple)."""
    return _addc("addcdiv", self, tensor1, tensor2, value, False)


def _foreach_addcdiv_(self, tensor1, tensor2, value=1):
    """``torch._foreach_addcdiv_``: ``addcdiv_`` on each tensor, in place."""
    return _addc("addcdiv", self, tensor1, tensor2, value, True)


def _foreach_copy_(self, src, non_blocking=False):
    """``torch._foreach_copy_``: ``self[i].copy_(src[i])``."""
    tensors = _check_list(self)
    for t, s in zip(tensors, _per_item(tensors, _check_list(src, "src"))):
        t.copy_(s)
    return tensors


def _foreach_zero_(self):
    """``torch._foreach_zero_``: each tensor filled with zeros."""
    for t in _check_list(self):
        t.zero_()
    return self


def _foreach_norm(self, ord=2, dtype=None):
    """``torch._foreach_norm``: the ``ord``-norm of each (flattened) tensor, as a tuple of 0-d tensors."""
    from .reduce import vector_norm

    return tuple(vector_norm(t, ord, dtype=dtype) for t in _check_list(self))


def _foreach_max(self):
    """``torch._foreach_max``: the largest element of each tensor (a tuple of 0-d tensors)."""
    return tuple(t.max() for t in _check_list(self))
