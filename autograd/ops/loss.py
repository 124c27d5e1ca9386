"""Loss primitives: the NLL gather/scatter pair and the binary cross-entropies.

Forwards on raw arrays, backwards in Tensor ops (so double backward works);
``nn.functional``'s losses check arguments, reduce and weight around them.
"""
from __future__ import annotations

from ..function import Primitive
from ._util import acc_dtype
from .activation import Softplus, softplus_array
from .compare import clamp
from .unary import log, log1p, sigmoid, sigmoid_array


def _spread(xp, values, target, num_classes, dtype):
    """A dense ``(N, C, *)`` array with ``values[n, *]`` at class ``target[n, *]`` and 0 elsewhere."""
    if target.ndim == 1:  # (N, C): one assignment into zeros
        out = xp.zeros((target.shape[0], num_classes), dtype)
        out[xp.arange(target.shape[0]), target] = values
        return out
    classes = xp.arange(num_classes).reshape((1, num_classes) + (1,) * (target.ndim - 1))
    hit = classes == xp.expand_dims(target, 1)
    return xp.where(hit, xp.expand_dims(values, 1), 0).astype(dtype, copy=False)


class NLLGather(Primitive):
    """``-scale * logp[n, target[n], *]`` for each ``n, *`` (class dim 1), unreduced."""

    @staticmethod
    def forward(ctx, logp, target, scale):
        xp = ctx.device.xp
        ctx.save_for_backward(target, scale)
        ctx.num_classes = logp.shape[1]
        picked = _pick(xp, logp, target)
        return -picked if scale.__class__ is float and scale == 1.0 else -(picked * scale)  # x * 1.0 is x

    @staticmethod
    def backward(ctx, g):
        target, scale = ctx.saved_tensors
        return NLLScatter.apply(g, target, scale, ctx.num_classes), None, None

    @staticmethod
    def raw_backward(ctx, g):
        target, scale = ctx.saved_arrays
        return _scatter_array(ctx.device.xp, g, target, scale, ctx.num_classes), None, None


class NllLoss(Primitive):
    """``-sum(logp[n, target[n], *]) / divisor``: :class:`NLLGather` and its reduction in one node,
    as PyTorch's NllLoss with ``reduction='mean'`` (``divisor`` the number of targets) or ``'sum'``
    (1), for targets all in range with no class weights. The sum is taken before the sign and the
    division, so the value is the bits of ``NLLGather`` then ``mean()``/``sum()``."""

    @staticmethod
    def forward(ctx, logp, target, divisor):
        ctx.save_for_backward(target)
        ctx.num_classes, ctx.divisor = logp.shape[1], divisor
        picked = _pick(ctx.device.xp, logp, target)
        acc = acc_dtype(picked.dtype)  # float16 sums in float32, as Mean and Sum do
        total = picked.sum(dtype=acc)
        out = -(total / divisor)  # x / 1 is x: 'sum' needs no branch
        return out.astype(picked.dtype) if acc is not None else out

    @staticmethod
    def backward(ctx, g):
        (target,) = ctx.saved_tensors
        share = (g / ctx.divisor).expand(*target.shape)
        return NLLScatter.apply(share, target, 1.0, ctx.num_classes), None, None

    @staticmethod
    def raw_backward(ctx, g):
        (target,) = ctx.saved_arrays
        xp = ctx.device.xp
        share = xp.broadcast_to(g / ctx.divisor, target.shape)
        return _scatter_array(xp, share, target, 1.0, ctx.num_classes), None, None


def _pick(xp, logp, target):
    """``logp[n, target[n, *], *]`` for each ``n, *``."""
    if target.ndim == 1:  # (N, C)
        return logp[xp.arange(target.shape[0]), target]
    return xp.take_along_axis(logp, xp.expand_dims(target, 1), axis=1).reshape(target.shape)


def _scatter_array(xp, g, target, scale, num_classes):
    """``-scale * g`` spread to the target classes; ignored targets (scale 0) get exactly 0, even
    from an inf upstream gradient (all ignored, 'mean')."""
    if scale.__class__ is float and scale:  # a constant scale (no weights, nothing ignored)
        values = -g if scale == 1.0 else -(g * scale)
    else:
        values = xp.where(scale != 0, -(g * scale), 0)
    return _spread(xp, values, target, num_classes, g.dtype)


class NLLScatter(Primitive):
    """The gradient of :class:`NLLGather`: ``-scale * g`` spread to the target classes."""

    @staticmethod
    def forward(ctx, g, target, scale, num_classes):
        ctx.save_for_backward(target, scale)
        return _scatter_array(ctx.device.xp, g, target, scale, num_classes)

    @staticmethod
    def backward(ctx, gg):
        target, scale = ctx.saved_tensors
        return NLLGather.apply(gg, target, scale), None, None, None

    @staticmethod
    def raw_backward(ctx, gg):
        target, scale = ctx.saved_arrays
        return -(_pick(ctx.device.xp, gg, target) * scale), None, None, None


class BinaryCrossEntropy(Primitive):
    """Elementwise :math:`-(y \\log x + (1 - y) \\log(1 - x))`, logs clamped to >= -100 (PyTorch)."""

    @staticmethod
    def forward(ctx, x, y):
        xp = ctx.device.xp
        ctx.save_for_backward(x, y)
        # log(0) is -inf: substitute before the log (no warning), then clamp to -100 as PyTorch
        log_x = xp.where(x > 0, xp.maximum(xp.log(xp.where(x > 0, x, 1)), -100), -100)
        log_1mx = xp.where(x < 1, xp.maximum(xp.log1p(-xp.where(x < 1, x, 0)), -100), -100)
        return (-(y * log_x + (1 - y) * log_1mx)).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = gy = None
        if need[0]:
            gx = g * (x - y) / clamp((1 - x) * x, min=1e-12)
        if need[1]:
            gy = g * (clamp(log1p(-x), min=-100) - clamp(log(x), min=-100))
        return gx, gy

    @staticmethod
    def raw_backward(ctx, g):
        x, y = ctx.saved_arrays
        xp, need = ctx.device.xp, ctx.needs_input_grad
        gx = gy = None
        if need[0]:
            gx = g * (x - y) / xp.maximum((1 - x) * x, 1e-12)
        if need[1]:
            gy = g * (xp.maximum(xp.log1p(-x), -100) - xp.maximum(xp.log(x), -100))
        return gx, gy


class BCEWithLogits(Primitive):
    """Elementwise :math:`(1 - y) x + l \\cdot \\text{softplus}(-x)`, :math:`l = (p - 1) y + 1`
    (``p`` = ``pos_weight``, or 1), stable for any logit."""

    @staticmethod
    def forward(ctx, x, y, pos_weight):
        xp = ctx.device.xp
        ctx.save_for_backward(x, y, pos_weight)
        sp = softplus_array(xp, -x)
        if pos_weight is None:
            return ((1 - y) * x + sp).astype(x.dtype, copy=False)
        return ((1 - y) * x + ((pos_weight - 1) * y + 1) * sp).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return _bce_logits_grads(ctx, g, *ctx.saved_tensors, sigmoid,
                                 lambda t: Softplus.apply(t, 1.0, float("inf")))

    @staticmethod
    def raw_backward(ctx, g):
        xp = ctx.device.xp
        return _bce_logits_grads(ctx, g, *ctx.saved_arrays, lambda a: sigmoid_array(xp, a),
                                 lambda a: softplus_array(xp, a).astype(a.dtype, copy=False))


def _bce_logits_grads(ctx, g, x, y, p, sigmoid_, softplus_):
    """The gradients of :class:`BCEWithLogits` (Tensors, or arrays with array functions)."""
    need = ctx.needs_input_grad
    gx = gy = gp = None
    if need[0]:
        s = sigmoid_(x)
        gx = g * (s - y) if p is None else g * (((p - 1) * y + 1) * s - p * y)
    if need[1] or (p is not None and need[2]):
        sp = softplus_(-x)
        if need[1]:
            gy = -g * x if p is None else g * ((p - 1) * sp - x)
        if p is not None and need[2]:
            gp = g * y * sp
    return gx, gy, gp
