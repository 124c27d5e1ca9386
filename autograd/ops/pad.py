"""Constant padding (and cropping) as one primitive: ``nn.functional.pad``'s constant mode."""
from __future__ import annotations

from ..function import Primitive


class ConstantPad(Primitive):
    """Pad with a constant (positive widths) and crop (negative widths), per dimension.

    Its gradient is the same op with the widths negated, so double backward is free.
    """

    @staticmethod
    def forward(ctx, x, widths, value):
        ctx.widths = widths
        return _pad_array(ctx.device.xp, x, widths, value)

    @staticmethod
    def backward(ctx, g):
        return ConstantPad.apply(g, tuple((-b, -a) for b, a in ctx.widths), 0), None, None

    @staticmethod
    def raw_backward(ctx, g):
        return _pad_array(ctx.device.xp, g, tuple((-b, -a) for b, a in ctx.widths), 0), None, None


def _pad_array(xp, x, widths, value):
    """Array ``x`` padded with ``value`` (positive widths) and cropped (negative widths)."""
    crop = tuple(slice(-b if b < 0 else 0, n + a if a < 0 else n) for (b, a), n in zip(widths, x.shape))
    y = x[crop]
    grow = [(max(b, 0), max(a, 0)) for b, a in widths]
    if any(b or a for b, a in grow):
        return xp.pad(y, grow, mode="constant", constant_values=value)
    return y.copy()
