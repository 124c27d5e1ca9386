"""poisson and the in-place samplers geometric_, log_normal_ and cauchy_ (the others, normal_ /
uniform_ / bernoulli_ / exponential_ / random_, are in ``ops/inplace.py`` and
``tensor_api_impl.py``). Draws come from the device's generator or ``generator=``."""
from __future__ import annotations

import math

from .. import backend
from ..random import backend_generator, normal_array, uniform_array
from ..tensor_api_impl import _fill_sample
from ..tensor import Tensor
from ._util import _C_TYPE
from .math_more import need_tensor, torch_name
from .zero_grad_to import zero_grad_to

__all__ = ["poisson"]


def poisson(rates, generator=None):
    """A tensor of ``rates``' shape and dtype with each element drawn from Poisson(rate).

    Example::

        >>> ag.poisson(ag.zeros(3))
        tensor([0., 0., 0.])
    """
    need_tensor("poisson", rates)
    lam = rates._data
    if lam.dtype.kind != "f":
        raise NotImplementedError(f"\"poisson_cpu\" not implemented for '{torch_name(lam.dtype)}'")
    if lam.size and not bool((lam >= 0).all()):  # NaN included, as PyTorch's check
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    device = rates.device
    g = backend_generator(generator, device)
    with device.backend.device_context(device.index):
        lam64 = lam.astype(backend.float64)
        big = lam64 > 9.2e18  # PyTorch's int64 sample overflows there (inf included): -2**63
        draw = g.poisson(device.xp.where(big, 0.0, lam64), size=lam.shape)
        draw = device.xp.where(big, -(2.0 ** 63), draw).astype(lam.dtype)
    # a sample does not vary with the rates: their gradient is 0, as PyTorch's
    return zero_grad_to(Tensor._make(backend.as_array(draw, device), device), rates)


def _need_float(t, kernel):
    if t._data.dtype.kind != "f":
        raise NotImplementedError(f"\"{kernel}_cpu\" not implemented for '{torch_name(t._data.dtype)}'")


def geometric_(t, p, *, generator=None):
    """Fill with draws of the number of Bernoulli(p) trials up to the first success (1, 2, ...)."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p:g}")
    xp = t.device.xp
    u = uniform_array(t.shape, backend.float64, t.device, generator=generator)
    k = xp.maximum(xp.ceil(xp.log1p(-u) / math.log1p(-p)), 1.0)
    return _fill_sample(t, k.astype(t._data.dtype))


def log_normal_(t, mean=1.0, std=2.0, *, generator=None):
    """Fill with samples of exp(N(mean, std²))."""
    _need_float(t, "log_normal")
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std:g}")
    z = normal_array(t.shape, backend.float64, t.device, mean, std, generator)
    return _fill_sample(t, t.device.xp.exp(z).astype(t._data.dtype))


def cauchy_(t, median=0.0, sigma=1.0, *, generator=None):
    """Fill with samples of the Cauchy distribution: ``median + sigma * tan(pi * (u - 1/2))``."""
    if t._data.dtype.kind != "f":
        name = _C_TYPE.get(str(t._data.dtype), str(t._data.dtype))
        raise RuntimeError("Cauchy distribution is a continuous probability distribution. dtype must be a "
                           f"floating point but you specified {name}")
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma:g}")
    u = uniform_array(t.shape, backend.float64, t.device, generator=generator)
    c = median + sigma * t.device.xp.tan(math.pi * (u - 0.5))
    return _fill_sample(t, c.astype(t._data.dtype))

