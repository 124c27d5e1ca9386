"""Special functions on any device."""
from __future__ import annotations

from .devices import device_of

def erf(array):
    """Elementwise error function on any device (used by GELU): the backend's ``erf``
    (``cupyx.scipy.special.erf`` on CUDA, SciPy's ufunc or ``math.erf`` on the CPU)."""
    return device_of(array).backend.erf(array)
