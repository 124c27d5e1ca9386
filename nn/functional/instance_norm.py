"""nn.functional: instance normalization and local response normalization.

Composites of the engine's ``mean``/``var``/``rsqrt``/``pad`` (so every order
of gradient works); float32 inputs stay float32.
"""
from __future__ import annotations

from autograd.grad_mode import no_grad

from .misc import pad
from .normalization import _channel_shape, _normalize

__all__ = ["instance_norm", "local_response_norm"]


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    """Instance normalization: each channel of each sample normalized over its spatial dimensions.

    With ``use_input_stats`` the statistics of each ``(n, c)`` instance are used and the
    running ones (when given) are updated in place with their average over the batch, as
    PyTorch: ``r = (1 - momentum) * r + momentum * mean_n(stat)`` (unbiased variance).
    Without it, ``running_mean``/``running_var`` normalize the input.

    Args:
        input: ``(N, C, *)`` with more than one spatial element.
        running_mean, running_var: ``(C,)`` tensors or None.
        weight, bias: ``(C,)`` affine parameters or None.
        use_input_stats: normalize with each instance's statistics. Default: True.
        momentum: the running-average factor. Default: 0.1.
        eps: added to the variance. Default: 1e-5.

    Example::

        >>> F.instance_norm(ag.tensor([[[1.0, 3.0], [2.0, 2.5]]]), eps=0.0).tolist()
        [[[-1.0, 1.0], [-1.0, 1.0]]]
    """
    count = 1
    for s in input.shape[2:]:
        count *= s
    if use_input_stats and count == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size "
                         f"{list(input.shape)}")
    c = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        if t is not None and tuple(t.shape) != (c,):
            raise RuntimeError(f"instance_norm: {name} should contain {c} elements (input channels), got "
                               f"shape {tuple(t.shape)}")
    shape = _channel_shape(input)
    if use_input_stats:
        y, mean, var = _normalize(input, tuple(range(2, input.ndim)), eps)
        if running_mean is not None and running_var is not None:
            with no_grad():
                n = input.shape[0]
                running_mean.mul_(1 - momentum).add_(mean.detach().reshape(n, c).mean(0) * momentum)
                unbiased = var.detach().reshape(n, c).mean(0) * (count / (count - 1))
                running_var.mul_(1 - momentum).add_(unbiased * momentum)
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError("Expected running_mean and running_var to be defined when use_input_stats "
                               "is false")
        y = (input - running_mean.reshape(shape)) * (running_var.reshape(shape) + eps).rsqrt()
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Local response normalization across channels (AlexNet's).

    ``b_c = a_c / (k + alpha / size * sum_{c'} a_{c'}^2) ** beta``, the sum over the
    ``size`` channels from ``c - size // 2`` to ``c + (size - 1) // 2`` (zero outside).

    Args:
        input: ``(N, C, *)``, at least 3 dimensions.
        size: number of neighbouring channels summed.
        alpha, beta, k: the multiplicative factor, the exponent and the additive constant.

    Example::

        >>> F.local_response_norm(ag.ones(1, 2, 1), 2, alpha=1.0, beta=1.0).flatten().tolist()
        [0.6666666865348816, 0.5]
    """
    if input.ndim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {input.ndim} dimensions)")
    if input.numel() == 0:
        return input
    c = input.shape[1]
    # a zero-padded window sum along the channels, as PyTorch's avg_pool over a padded copy
    sq = pad(input * input, (0, 0) * (input.ndim - 2) + (size // 2, (size - 1) // 2))
    div = sq.narrow(1, 0, c)
    for i in range(1, size):
        div = div + sq.narrow(1, i, c)
    return input / (div * (alpha / size) + k) ** beta
