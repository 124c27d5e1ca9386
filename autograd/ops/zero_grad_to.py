"""A result that does not vary with one of its inputs: that input's gradient is zeros (PyTorch
materialises them), not absent."""
from __future__ import annotations

from ..function import Primitive
from ..tensor import Tensor


class ZeroGradTo(Primitive):
    """``value`` passed through (its gradient is the incoming one); ``other`` gets a zero gradient of
    its own shape: a Poisson sample of ``rates``, ``grid_sample``'s nearest pixels of a grid.
    ``value`` must be a fresh result: the output shares its memory."""

    @staticmethod
    def forward(ctx, value, other):
        ctx.other = (other.shape, other.dtype)
        return value

    @staticmethod
    def backward(ctx, g):
        return g, Tensor._make(ctx.device.xp.zeros(*ctx.other), ctx.device)

    @staticmethod
    def raw_backward(ctx, g):
        return g, ctx.device.xp.zeros(*ctx.other)


def zero_grad_to(value, other):
    """``value``, recorded so that ``other`` gets a zero gradient (when it requires one)."""
    return ZeroGradTo.apply(value, other) if other.requires_grad else value
