"""``nn.utils.fusion``: fold an eval-mode BatchNorm into the convolution or linear layer before it
(``y = bn(conv(x))`` becomes one convolution with scaled weights and a shifted bias)."""
from __future__ import annotations

import copy

import autograd as ag

from ..parameter import Parameter

__all__ = ["fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval", "fuse_linear_bn_weights"]


def _check_eval(layer, bn):
    if layer.training or bn.training:
        raise AssertionError("Fusion only for eval!")
    if bn.running_mean is None or bn.running_var is None:
        raise AssertionError("bn.running_mean and bn.running_var must not be None")


def fuse_conv_bn_eval(conv, bn, transpose=False):
    """A copy of ``conv`` computing ``bn(conv(x))`` (both in eval mode)."""
    _check_eval(conv, bn)
    fused = copy.deepcopy(conv)
    fused.weight, fused.bias = fuse_conv_bn_weights(fused.weight, fused.bias, bn.running_mean, bn.running_var,
                                                    bn.eps, bn.weight, bn.bias, transpose)
    return fused


def _scale_and_shift(b, rm, rv, eps, bn_w, bn_b):
    """BatchNorm's per-channel scale ``w / sqrt(var + eps)`` and the bias ``(b - mean) * scale + beta``."""
    with ag.no_grad():
        scale = ag.rsqrt(rv + eps) * (bn_w if bn_w is not None else 1.0)
        shift = (b if b is not None else ag.zeros_like(rm)) - rm
        return scale, shift * scale + (bn_b if bn_b is not None else 0.0)


def fuse_conv_bn_weights(conv_w, conv_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b, transpose=False):
    """The weight and bias (Parameters) of a convolution followed by an eval-mode BatchNorm."""
    scale, bias = _scale_and_shift(conv_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b)
    shape = ([1, -1] if transpose else [-1, 1]) + [1] * (conv_w.ndim - 2)
    with ag.no_grad():
        w = (conv_w * scale.reshape(shape)).to(conv_w.dtype)
    b_dtype = conv_b.dtype if conv_b is not None else conv_w.dtype
    return (Parameter(w, conv_w.requires_grad),
            Parameter(bias.to(b_dtype), conv_b.requires_grad if conv_b is not None else False))


def fuse_linear_bn_eval(linear, bn):
    """A copy of ``linear`` computing ``bn(linear(x))`` (both in eval mode)."""
    _check_eval(linear, bn)
    if linear.out_features != bn.num_features and bn.num_features != 1:
        raise AssertionError(f"To fuse, linear.out_features == bn.num_features or bn.num_features == 1, got "
                             f"linear.out_features={linear.out_features} and "
                             f"bn.num_features={bn.num_features}")
    fused = copy.deepcopy(linear)
    fused.weight, fused.bias = fuse_linear_bn_weights(fused.weight, fused.bias, bn.running_mean,
                                                      bn.running_var, bn.eps, bn.weight, bn.bias)
    return fused


def fuse_linear_bn_weights(linear_w, linear_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b):
    """The weight and bias (Parameters) of a linear layer followed by an eval-mode BatchNorm."""
    scale, bias = _scale_and_shift(linear_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b)
    with ag.no_grad():
        w = linear_w * scale.unsqueeze(-1).to(linear_w.dtype)
    b_dtype = linear_b.dtype if linear_b is not None else linear_w.dtype
    return (Parameter(w, linear_w.requires_grad),
            Parameter(bias.to(b_dtype), linear_b.requires_grad if linear_b is not None else False))
