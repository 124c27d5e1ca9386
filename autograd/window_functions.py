"""The spectral windows of ``torch``: ``hann_window``, ``hamming_window``, ``blackman_window``,
``bartlett_window`` and ``kaiser_window``.

Each is computed in the requested dtype by PyTorch's own sequence of operations (ATen's
``TensorFactories.cpp``), so that float32 and float16 windows round as PyTorch's do. A periodic
window of length ``N`` is the symmetric window of length ``N + 1`` without its last value.
"""
from __future__ import annotations

import math
import numbers

from . import backend
from .grad_mode import no_grad

__all__ = ["hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window"]

_CPP_NAMES = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
              "uint8": "unsigned char", "bool": "bool", "uint16": "unsigned short", "uint32": "unsigned int",
              "uint64": "unsigned long"}


def _start(name, window_length, dtype, device):
    """The checked length, dtype and device; the window when it is empty or of length 1."""
    from .creation import _device, _float_dtype, empty, ones

    if not isinstance(window_length, numbers.Integral) or isinstance(window_length, bool):
        raise TypeError(f"{name}(): argument 'window_length' (position 1) must be int, not "
                        f"{type(window_length).__name__}")
    dt = _float_dtype(dtype)
    dev = _device(device)
    if dt.kind != "f":
        raise RuntimeError(f"{name} expects floating point dtypes, got: TensorOptions(dtype="
                           f"{_CPP_NAMES.get(dt.name, dt.name)}, device={dev}, layout=Strided (default), "
                           f"requires_grad=false (default), pinned_memory=false, memory_format=(nullopt))")
    if window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got window_length={window_length}")
    n = int(window_length)
    early = None
    if n == 0:
        early = empty(0, dtype=dt, device=dev)
    elif n == 1:
        early = ones(1, dtype=dt, device=dev)
    return n, dt, dev, early


def _arange(n, dt, dev):
    from .creation import arange

    return arange(n, dtype=dt, device=dev)


def _finish(window, periodic, requires_grad):
    if periodic:
        window = window[:-1]
    window = window.contiguous().detach()
    if requires_grad:
        window.requires_grad_(True)
    return window


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None, layout=None,
                   device=None, pin_memory=False, requires_grad=False):
    """``alpha - beta * cos(2 pi n / (N - 1))``: the Hamming window (``torch.hamming_window``)."""
    n, dt, dev, early = _start("hamming_window", window_length, dtype, device)
    if early is not None:
        return _finish(early, False, requires_grad)
    n += bool(periodic)
    with no_grad():
        w = (_arange(n, dt, dev) * (math.pi * 2.0 / (n - 1))).cos() * (-float(beta)) + float(alpha)
    return _finish(w, periodic, requires_grad)


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, pin_memory=False,
                requires_grad=False):
    """``0.5 - 0.5 * cos(2 pi n / (N - 1))``: the Hann window (``torch.hann_window``)."""
    _start("hann_window", window_length, dtype, device)  # its own name in the messages
    return hamming_window(window_length, periodic, 0.5, 0.5, dtype=dtype, device=device,
                          requires_grad=requires_grad)


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, pin_memory=False,
                    requires_grad=False):
    """``0.42 - 0.5 cos(2 pi n / (N - 1)) + 0.08 cos(4 pi n / (N - 1))`` (``torch.blackman_window``)."""
    n, dt, dev, early = _start("blackman_window", window_length, dtype, device)
    if early is not None:
        return _finish(early, False, requires_grad)
    n += bool(periodic)
    with no_grad():
        w = _arange(n, dt, dev) * (math.pi / (n - 1))
        w = (w * 4).cos() * 0.08 - (w * 2).cos() * 0.5 + 0.42
    return _finish(w, periodic, requires_grad)


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, pin_memory=False,
                    requires_grad=False):
    """``1 - |2n / (N - 1) - 1|``: the triangular window (``torch.bartlett_window``)."""
    n, dt, dev, early = _start("bartlett_window", window_length, dtype, device)
    if early is not None:
        return _finish(early, False, requires_grad)
    n += bool(periodic)
    with no_grad():
        w = _arange(n, dt, dev) * (2.0 / (n - 1))
        half = ((n - 1) >> 1) + 1
        w[half:] = w[half:] * -1 + 2
    return _finish(w, periodic, requires_grad)


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None, device=None,
                  pin_memory=False, requires_grad=False):
    """``I0(beta sqrt(1 - ((n - N/2) / (N/2))^2)) / I0(beta)`` with ``N = window_length - 1``: the
    Kaiser window (``torch.kaiser_window``)."""
    from .ops.special_fns import i0

    n, dt, dev, early = _start("kaiser_window", window_length, dtype, device)
    if early is not None:
        return _finish(early, False, requires_grad)
    n += bool(periodic)
    # PyTorch's kernel computes in float32 for float16 (its opmath type)
    work = backend.float32 if dt.itemsize < 4 else dt
    with no_grad():
        alpha = (n - 1) / 2.0
        x = (((_arange(n, work, dev) - alpha) / alpha) ** 2 * -1 + 1).abs().sqrt() * float(beta)
        beta_t = _arange(1, work, dev) * 0 + float(beta)
        w = (i0(x) / i0(beta_t)).to(dt)
    return _finish(w, periodic, requires_grad)
