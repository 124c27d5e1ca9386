"""Start-up settings PyTorch scripts call, accepted on NumPy/CuPy where they change nothing.

``set_float32_matmul_precision`` / ``get_float32_matmul_precision`` remember the value (matmuls
run in the arrays' own precision), ``use_deterministic_algorithms`` records the flag (NumPy is
deterministic; CuPy's scatter-add sums in arbitrary order, see README), ``set_num_threads``
sets BLAS's thread count (through ``threadpoolctl`` when installed; otherwise it records the number
and ``OMP_NUM_THREADS`` before start decides), ``set_printoptions``
forwards to the array printer, and ``compile`` returns its argument unchanged (no compiler).
"""
from __future__ import annotations

import os

from . import backend
from .arraylib import blas_threads

__all__ = ["set_float32_matmul_precision", "get_float32_matmul_precision", "use_deterministic_algorithms",
           "are_deterministic_algorithms_enabled", "set_num_threads", "get_num_threads",
           "set_num_interop_threads", "get_num_interop_threads", "set_printoptions", "compile"]

_SETTINGS = {"matmul_precision": "highest", "deterministic": False, "warn_only": False,
             "threads": None, "interop_threads": os.cpu_count() or 1}


def set_float32_matmul_precision(precision: str) -> None:
    """Accept ``"highest"``, ``"high"`` or ``"medium"`` (matmuls keep float32 precision regardless)."""
    if precision not in ("highest", "high", "medium"):
        raise RuntimeError(f"Invalid precision '{precision}': expected 'highest', 'high' or 'medium'")
    _SETTINGS["matmul_precision"] = precision


def get_float32_matmul_precision() -> str:
    """The value last given to ``set_float32_matmul_precision`` (``"highest"`` by default)."""
    return _SETTINGS["matmul_precision"]


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Record the flag (read back by ``are_deterministic_algorithms_enabled``)."""
    if not isinstance(mode, bool):
        raise TypeError(f"use_deterministic_algorithms expects a bool, got {type(mode).__name__}")
    _SETTINGS["deterministic"], _SETTINGS["warn_only"] = mode, bool(warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    return _SETTINGS["deterministic"]


def _positive(n, what):
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise RuntimeError(f"{what}: number of threads must be a positive integer, got {n!r}")


def set_num_threads(n: int) -> None:
    """Set the number of threads BLAS uses (``threadpoolctl`` installed; else only recorded)."""
    _positive(n, "set_num_threads")
    _SETTINGS["threads"] = n
    blas_threads.set_num_threads(n)


def get_num_threads() -> int:
    """The number of threads BLAS uses (the last ``set_num_threads``, BLAS's own count, or the
    ``OMP_NUM_THREADS`` / CPU count)."""
    if _SETTINGS["threads"] is None:
        env = os.environ.get("OMP_NUM_THREADS", "")
        _SETTINGS["threads"] = (blas_threads.get_num_threads()
                                or (int(env) if env.isdigit() and int(env) > 0 else os.cpu_count() or 1))
    return _SETTINGS["threads"]


def set_num_interop_threads(n: int) -> None:
    _positive(n, "set_num_interop_threads")
    _SETTINGS["interop_threads"] = n


def get_num_interop_threads() -> int:
    return _SETTINGS["interop_threads"]


_PROFILES = {"default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=75),
             "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=75),
             "full": dict(precision=4, threshold=float("inf"), edgeitems=3, linewidth=75)}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None,
                     sci_mode=None):
    """Set how tensors print (as ``torch.set_printoptions``): digits, summarising threshold, line width."""
    opts = dict(_PROFILES[profile]) if profile is not None else {}
    for k, v in (("precision", precision), ("threshold", threshold), ("edgeitems", edgeitems),
                 ("linewidth", linewidth)):
        if v is not None:
            opts[k] = v
    if sci_mode is not None:
        opts["sci_mode"] = bool(sci_mode)
    backend.set_print_options(**opts)


def compile(model=None, **kwargs):  # noqa: A001 - PyTorch's name
    """``torch.compile`` stand-in: returns ``model`` (a function or Module) unchanged.

    xpgrad has no compiler; the options (``mode``, ``fullgraph``, ``backend``, ...) are accepted and
    ignored. Used as ``@ag.compile`` or ``@ag.compile(mode=...)``.
    """
    if model is None:
        return lambda m: m
    if not callable(model):
        raise RuntimeError(f"compile(): expected a function or Module, got {type(model).__name__}")
    return model
