"""``torch.cholesky_solve``, ``torch.cholesky_inverse`` and ``torch.triangular_solve``: solves with
a Cholesky factor or a triangular matrix, composed from ``linalg.solve_triangular`` (and, for
``cholesky_solve``'s gradient, ``linalg.solve``)."""
from __future__ import annotations

from collections import namedtuple

from ..tensor import Tensor
from . import shape
from .linalg_decomp import solve, solve_triangular
from .sort import return_types

__all__ = ["cholesky_inverse", "cholesky_solve", "triangular_solve"]

return_types.triangular_solve = namedtuple("triangular_solve", ["solution", "cloned_coefficient"])


def _check(name, b, A, label):  # noqa: N803
    from .math_more import torch_name

    for arg, what in ((b, "input"), (A, "input2" if name == "cholesky_solve" else "A")):
        if not isinstance(arg, Tensor):
            raise TypeError(f"{name}(): argument '{what}' must be Tensor, not {type(arg).__name__}")
    if b.ndim < 2:
        raise RuntimeError(label)
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        rows, cols = (A.shape[-2] if A.ndim > 1 else 1), (A.shape[-1] if A.ndim else 1)
        raise RuntimeError(f"A must be batches of square matrices, but they are {rows} by {cols} matrices")
    if A.shape[-1] != b.shape[-2]:
        raise RuntimeError(f"Incompatible matrix sizes for {name}: each A matrix is {A.shape[-2]} by "
                           f"{A.shape[-1]} but each b matrix is {b.shape[-2]} by {b.shape[-1]}")
    if b.dtype != A.dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type "
                           f"{torch_name(b.dtype)} and A of type {torch_name(A.dtype)} instead.")
    if b.dtype.kind != "f":
        raise NotImplementedError(f'"{name}_cpu" not implemented for \'{torch_name(b.dtype)}\'')


def _batch(b, A):  # noqa: N803
    """``b`` and ``A`` broadcast over their batch dimensions."""
    from ..torch_functions import broadcast_shapes

    batch = tuple(broadcast_shapes(tuple(b.shape[:-2]), tuple(A.shape[:-2])))
    return (shape.expand(b, *batch, *b.shape[-2:]), shape.expand(A, *batch, *A.shape[-2:]))


def cholesky_solve(input, input2, upper=False):
    """``X`` with ``A X = input`` where ``A = L L^H`` (``upper``: ``U^H U``) for the Cholesky factor
    ``input2``, as ``torch.cholesky_solve``: only ``input2``'s triangle is read, and its gradient is
    PyTorch's, that of the full ``L`` in ``(L L^H)^{-1} B``."""
    from ..grad_mode import no_grad
    from .selection import tril, triu

    _check("cholesky_solve", input, input2, f"b should have at least 2 dimensions, but has {input.ndim} "
                                             "dimensions instead")
    b, L = _batch(input, input2)  # noqa: N806
    with no_grad():  # the value: two triangular solves
        y = solve_triangular(L.mH if upper else L, b, upper=False)
        x = solve_triangular(L if upper else L.mH, y, upper=True)
    if not (input.requires_grad or input2.requires_grad):
        return x
    # the gradient: PyTorch's formula, -(C + C^H) L with C = A^{-1} G X^H, is that of solve(L L^H, B)
    # with the full L (other triangle included); the matrix's value is the factored one
    full = L.mH @ L if upper else L @ L.mH
    lf = (triu(L) if upper else tril(L)).detach()
    A = full - (full.detach() - (lf.mH @ lf if upper else lf @ lf.mH))  # noqa: N806
    xa = solve(A, b)
    return x + (xa - xa.detach())


def cholesky_inverse(input, upper=False):
    """``A^{-1}`` for ``A = L L^H`` (``upper``: ``U^H U``) given its Cholesky factor ``input``, as
    ``torch.cholesky_inverse``: ``cholesky_solve`` of the identity, so only ``input``'s triangle is
    read and the gradient is PyTorch's, that of the full factor.

    Example::

        >>> L = ag.tensor([[2., 0.], [1., 1.]])
        >>> ag.cholesky_inverse(L)
        tensor([[ 0.5000, -0.5000],
                [-0.5000,  1.0000]])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"cholesky_inverse(): argument 'input' must be Tensor, not {type(input).__name__}")
    if input.ndim < 2 or input.shape[-1] != input.shape[-2]:
        rows, cols = (input.shape[-2] if input.ndim > 1 else 1), (input.shape[-1] if input.ndim else 1)
        raise RuntimeError(f"A must be batches of square matrices, but they are {rows} by {cols} matrices")
    n = input.shape[-1]
    eye = Tensor._make(input.device.xp.eye(n, dtype=input._data.dtype), input.device)
    return cholesky_solve(shape.expand(eye, *input.shape), input, upper)


def triangular_solve(input, A, upper=True, transpose=False, unitriangular=False):  # noqa: N803
    """``(X, A.clone())`` with ``A X = input`` (``transpose``: ``A^T X = input``) for triangular ``A``,
    as ``torch.triangular_solve``; only ``A``'s ``upper`` (or lower) triangle is read, and with
    ``unitriangular`` its diagonal is taken as ones."""
    _check("triangular_solve", input, A, "torch.triangular_solve: Expected b to have at least 2 "
                                         f"dimensions, but it has {input.ndim} dimensions instead")
    b, Ab = _batch(input, A)  # noqa: N806
    M = Ab.mT if transpose else Ab  # noqa: N806
    x = solve_triangular(M, b, upper=bool(upper) != bool(transpose), unitriangular=bool(unitriangular))
    return return_types.triangular_solve(x, Ab.clone())
