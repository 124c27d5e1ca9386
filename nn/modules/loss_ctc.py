"""The connectionist temporal classification loss module (see ``F.ctc_loss``)."""

from __future__ import annotations

from .. import functional as F
from .loss import _Loss

__all__ = ["CTCLoss"]


class CTCLoss(_Loss):
    """The connectionist temporal classification loss (see ``F.ctc_loss``).

    Args:
        blank: the blank label. Default: 0.
        reduction: ``'none'``, ``'mean'`` (each loss divided by its target length, then averaged over
            the batch) or ``'sum'``. Default: ``'mean'``.
        zero_infinity: give impossible alignments loss and gradient 0. Default: False.

    Shape:
        - Log_probs: ``(T, N, C)`` or ``(T, C)``; Targets: ``(N, S)`` or ``(sum(target_lengths),)``;
        - Input_lengths, Target_lengths: ``(N,)`` (tuples, lists or integer Tensors);
        - Output: a scalar, or ``(N,)`` / ``()`` with ``reduction='none'``.

    Example::

        >>> ctc = nn.CTCLoss()
        >>> log_probs = ag.randn(6, 2, 4).log_softmax(2).requires_grad_()
        >>> loss = ctc(log_probs, ag.tensor([[1, 2], [3, 3]]), (6, 5), (2, 2))
        >>> loss.backward()
    """

    def __init__(self, blank=0, reduction="mean", zero_infinity=False):
        super().__init__(reduction=reduction)
        self.blank = blank
        self.zero_infinity = zero_infinity

    def forward(self, log_probs, targets, input_lengths, target_lengths):
        return F.ctc_loss(
            log_probs, targets, input_lengths, target_lengths, self.blank, self.reduction, self.zero_infinity
        )
