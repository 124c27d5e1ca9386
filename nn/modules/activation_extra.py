"""More activation modules (``Hardswish``, ``Hardsigmoid``, ``Mish``, ``PReLU``, ``RReLU``, ``Threshold``,
``GLU``, ``SELU``, ``CELU``, ``Softsign``, ``Tanhshrink``, ``Softshrink``, ``Hardshrink``, ``Softmax2d``):
thin wrappers of the ``nn.functional`` forms, with PyTorch's arguments and ``extra_repr``."""
from __future__ import annotations

import autograd as ag

from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["Hardswish", "Hardsigmoid", "Mish", "PReLU", "RReLU", "Threshold", "GLU", "SELU", "CELU",
           "Softsign", "Tanhshrink", "Softshrink", "Hardshrink", "Softmax2d"]


class _Elementwise(Module):
    """An activation without arguments (``inplace=True`` writes into the input; PyTorch shows it only where
    noted)."""

    _fn = None
    _show_inplace = False

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return type(self)._fn(input, inplace=True) if self.inplace else type(self)._fn(input)

    def extra_repr(self):
        return "inplace=True" if self._show_inplace and self.inplace else ""


class Hardswish(_Elementwise):
    """:math:`x \\cdot \\text{ReLU6}(x + 3) / 6`."""

    _fn = staticmethod(F.hardswish)


class Hardsigmoid(_Elementwise):
    """:math:`\\text{ReLU6}(x + 3) / 6`."""

    _fn = staticmethod(F.hardsigmoid)


class Mish(_Elementwise):
    """:math:`x \\tanh(\\text{softplus}(x))`."""

    _fn = staticmethod(F.mish)
    _show_inplace = True


class SELU(_Elementwise):
    """Scaled ELU with the self-normalising constants."""

    _fn = staticmethod(F.selu)
    _show_inplace = True


class Softsign(_Elementwise):
    """:math:`x / (1 + |x|)`."""

    _fn = staticmethod(F.softsign)

    def __init__(self):
        super().__init__()


class Tanhshrink(Softsign):
    """:math:`x - \\tanh(x)`."""

    _fn = staticmethod(F.tanhshrink)


class Softmax2d(Module):
    """Softmax over the channels (dim -3) of ``(N, C, H, W)`` or ``(C, H, W)``."""

    def forward(self, input):
        if input.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.ndim}D instead")
        return F.softmax(input, -3)


class PReLU(Module):
    """:math:`x` for :math:`x > 0`, else :math:`a x` with a learned ``weight`` ``a`` (1 or ``C`` entries).

    Example::

        >>> nn.PReLU()(ag.tensor([-2.0, 1.0]))
        tensor([-0.5000,  1.0000], grad_fn=<WhereBackward>)
    """

    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):
        super().__init__()
        self.num_parameters = num_parameters
        self.init = init
        self.weight = Parameter(ag.empty(num_parameters, device=device, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self):
        init.constant_(self.weight, self.init)

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class RReLU(Module):
    """Randomized leaky ReLU: slope ``U(lower, upper)`` in training, ``(lower + upper) / 2`` in eval."""

    def __init__(self, lower=1.0 / 8, upper=1.0 / 3, inplace=False):
        super().__init__()
        self.lower, self.upper, self.inplace = lower, upper, inplace

    def forward(self, input):
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self):
        return f"lower={self.lower}, upper={self.upper}" + (", inplace=True" if self.inplace else "")


class Threshold(Module):
    """``input`` where ``input > threshold``, else ``value``."""

    def __init__(self, threshold, value, inplace=False):
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, input):
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self):
        return f"threshold={self.threshold}, value={self.value}" + (", inplace=True" if self.inplace else "")


class CELU(Module):
    """:math:`\\max(0, x) + \\min(0, \\alpha (e^{x/\\alpha} - 1))`."""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input):
        return F.celu(input, self.alpha, self.inplace)

    def extra_repr(self):
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class GLU(Module):
    """Gated linear unit over the halves of dimension ``dim``."""

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.glu(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class Softshrink(Module):
    """Soft shrinkage by ``lambd``."""

    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return F.softshrink(input, self.lambd)

    def extra_repr(self):
        return str(self.lambd)


class Hardshrink(Softshrink):
    """Hard shrinkage: zero inside ``[-lambd, lambd]``."""

    def forward(self, input):
        return F.hardshrink(input, self.lambd)
