"""Statistics and block constructions, composed from existing ops: dist, cov, corrcoef, block_diag,
combinations.

``cov`` follows PyTorch's algorithm step by step (weights, the normalisation factor clamped at 0, a
squeezed result), so values, dtypes and gradients (to the input and to ``aweights``) match it.
"""
from __future__ import annotations

import itertools
import warnings

from .. import backend
from ..tensor import Tensor
from . import elementwise as ew
from . import reduce as rd
from ._util import errstate
from .indexing import getitem
from .linalg import mm
from .math_more import need_tensor, torch_name
from .selection import diagonal
from .shape import cat, reshape

__all__ = ["dist", "cov", "corrcoef", "block_diag", "combinations"]


def dist(input, other, p=2):
    """The ``p``-norm of ``input - other`` (broadcast): ``linalg.vector_norm(input - other, p)``.

    Example::

        >>> ag.dist(ag.tensor([1., 2.]), ag.tensor([4., 6.]))
        tensor(5.)
    """
    need_tensor("dist", input)
    need_tensor("dist", other, "other", 2)
    diff = ew.sub(input, other)
    if diff._data.dtype.kind != "f":
        raise RuntimeError("norm(): input dtype should be either floating point or complex. Got "
                           f"{torch_name(diff.dtype)} instead.")
    return rd.vector_norm(diff, p)


def _check_weights(name, w, n, integral):
    if w.ndim > 1:
        raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got {name} with "
                           f"{w.ndim} dimensions")
    if w.numel() != n:
        raise RuntimeError(f"cov(): expected {name} to have the same numel as there are observations in the "
                           f"input but got {w.numel()} != {n}")
    kind = w._data.dtype.kind
    if integral and kind not in "iu":
        raise RuntimeError(f"cov(): expected {name} to have integral dtype but got {name} with "
                           f"{torch_name(w.dtype)} dtype")
    if not integral and kind != "f":
        raise RuntimeError(f"cov(): expected {name} to have floating point dtype but got {name} with "
                           f"{torch_name(w.dtype)} dtype")
    if bool((w._data < 0).any()):
        raise RuntimeError(f"cov(): {name} cannot be negative")


def cov(input, *, correction=1, fweights=None, aweights=None):
    """Covariance of the variables in the rows of ``input`` (observations in columns; a 1-D input is
    one variable), with integer frequency weights ``fweights`` and float observation weights
    ``aweights``; ``correction=1`` is Bessel's.

    Example::

        >>> ag.cov(ag.tensor([[0., 1., 2.], [2., 1., 0.5]]))
        tensor([[ 1.0000, -0.7500],
                [-0.7500,  0.5833]])
    """
    need_tensor("cov", input)
    if input.ndim > 2:
        raise RuntimeError("cov(): expected input to have two or fewer dimensions but got an input with "
                           f"{input.ndim} dimensions")
    x = input if input._data.dtype.kind == "f" else input.to(backend.get_default_dtype())
    x = reshape(x, 1, -1) if x.ndim < 2 else x
    n = x.shape[1]
    w = None
    if fweights is not None:
        _check_weights("fweights", fweights, n, True)
        w = fweights
    if aweights is not None:
        _check_weights("aweights", aweights, n, False)
        w = aweights if w is None else ew.mul(w, aweights)
    w_sum = n if w is None else rd.sum(w)
    with errstate(x.device.xp, invalid="ignore"):  # no observations: a nan mean, silently as PyTorch
        avg = ew.div(rd.sum(x if w is None else ew.mul(x, w), 1), w_sum)
    if w is not None and correction != 0 and aweights is not None:
        norm_factor = ew.sub(w_sum, ew.div(ew.mul(rd.sum(ew.mul(w, aweights)), correction), w_sum))
    else:
        norm_factor = ew.sub(w_sum, correction) if w is not None else n - correction
    if float(norm_factor if not isinstance(norm_factor, Tensor) else norm_factor.detach().item()) <= 0:
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less than the number "
                      "of observations.", UserWarning, stacklevel=2)
        norm_factor = 0  # as PyTorch: inf or nan covariances
    xm = ew.sub(x, reshape(avg, -1, 1))
    c = mm(xm, (xm if w is None else ew.mul(xm, w)).t())
    with errstate(c.device.xp, divide="ignore", invalid="ignore"):  # warned above
        c = ew.div(c, norm_factor if isinstance(norm_factor, Tensor) else float(norm_factor))
    return c.squeeze()


def corrcoef(input):
    """Pearson correlation coefficients of the variables in the rows of ``input`` (see :func:`cov`),
    clipped to ``[-1, 1]``.

    Example::

        >>> ag.corrcoef(ag.tensor([[0., 1., 2.], [2., 1., 0.]]))
        tensor([[ 1., -1.],
                [-1.,  1.]])
    """
    need_tensor("corrcoef", input)
    if input.ndim > 2:
        raise RuntimeError("corrcoef(): expected input to have two or fewer dimensions but got an input with "
                           f"{input.ndim} dimensions")
    c = cov(input)
    with errstate(c.device.xp, divide="ignore", invalid="ignore"):  # a constant variable: nan, as PyTorch
        if c.ndim == 0:
            return ew.div(c, c)
        std = ew.sqrt(diagonal(c))
        c = ew.div(ew.div(c, reshape(std, -1, 1)), reshape(std, 1, -1))
    return ew.clamp(c, -1, 1)


def block_diag(*tensors):
    """The block-diagonal matrix of ``tensors`` (0-d as 1x1, 1-D as one row), of their promoted dtype.

    Example::

        >>> ag.block_diag(ag.tensor([[1, 2]]), ag.tensor(3))
        tensor([[1, 2, 0],
                [0, 0, 3]])
    """
    for k, t in enumerate(tensors):
        need_tensor("block_diag", t, f"tensors[{k}]", k + 1)
        if t.ndim > 2:
            raise RuntimeError("torch.block_diag: Input tensors must have 2 or fewer dimensions. "
                               f"Input {k} has {t.ndim} dimensions")
    if not tensors:
        cpu = backend.Device("cpu")  # PyTorch's (1, 0) float tensor
        return Tensor._make(backend.asarray([[]], dtype=backend.get_default_dtype(), device=cpu), cpu)
    dtype = backend.result_type([t._data.dtype for t in tensors if t.ndim],
                                [t._data.dtype for t in tensors if not t.ndim], ())
    device = tensors[0].device
    mats = [reshape(t.to(dtype), (1, -1) if t.ndim < 2 else t.shape) for t in tensors]
    width = sum(m.shape[1] for m in mats)
    rows, left = [], 0
    xp = device.xp
    for m in mats:
        r, c = m.shape
        pads = [Tensor._make(xp.zeros((r, k), dtype), device) for k in (left, width - left - c)]
        rows.append(cat([pads[0], m, pads[1]], 1))
        left += c
    return cat(rows, 0)


def combinations(input, r=2, with_replacement=False):
    """The length-``r`` combinations of the elements of a 1-D tensor, as rows (``itertools``' order;
    with ``with_replacement`` elements may repeat).

    Example::

        >>> ag.combinations(ag.tensor([1, 2, 3]))
        tensor([[1, 2],
                [1, 3],
                [2, 3]])
    """
    need_tensor("combinations", input)
    if input.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    idx = [i for combo in pick(range(input.shape[0]), r) for i in combo] if r else []
    xp = input.device.xp
    index = backend.asarray(idx, dtype=backend.int64, device=input.device)
    if r:
        index = xp.reshape(index, (-1, r))
    return getitem(input, index)
