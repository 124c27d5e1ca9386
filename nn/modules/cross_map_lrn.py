"""``nn.CrossMapLRN2d``: Lua Torch's cross-channel local response normalization, as PyTorch's."""
from __future__ import annotations

import autograd as ag

from .module import Module

__all__ = ["CrossMapLRN2d"]


def _window_matrix(channels, size):
    """0/1 ``(C, C)`` matrix: row ``c`` marks the channels whose squares make channel ``c``'s scale.

    It replays PyTorch's running-sum recurrence exactly (a window reaching ``(size - 1) // 2 + 1``
    channels ahead, from which channel 0 is never subtracted), so values equal PyTorch's."""
    pre_pad = int((size - 1) / 2 + 1)
    rows = [[1 if j < min(pre_pad, channels) else 0 for j in range(channels)]]
    for c in range(1, channels):
        row = list(rows[-1])
        if c < channels - pre_pad + 1:
            row[c + pre_pad - 1] += 1
        if c > pre_pad:
            row[c - pre_pad] -= 1
        rows.append(row)
    return rows


class CrossMapLRN2d(Module):
    """Local response normalization across channels of a 4D input, as ``torch.nn.CrossMapLRN2d``.

    ``b_c = a_c * (k + alpha / size * sum_{c' in W(c)} a_{c'}^2) ** -beta`` with PyTorch's
    (legacy) running windows ``W(c)``, so the values equal PyTorch's. The gradient is the
    exact gradient of these values (PyTorch's hand-written backward assumes centred windows
    and differs from it where the windows are clipped unevenly).

    Args:
        size (int): the number of channels in a window.
        alpha (float): the multiplicative factor. Default: 1e-4.
        beta (float): the exponent. Default: 0.75.
        k (float): the additive constant. Default: 1.

    Shape:
        - Input: ``(N, C, H, W)``; output: the same.

    Example::

        >>> nn.CrossMapLRN2d(3)(ag.ones(1, 4, 2, 2)).shape
        (1, 4, 2, 2)
    """

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1):
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input):
        if input.dim() != 4:
            raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.dim()}D instead.")
        window = ag.tensor(_window_matrix(input.shape[1], self.size), dtype=input.dtype, device=input.device)
        # a (C, C) matrix product over the channels: the windows are not all alike, so no pooling op fits
        scale = ag.einsum("cd,ndhw->nchw", window, input * input) * (self.alpha / self.size) + self.k
        return input * scale ** -self.beta

    def extra_repr(self):
        return "{size}, alpha={alpha}, beta={beta}, k={k}".format(**self.__dict__)
