"""Sampling and grid creation: multinomial, bernoulli, normal, randint_like, logspace, meshgrid,
cartesian_prod.

Random draws go through ``autograd.random`` (each device's generator, or the ``generator=``
given), so ``ag.manual_seed`` makes them reproducible. ``normal(mean, std)`` is
``mean + std * eps``, differentiable in ``mean`` and ``std`` as PyTorch's.
"""
from __future__ import annotations

import numbers

from .. import backend
from ..creation import _device, _integral_ends, _number, _size, linspace, randint
from ..random import normal_array, uniform_array
from ..tensor import Tensor
from . import elementwise as ew
from . import shape as sh
from ._util import errstate

__all__ = ["multinomial", "bernoulli", "normal", "randint_like", "logspace", "meshgrid", "cartesian_prod"]


def multinomial(input, num_samples, replacement=False, *, generator=None):
    """Draw ``num_samples`` category indices per row of the (unnormalised) probabilities ``input``.

    Args:
        input: 1-D or 2-D non-negative weights (each row needs a positive sum).
        num_samples: draws per row.
        replacement: draw with replacement; without it (the default) each row's draws are
            distinct (zero weights come last, once the positive ones are used up).
        generator: a random generator to draw from.

    Returns:
        int64 indices of shape ``(num_samples,)`` or ``(rows, num_samples)``.
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"multinomial(): argument 'input' must be Tensor, not {type(input).__name__}")
    if input.ndim not in (1, 2):
        raise RuntimeError(f"prob_dist must be 1 or 2 dim, got {input.ndim}")
    if input.dtype.kind != "f":
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: {input.dtype}")
    if not isinstance(num_samples, numbers.Integral) or num_samples <= 0:
        raise RuntimeError(f"cannot sample n_sample <= 0 samples (got {num_samples})")
    xp, dev = input.device.xp, input.device
    p = input._data.reshape(-1, input.shape[-1]).astype(backend.float64)
    rows, n = p.shape
    if n == 0:
        raise RuntimeError("multinomial(): the probability distribution has no categories")
    if not replacement and num_samples > n:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    if bool(xp.any(~xp.isfinite(p) | (p < 0))):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    total = p.sum(axis=1, keepdims=True)
    if bool(xp.any(total <= 0)):
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    if replacement:
        # one sorted search for all rows: row r's CDF is shifted to [r, r + 1]
        cdf = xp.cumsum(p, axis=1)
        cdf = cdf / cdf[:, -1:]  # exactly 1 from the last positive weight on
        shift = xp.arange(rows, dtype=backend.float64)[:, None]
        u = uniform_array((rows, num_samples), backend.float64, dev, generator=generator)
        pos = xp.searchsorted((cdf + shift).reshape(-1), (u + shift).reshape(-1), side="right")
        idx = pos.reshape(rows, num_samples) - (xp.arange(rows) * n)[:, None]
        idx = xp.minimum(idx, n - 1)
    else:
        # exponential races: the first num_samples arrivals of clocks with rates p, in order; as in
        # PyTorch, zero weights are drawn only once every positive weight is (here in index order)
        u = uniform_array((rows, n), backend.float64, dev, generator=generator)
        with errstate(xp, divide="ignore"):
            keys = -xp.log1p(-u) / p  # inf for p == 0: after every positive weight
        idx = xp.argsort(keys, axis=1, kind="stable")[:, :num_samples]
    idx = idx.astype(backend.int64, copy=False)
    return Tensor._make(idx.reshape(num_samples) if input.ndim == 1 else idx, dev)


def bernoulli(input, p=None, *, generator=None):
    """0/1 draws with probability ``input`` (or the number ``p``), in ``input``'s dtype (no gradient)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"bernoulli(): argument 'input' must be Tensor, not {type(input).__name__}")
    prob = input._data if p is None else p
    if p is None and input.dtype.kind != "f":
        raise RuntimeError(f"bernoulli(): expected a floating point probability tensor, got {input.dtype}")
    xp = input.device.xp
    if bool(xp.any((xp.asarray(prob) < 0) | (xp.asarray(prob) > 1))):
        raise RuntimeError("bernoulli(): expected all probabilities to be in [0, 1]")
    u = uniform_array(input.shape, backend.float64, input.device, generator=generator)
    dtype = input.dtype if input.dtype.kind == "f" or p is not None else backend.get_default_dtype()
    return Tensor._make(backend.as_array((u < prob).astype(dtype), input.device), input.device)


def normal(mean, std=1.0, size=None, *, generator=None, dtype=None, device=None, requires_grad=False):
    """Samples of N(mean, std²): ``mean`` and ``std`` tensors (broadcasting) or numbers with ``size``.

    With tensor arguments the result is ``mean + std * eps`` and carries their gradients.
    """
    tm, ts = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not tm and not ts:
        if size is None:
            raise TypeError("normal(): with float mean and std, the size argument is required")
        dev = _device(device)
        d = backend.as_dtype(dtype) or backend.get_default_dtype()
        if not std >= 0:  # NaN fails too, as PyTorch's
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
        data = normal_array(_size((size,)) if not isinstance(size, numbers.Integral) else (size,), d, dev,
                            mean, std, generator)
        out = Tensor._make(data, dev)
        return out.requires_grad_(True) if requires_grad else out
    like = mean if tm else std
    if ts and bool(like.device.xp.any(std._data < 0)):
        raise RuntimeError("normal expects all elements of std >= 0.0")
    if not ts and not std >= 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    shape = backend.Device("cpu").xp.broadcast_shapes(tuple(mean.shape) if tm else (),
                                                      tuple(std.shape) if ts else ())
    dt = like.dtype if like.dtype.kind == "f" else backend.get_default_dtype()
    eps = Tensor._make(normal_array(shape, dt, like.device, 0.0, 1.0, generator), like.device)
    return ew.add(mean, ew.mul(std, eps))


def randint_like(input, low=0, high=None, *, dtype=None, device=None, requires_grad=False, layout=None,
                 memory_format=None):
    """Integers from ``[low, high)`` in ``input``'s shape (``randint_like(x, high)`` also works)."""
    if high is None:
        low, high = 0, low
    return randint(low, high, tuple(input.shape), dtype=dtype or input.dtype, device=device or input.device,
                   requires_grad=requires_grad)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False):
    """``steps`` values ``base ** e`` for ``e`` evenly spaced from ``start`` to ``end``."""
    d = backend.as_dtype(dtype) or backend.get_default_dtype()
    # integral: the ends truncated first, as PyTorch (logspace(0.5, 3, 2, dtype=int64) is [1, 1000];
    # one step is base ** start untruncated there)
    if _number(steps) != 1:
        start, end = _integral_ends(_number(start), _number(end), d)
    e = linspace(start, end, steps, dtype=backend.float64, device=device)
    out = Tensor._make((float(base) ** e._data).astype(d), e.device)
    return out.requires_grad_(True) if requires_grad else out


def meshgrid(*tensors, indexing="ij"):
    """Coordinate grids from 1-D tensors: each output has shape ``(len(t0), len(t1), ...)`` for
    ``indexing='ij'``; ``'xy'`` swaps the first two dimensions (Cartesian, as NumPy's default)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: "
                           f"{indexing}")
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if not isinstance(t, Tensor) or t.ndim > 1:
            raise RuntimeError("torch.meshgrid: Expected 0D or 1D tensor in the tensor list")
    ts = [t.reshape(-1) for t in tensors]
    swap = indexing == "xy" and len(ts) >= 2
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    shape = tuple(t.shape[0] for t in ts)
    k = len(ts)
    out = [sh.expand(t.reshape(tuple(-1 if j == i else 1 for j in range(k))), *shape)
           for i, t in enumerate(ts)]
    if swap:  # the grids of (t1, t0, ...) in 'ij' order are those of (t0, t1, ...) in 'xy' order
        out[0], out[1] = out[1], out[0]
    return tuple(out)


def cartesian_prod(*tensors):
    """All combinations of the elements of 1-D tensors: shape ``(N, k)`` (``(N,)`` for one tensor)."""
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return sh.stack([g.reshape(-1) for g in grids], 1)

