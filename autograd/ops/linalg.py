"""Linear algebra: matmul (``@``), mm, bmm, dot, outer and einsum."""
from __future__ import annotations

import math
import string

from .. import backend
from ..function import Primitive
from ..tensor import Tensor
from ._util import as_tensor_like
from .elementwise import mul

__all__ = ["matmul", "mm", "bmm", "dot", "outer", "einsum"]


# ---------------------------------------------------------------- matmul
class Matmul(Primitive):
    """``op(a) @ op(b)`` for operands of 2 or more dims, ``op`` a transpose of the last two
    dims where ``ta``/``tb`` say so (transposes are free views, so backward needs no copies).

    Batch dimensions broadcast; the engine sums the gradients back over them.
    """

    @staticmethod
    def forward(ctx, a, b, ta, tb):
        ctx.ta, ctx.tb = ta, tb
        ctx.folded = b.ndim == 2 and a.ndim > 2  # backward may have only one of a, b saved
        need = ctx.needs_input_grad
        if need:
            ctx.save_for_backward(a if need[1] else None, b if need[0] else None)
        return _matmul_arrays(ctx.device.xp, a, b, ta, tb)

    @staticmethod
    def backward(ctx, g):
        return Matmul._grads(ctx, g, ctx.saved_tensors, Matmul.apply, lambda t, s: t.reshape(s))

    @staticmethod
    def raw_backward(ctx, g):
        xp = ctx.device.xp
        return Matmul._grads(ctx, g, ctx.saved_arrays, lambda a, b, ta, tb: _matmul_arrays(xp, a, b, ta, tb),
                             lambda a, s: a.reshape(s))

    @staticmethod
    def _grads(ctx, g, saved, mm, reshape):
        a, b = saved
        ta, tb = ctx.ta, ctx.tb
        need = ctx.needs_input_grad
        ga = gb = None
        if need[0]:  # dA = g @ B^T
            ga = mm(b, g, tb, True) if ta else mm(g, b, False, not tb)
        if need[1]:  # dB = A^T @ g
            if ctx.folded and not ta:  # batch folded into rows: one GEMM, no batch sum
                rows = math.prod(a.shape[:-1])
                a, g = reshape(a, (rows, a.shape[-1])), reshape(g, (rows, g.shape[-1]))
            gb = mm(g, a, True, ta) if tb else mm(a, g, not ta, False)
        return ga, gb, None, None


class Addmm(Primitive):
    """``x @ w^T + b`` as one node (``F.linear``, PyTorch's addmm): the bias is added in place
    into the fresh product, and its gradient is the output gradient summed over the rows."""

    @staticmethod
    def forward(ctx, x, w, b):
        out = Matmul.forward(ctx, x, w, False, True)
        out += b
        return out

    @staticmethod
    def backward(ctx, g):
        gx, gw, _, _ = Matmul.backward(ctx, g)
        return gx, gw, (g.sum(tuple(range(g.ndim - 1))) if ctx.needs_input_grad[2] else None)

    @staticmethod
    def raw_backward(ctx, g):
        gx, gw, _, _ = Matmul.raw_backward(ctx, g)
        return gx, gw, (g.sum(axis=tuple(range(g.ndim - 1))) if ctx.needs_input_grad[2] else None)


def _matmul_arrays(xp, a, b, ta, tb):
    """``op(a) @ op(b)`` on arrays (``Matmul``'s forward and raw backward)."""
    if ta:
        a = a.swapaxes(-1, -2)  # the array method: NumPy's swapaxes() function wraps it in Python
    if tb:
        b = b.swapaxes(-1, -2)
    if b.ndim == 2 and a.ndim > 2:  # fold the batch into rows: one GEMM
        rows = math.prod(a.shape[:-1])
        return xp.matmul(a.reshape(rows, a.shape[-1]), b).reshape(a.shape[:-1] + b.shape[-1:])
    return xp.matmul(a, b)


def _operands(name, input, other):
    if not isinstance(input, Tensor):
        if not isinstance(other, Tensor):
            raise TypeError(f"{name}(): expected Tensor operands, got {type(input).__name__} "
                            f"and {type(other).__name__}")
        input = as_tensor_like(input, other)
    other = as_tensor_like(other, input)
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(f"{name}: expected both operands to have the same dtype, but got "
                           f"{input.dtype} and {other.dtype}")
    if input._data.dtype == backend.bool_:  # PyTorch has no bool kernel (NumPy's would OR the ANDs)
        kernel = {"bmm": "bmm", "dot": "dot", "mv": "addmv_impl_cpu"}.get(name, "addmm_impl_cpu_")
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')
    return input, other


def _shape_error(name, a, b, detail):
    return RuntimeError(f"{name}: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be multiplied "
                        f"({detail})")


def _check_inner(name, a, b):
    ka = a.shape[-1]
    kb = b.shape[-2] if b.ndim > 1 else b.shape[0]
    if ka != kb:
        raise _shape_error(name, a, b, f"{ka} != {kb}")


def matmul(input, other):
    """Matrix product with NumPy/PyTorch semantics.

    1-D·1-D is a dot product, a 1-D operand is a row (left) or column (right)
    vector that is removed from the result, and operands of more than 2 dims
    are stacks of matrices whose batch dimensions broadcast.

    Shape:
        - input: ``(*, n, k)`` or ``(k,)``; other: ``(*, k, m)`` or ``(k,)``
        - output: ``(*, n, m)`` with the batch dims broadcast and vector dims removed.

    Example::

        >>> (ag.ones(2, 3) @ ag.ones(3)).shape
        (2,)
    """
    a, b = _operands("matmul", input, other)
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"matmul: both arguments need to be at least 1-D, but they are "
                           f"{a.ndim}-D and {b.ndim}-D")
    _check_inner("matmul", a, b)
    if a.ndim > 2 or b.ndim > 2:
        ba, bb = a.shape[:-2] if a.ndim > 1 else (), b.shape[:-2] if b.ndim > 1 else ()
        for x, y in zip(reversed(ba), reversed(bb)):
            if x != y and x != 1 and y != 1:
                raise _shape_error("matmul", a, b, f"batch dimensions {ba} and {bb} do not broadcast")
    if a.ndim >= 2 and b.ndim >= 2:  # the hot path
        return Matmul.apply(a, b, False, False)
    a2 = a.reshape(1, -1) if a.ndim == 1 else a
    b2 = b.reshape(-1, 1) if b.ndim == 1 else b
    out = Matmul.apply(a2, b2, False, False)
    shape = out.shape
    if a.ndim == 1:
        shape = shape[:-2] + shape[-1:]
    if b.ndim == 1:
        shape = shape[:-1]
    return out.reshape(shape)


def mm(input, mat2):
    """Product of two matrices (2-D only; no broadcasting).

    Shape:
        ``(n, k) @ (k, m) -> (n, m)``
    """
    a, b = _operands("mm", input, mat2)
    if a.ndim != 2 or b.ndim != 2:
        raise RuntimeError(f"mm: expected 2-D tensors, but got shapes {tuple(a.shape)} and "
                           f"{tuple(b.shape)}")
    _check_inner("mm", a, b)
    return Matmul.apply(a, b, False, False)


def bmm(input, mat2):
    """Batched matrix product of two 3-D tensors with equal batch sizes (no broadcasting).

    Shape:
        ``(B, n, k) @ (B, k, m) -> (B, n, m)``
    """
    a, b = _operands("bmm", input, mat2)
    if a.ndim != 3 or b.ndim != 3:
        raise RuntimeError(f"bmm: expected 3-D tensors, but got shapes {tuple(a.shape)} and "
                           f"{tuple(b.shape)}")
    if a.shape[0] != b.shape[0]:
        raise _shape_error("bmm", a, b, f"batch sizes {a.shape[0]} != {b.shape[0]}")
    _check_inner("bmm", a, b)
    return Matmul.apply(a, b, False, False)


def dot(input, other):
    """Inner product of two 1-D tensors of the same length (a 0-d tensor)."""
    a, b = _operands("dot", input, other)
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"dot: 1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(f"dot: inconsistent tensor size, expected tensors of the same length, but "
                           f"got {a.shape[0]} and {b.shape[0]} elements")
    return matmul(a, b)


def outer(input, vec2):
    """Outer product of two 1-D tensors: ``out[i, j] = input[i] * vec2[j]``."""
    if not isinstance(input, Tensor) or not isinstance(vec2, Tensor):
        raise TypeError("outer(): expected two Tensors")
    if input.ndim != 1 or vec2.ndim != 1:
        raise RuntimeError(f"outer: expected 1-D tensors, but got shapes {tuple(input.shape)} and "
                           f"{tuple(vec2.shape)}")
    return mul(input.reshape(-1, 1), vec2.reshape(1, -1))  # a broadcast product, no GEMM needed


# ---------------------------------------------------------------- einsum
class Einsum(Primitive):
    """``einsum`` on an explicit equation (no ellipsis, no broadcasting; ``einsum()`` prepares it).

    ``terms`` holds each operand's labels, ``out`` the output's. The gradient of
    an operand is an einsum of the output gradient with the other operands,
    broadcast over labels only that operand has, and put on the diagonal for
    labels it repeats.
    """

    @staticmethod
    def forward(ctx, spec, *arrays):
        ctx.spec = spec
        if ctx.needs_input_grad:
            ctx.save_for_backward(*arrays)
        return _einsum_arrays(ctx.device.xp, spec, *arrays)

    @staticmethod
    def backward(ctx, g):
        device = ctx.device
        return Einsum._grads(ctx, g, ctx.saved_tensors, Einsum.apply, lambda t, s: t.expand(*s),
                             lambda n: Tensor._make(device.xp.eye(n, dtype=g.dtype), device))

    @staticmethod
    def raw_backward(ctx, g):
        xp = ctx.device.xp
        return Einsum._grads(ctx, g, ctx.saved_arrays, lambda spec, *a: _einsum_arrays(xp, spec, *a),
                             xp.broadcast_to, lambda n: xp.eye(n, dtype=g.dtype))

    @staticmethod
    def _grads(ctx, g, ops, einsum, expand, eye):
        terms, out = ctx.spec
        need = ctx.needs_input_grad
        return (None,) + tuple(_einsum_grad(g, out, ops, terms, i, einsum, expand, eye) if need[i + 1]
                               else None for i in range(len(terms)))


def _einsum_arrays(xp, spec, *arrays):
    """``Einsum``'s forward on arrays (also its raw backward's einsums)."""
    terms, out = spec
    eq = ",".join(terms) + "->" + out
    if len(arrays) == 1:
        return xp.einsum(eq, arrays[0]).copy()  # NumPy may return a view of the input
    return xp.einsum(eq, *arrays, optimize=True)  # contractions through BLAS


def _einsum_grad(g, out, ops, terms, i, einsum, expand, eye):
    """Operand ``i``'s gradient, with ``einsum(spec, *operands)``, ``expand(x, shape)`` and ``eye(n)``
    (an identity of ``g``'s dtype) on Tensors or on arrays."""
    term = terms[i]
    shape = ops[i].shape
    size = dict(zip(term, shape))
    unique = "".join(dict.fromkeys(term))
    others = [j for j in range(len(terms)) if j != i]
    known = set(out).union(*(terms[j] for j in others))
    avail = "".join(lbl for lbl in unique if lbl in known)
    r = einsum(([out] + [terms[j] for j in others], avail), g, *(ops[j] for j in others))
    if len(avail) != len(unique):  # labels only this operand has: broadcast
        r = r.reshape(tuple(size[lbl] if lbl in known else 1 for lbl in unique))
        r = expand(r, tuple(size[lbl] for lbl in unique))
    if len(unique) == len(term):
        return r
    # repeated labels: put the values on the diagonal through identity matrices
    free = iter(c for c in string.ascii_letters if c not in set(out).union(*terms))
    new_term, eye_terms, eyes, seen = [], [], [], set()
    for lbl in term:
        if lbl in seen:
            fresh = next(free)
            eye_terms.append(lbl + fresh)
            eyes.append(eye(size[lbl]))
            lbl = fresh
        seen.add(lbl)
        new_term.append(lbl)
    return einsum(([unique] + eye_terms, "".join(new_term)), r, *eyes)


def _parse_einsum(equation, operands):
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    raw = lhs.split(",")
    if len(raw) != len(operands):
        raise RuntimeError(f"einsum(): the equation {equation!r} has {len(raw)} operand(s) but "
                         f"{len(operands)} were given")
    for t in raw + ([rhs] if arrow else []):
        if not all(c in string.ascii_letters for c in t.replace("...", "")) or t.count("...") > 1:
            raise RuntimeError(f"einsum(): invalid subscripts {t!r} in equation {equation!r} "
                             "(letters and at most one '...' per operand)")
    used = set(eq)
    free = [c for c in string.ascii_letters if c not in used]
    n_ell = 0
    for t, x in zip(raw, operands):
        explicit = len(t.replace("...", ""))
        if explicit > x.ndim or (explicit != x.ndim and "..." not in t):
            raise RuntimeError(f"einsum(): the subscripts {t!r} do not match an operand of shape "
                               f"{tuple(x.shape)} ({explicit} labels for {x.ndim} dims)")
        n_ell = max(n_ell, x.ndim - explicit)
    ell = "".join(free[:n_ell])
    terms = []
    for t, x in zip(raw, operands):
        k = x.ndim - len(t.replace("...", ""))
        terms.append(t.replace("...", ell[n_ell - k:]) if "..." in t else t)
    if arrow:
        out = rhs.replace("...", ell)
        for c in out:
            if out.count(c) > 1 or not any(c in t for t in terms):
                raise RuntimeError(f"einsum(): output subscript {c!r} in {equation!r} appears more than "
                                 "once or not in any operand")
    else:
        counts = {}
        for t in raw:
            for c in t.replace("...", ""):
                counts[c] = counts.get(c, 0) + 1
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1))
    return terms, out


def einsum(equation, *operands):
    """Sum of products over the labelled dimensions, as ``torch.einsum``.

    Args:
        equation: subscripts such as ``"ij,jk->ik"``, ``"bij,bjk->bik"``,
            ``"ii->i"`` or ``"...ij->...ji"``; without ``->`` the output holds
            the labels that appear once, in alphabetical order (after ``...``).
        operands: the tensors (or a single list of them). Dimensions of size 1
            broadcast against the same label's size elsewhere.

    Example::

        >>> a, b = ag.ones(2, 3), ag.ones(3, 4)
        >>> ag.einsum("ij,jk->ik", a, b).shape
        (2, 4)
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands or not all(isinstance(x, Tensor) for x in operands):
        raise TypeError("einsum(): expected one or more Tensor operands")
    dtypes = {x.dtype for x in operands}
    if len(dtypes) > 1:
        raise RuntimeError(f"einsum(): expected all operands to have the same dtype, got "
                           f"{', '.join(sorted(str(d) for d in dtypes))}")
    terms, out = _parse_einsum(equation, operands)
    if operands[0]._data.dtype.kind in "biu" and any(
            lbl not in out and sum(lbl in t for t in terms) == 1 for t in terms for lbl in t):
        # PyTorch sums a label that only one operand has with sum(), which gives int64 for integers
        # and bools ('ij->j', 'i,j->'); contractions between operands keep the dtype ('ij,jk->ik')
        operands = tuple(x.to(backend.int64) for x in operands)
    size = {}
    for t, x in zip(terms, operands):
        for lbl, n in zip(t, x.shape):
            if t.count(lbl) > 1 and size.get(lbl + "!", n) != n:
                raise RuntimeError(f"einsum(): subscript {lbl!r} is repeated for operand of shape "
                                   f"{tuple(x.shape)} but the sizes don't match")
            if t.count(lbl) > 1:
                size[lbl + "!"] = n
            m = size.get(lbl)
            if m is None or m == 1:
                size[lbl] = n
            elif n != m and n != 1:
                raise RuntimeError(f"einsum(): operands do not broadcast: subscript {lbl!r} has size "
                                   f"{m} in one operand and {n} in another ({equation!r})")
    fixed = []
    for t, x in zip(terms, operands):  # broadcast size-1 dims explicitly (a view)
        full = tuple(size[lbl] for lbl in t)
        fixed.append(x if full == x.shape else x.expand(*full))
    return Einsum.apply((terms, out), *fixed)
