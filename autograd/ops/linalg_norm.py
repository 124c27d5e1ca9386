"""``linalg.norm`` and ``linalg.matrix_norm``, composed from ``vector_norm``, ``amax`` and ``amin``.

The Frobenius norm is the vector 2-norm over the two dimensions; the 1 / -1 norms are the largest /
smallest column sum of absolute values, inf / -inf the same over rows (PyTorch's own composition,
so ties split the gradient as its ``amax`` does). The spectral (2, -2) and nuclear norms are the
largest / smallest singular value and their sum (``svdvals`` of the two dims moved last, as PyTorch).
"""
from __future__ import annotations

import math
import numbers

from .. import backend
from ..tensor import Tensor
from . import reduce as rd
from ._util import norm_dim
from .extrema import amax, amin
from .linalg_spectral import svdvals
from .math_more import need_tensor, torch_name
from .selection import movedim

__all__ = ["matrix_norm", "norm"]


def _float_checks(name, A, dtype):
    if A._data.dtype.kind != "f":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                           f"Got {torch_name(A.dtype)}")
    if dtype is not None and backend.as_dtype(dtype).kind != "f":
        raise RuntimeError(f"{name}: dtype should be floating point or complex, but got "
                           f"{torch_name(backend.as_dtype(dtype))}")
    if dtype is not None and backend.as_dtype(dtype).itemsize < A._data.dtype.itemsize:
        to = torch_name(backend.as_dtype(dtype))
        raise RuntimeError(f"{name}: the dtype of the input ({torch_name(A.dtype)}) should be convertible "
                           f"without narrowing to the specified dtype ({to})")


def _matrix_dims(A, dim):
    dims = list(dim) if isinstance(dim, (tuple, list)) else [dim]
    if len(dims) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(str(d) for d in dims)}")
    d0, d1 = norm_dim(dims[0], A.ndim), norm_dim(dims[1], A.ndim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({d0}, {d1})")
    return d0, d1


def _spectral(A, ord, d0, d1, keepdim, dtype):  # noqa: N803
    """The 2 / -2 / nuclear norm: amax / amin / sum of the singular values over dims ``(d0, d1)``."""
    if dtype is not None:
        A = A.to(dtype)
    s = svdvals(movedim(A, (d0, d1), (-2, -1)))
    # an empty matrix's 2-norm is 0 (the empty sum), as PyTorch's; its -2 norm raises (amin)
    out = s.sum(-1) if ord == "nuc" or (ord == 2 and s.shape[-1] == 0) else (amax if ord > 0 else amin)(s, -1)
    if keepdim:
        for d in sorted((d0, d1)):
            out = out.unsqueeze(d)
    return out


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):  # noqa: N803 - PyTorch's names
    """The matrix ``ord``-norm of ``A`` over the two dimensions ``dim`` (batched over the others):
    ``'fro'`` (Frobenius), 1 / -1 (largest / smallest column sum of ``|A|``), ``inf`` / ``-inf``
    (largest / smallest row sum), 2 / -2 (largest / smallest singular value), ``'nuc'`` (their sum).

    Example::

        >>> A = ag.tensor([[1., -2.], [3., 4.]])
        >>> ag.linalg.matrix_norm(A, 1), ag.linalg.matrix_norm(A, float("inf"))
        (tensor(6.), tensor(7.))
    """
    need_tensor("linalg_matrix_norm", A)
    if isinstance(ord, str):
        if ord not in ("fro", "nuc"):
            raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    elif not isinstance(ord, numbers.Real):
        raise TypeError("linalg_matrix_norm(): argument 'ord' must be Number or str, "
                        f"not {type(ord).__name__}")
    elif abs(ord) not in (1, 2, math.inf):
        raise RuntimeError(f"linalg.matrix_norm: Order {float(ord):g} not supported.")
    if A.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    _float_checks("linalg.matrix_norm", A, dtype)
    d0, d1 = _matrix_dims(A, dim)
    if ord == "fro":
        return rd.vector_norm(A, 2, (d0, d1), keepdim, dtype=dtype)
    if ord == "nuc" or abs(ord) == 2:
        return _spectral(A, ord, d0, d1, keepdim, dtype)
    if abs(ord) == math.inf:  # row sums: reduce dim[1] first
        d0, d1 = d1, d0
    if A.numel() == 0:  # PyTorch: 0 (amax / amin of no column sums would raise)
        shape = tuple(1 if i in (d0, d1) else n for i, n in enumerate(A.shape)
                      if keepdim or i not in (d0, d1))
        out_dtype = A.dtype if dtype is None else backend.as_dtype(dtype)
        return Tensor._make(A.device.xp.zeros(shape, out_dtype), A.device)
    sums = rd.vector_norm(A, 1, d0, keepdim, dtype=dtype)
    if not keepdim and d0 < d1:
        d1 -= 1
    return (amax if ord > 0 else amin)(sums, d1, keepdim)


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):  # noqa: N803 - PyTorch's names
    """A vector or matrix norm, as ``torch.linalg.norm``: with ``dim`` an int (or 1-tuple), the
    vector norm (:func:`vector_norm`); a 2-tuple, the matrix norm (:func:`matrix_norm`); without
    ``dim``, the vector 2-norm of all elements when ``ord`` is None, else the vector or matrix norm of
    a 1-D or 2-D input.

    Example::

        >>> ag.linalg.norm(ag.tensor([[1., -2.], [3., 4.]]), "fro")
        tensor(5.4772)
    """
    need_tensor("linalg_norm", A)
    if dim is not None:
        dims = list(dim) if isinstance(dim, (tuple, list)) else [dim]
        if len(dims) not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {dims}")
    elif ord is not None and A.ndim not in (1, 2):
        raise RuntimeError("linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                           f"Got {A.ndim}D.")
    if isinstance(ord, str) or (ord is not None and (len(dims) == 2 if dim is not None else A.ndim == 2)):
        return matrix_norm(A, ord, (0, 1) if dim is None else dims, keepdim, dtype=dtype)
    _float_checks("linalg.vector_norm", A, dtype)
    return rd.vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
