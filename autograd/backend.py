"""Array backends: with ``autograd/arraylib/``, the only code that imports numpy (and, lazily, cupy).

A :class:`Device` names where a tensor's data lives. Each device type has a
:class:`Backend` that gives the array module (``xp``) and the few operations
whose spelling differs between NumPy and CuPy (host transfer, scatter-add,
strided windows, random generators). Everything else in xpgrad reaches array
functions only through ``device.xp`` or this module, which gathers the array
layer's concerns, each in its own file of ``autograd/arraylib/``: ``dtypes``
(names, default dtype, PyTorch's promotion), ``registry`` (the backends),
``devices`` (interned devices, moving and converting arrays), ``files`` (host
copies, data pointers, memory blocks) and ``special`` (erf); the repr formatting
of values is here.
"""
from __future__ import annotations

import numpy as np

from .arraylib.devices import (as_array, asarray, cuda_device, Device, device_of, from_numpy,  # noqa: F401
                               is_array, is_host_array, is_view, keep_where, to_device, to_host)
from .arraylib.dtypes import (_DTYPE_ALIASES, UNSIGNED, as_dtype, bool_, category, float16, float32,  # noqa: F401
                              float64, get_default_dtype, host_scalar, int8, int16, int32, int64,
                              is_floating, nested_dtype, promote_types, result_type, scalar_as_array,
                              scalar_dtype, set_default_dtype, uint8)
from .arraylib.files import bfloat16_to_float32, buffer_of, data_ptr, host_contiguous  # noqa: F401
from .arraylib.registry import (_BACKENDS, _FACTORIES, _SEED, Backend, CupyBackend,  # noqa: F401
                                NumpyBackend, cuda_available, get_backend, register_backend)
from .arraylib.special import erf  # noqa: F401
from .arraylib.host_memory import configure_from_environment

#: Whether freed host memory is kept in the process for reuse (see ``arraylib/host_memory.py``).
HOST_MEMORY_KEPT = configure_from_environment()


# ---------------------------------------------------------------- repr formatting
#: What ``ag.set_printoptions`` sets: decimals, summarising threshold, edge items, line width, sci mode.
PRINT_OPTIONS = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 75, "sci_mode": None}


def set_print_options(**opts) -> None:
    """Update :data:`PRINT_OPTIONS` (``ag.set_printoptions``)."""
    PRINT_OPTIONS.update(opts)


def format_array(host) -> str:
    """Values in PyTorch's print style (4 decimals unless all are integral)."""
    po = PRINT_OPTIONS
    threshold = po["threshold"] if po["threshold"] != float("inf") else np.iinfo(np.int64).max
    opts = {"separator": ", ", "prefix": "tensor(", "threshold": threshold, "edgeitems": po["edgeitems"],
            "max_line_width": po["linewidth"]}
    precision = po["precision"]
    if host.dtype == bool_:  # padded to the widest value present, as PyTorch: [True, True], [ True, False]
        width = 5 if host.size and not host.all() else 4
        opts["formatter"] = {"bool": lambda v: str(bool(v)).rjust(width)}
    if host.dtype.kind == "f" and host.size and not np.all(np.isfinite(host) & (np.mod(host, 1) == 0)):
        finite = host[np.isfinite(host)]
        mags = np.abs(finite)
        big = finite.size and (mags.max() >= 1e8 or mags[mags != 0].min(initial=1) < 1e-4)
        if po["sci_mode"] is not None:
            big = po["sci_mode"]
        if big:
            opts.update(floatmode="maxprec", precision=precision)
        else:
            opts.update(floatmode="fixed", precision=precision, suppress_small=True)
    return np.array2string(host, **opts)


def dtype_name(dtype) -> str:
    """``autograd.float64``-style name of a dtype."""
    return "autograd." + ("bool" if dtype == bool_ else dtype.name)
