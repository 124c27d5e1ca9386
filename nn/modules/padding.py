"""Padding layers: ``ZeroPad``, ``ConstantPad``, ``ReflectionPad``, ``ReplicationPad``, ``CircularPad``
(1-D, 2-D, 3-D), thin wrappers of :func:`nn.functional.pad` with PyTorch's reprs."""
from __future__ import annotations

import numbers

from .. import functional as F
from .module import Module

__all__ = [f"{kind}Pad{n}d" for kind in ("Zero", "Constant", "Reflection", "Replication", "Circular")
           for n in (1, 2, 3)]


def _padding(padding, nd):
    if isinstance(padding, numbers.Integral):
        return (int(padding),) * (2 * nd)
    padding = tuple(padding)
    if len(padding) != 2 * nd:
        raise ValueError(f"padding must be an int or a tuple of {2 * nd} ints, got {padding!r}")
    return padding


class _PadNd(Module):
    _nd = 1
    _mode = "constant"

    def __init__(self, padding, value=0.0):
        super().__init__()
        self.padding = _padding(padding, self._nd)
        self.value = value

    def forward(self, input):
        if self._mode != "constant" and input.ndim not in (self._nd + 1, self._nd + 2):
            raise ValueError(f"{type(self).__name__}: expected {self._nd + 1}D or {self._nd + 2}D input, got "
                             f"{input.ndim}D input")
        if self._mode == "constant":
            return F.pad(input, self.padding, "constant", self.value)
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value):
        super().__init__(padding, value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class _ZeroPadNd(_PadNd):
    def __init__(self, padding):
        super().__init__(padding, 0.0)


def _family(base, mode, doc):
    classes = {}
    for n in (1, 2, 3):
        name = f"{doc}Pad{n}d"
        classes[name] = type(name, (base,), {"_nd": n, "_mode": mode, "__module__": __name__,
                                             "__doc__": f"Pad the last {n} dimension(s) ({mode} mode)."})
    return classes


globals().update(_family(_ZeroPadNd, "constant", "Zero"))
globals().update(_family(_ConstantPadNd, "constant", "Constant"))
globals().update(_family(_PadNd, "reflect", "Reflection"))
globals().update(_family(_PadNd, "replicate", "Replication"))
globals().update(_family(_PadNd, "circular", "Circular"))
