"""Special functions on any device."""
from __future__ import annotations

import math

import numpy as np

from .devices import device_of

def erf(array):
    """Elementwise error function on any device (used by GELU): the backend's ``erf``
    (``cupyx.scipy.special.erf`` on CUDA, SciPy's ufunc or ``math.erf`` on the CPU)."""
    return device_of(array).backend.erf(array)


# Without SciPy, the CPU computes these per element with the standard library (slow but right);
# the others need SciPy and say so.
_MATH_FALLBACKS = {"erfc": math.erfc, "gammaln": lambda v: _lgamma(v)}


def function(backend, name):
    """SciPy's special function ``name`` for arrays of ``backend``: ``cupyx.scipy.special``'s on
    CUDA (and the shadow device), ``scipy.special``'s on the CPU (a few fall back to ``math``)."""
    cupyx = getattr(backend, "_cupyx", None)
    if cupyx is not None:
        return getattr(cupyx.scipy.special, name)
    try:
        import scipy.special as sc
    except ImportError:
        scalar = _MATH_FALLBACKS.get(name)
        if name == "i0":
            return np.i0
        if scalar is None:
            raise RuntimeError(
                f"{name} on the CPU needs SciPy, which is not installed: pip install scipy") from None

        def per_element(array):
            host = backend.to_host(array)
            out = np.vectorize(scalar, otypes=[host.dtype])(host) if host.size else host.copy()
            return backend.from_host(out)

        return per_element
    return getattr(sc, name)


def _lgamma(v):
    if math.isnan(v):
        return v
    if math.isinf(v) or (v <= 0 and v == math.floor(v)):
        return math.inf
    return math.lgamma(v)
