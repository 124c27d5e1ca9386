"""``nn.AdaptiveLogSoftmaxWithLoss``: the adaptive softmax of Grave et al. (2016), as PyTorch's."""
from __future__ import annotations

from collections import namedtuple

import autograd as ag

from .. import functional as F
from .container import ModuleList, Sequential
from .linear import Linear
from .module import Module

__all__ = ["AdaptiveLogSoftmaxWithLoss"]

_ASMoutput = namedtuple("_ASMoutput", ["output", "loss"])


class AdaptiveLogSoftmaxWithLoss(Module):
    """Efficient softmax approximation for large output spaces (`Grave et al., 2016
    <https://arxiv.org/abs/1609.04309>`__), as ``torch.nn.AdaptiveLogSoftmaxWithLoss``.

    The classes are split by ``cutoffs`` into a shortlist, predicted by the ``head``
    together with one logit per cluster, and clusters, each predicted by a low-rank
    ``tail`` projection (its hidden size divided by ``div_value`` per cluster).

    Args:
        in_features (int): number of features of the input.
        n_classes (int): number of classes.
        cutoffs (Sequence[int]): increasing cutoffs in ``[1, n_classes - 1]``.
        div_value (float): the divisor of the clusters' hidden sizes. Default: 4.0.
        head_bias (bool): add a bias to the head. Default: False.

    Returns:
        ``_ASMoutput(output, loss)``: each target's log-probability ``(N,)`` and the mean
        negative log-likelihood.

    Shape:
        - input: ``(N, in_features)`` or ``(in_features,)``; target: ``(N,)`` or ``()``.

    Example::

        >>> asm = nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4, 8])
        >>> out = asm(ag.randn(3, 8), ag.tensor([0, 5, 9]))
        >>> tuple(out.output.shape), tuple(out.loss.shape)
        ((3,), ())
    """

    def __init__(self, in_features, n_classes, cutoffs, div_value=4.0, head_bias=False, device=None,
                 dtype=None):
        super().__init__()
        cutoffs = list(cutoffs)
        if len(cutoffs) == 0:
            raise ValueError("cutoffs should be a sequence of length larger than 0")
        if (cutoffs != sorted(cutoffs) or min(cutoffs) <= 0 or max(cutoffs) > n_classes - 1
                or len(set(cutoffs)) != len(cutoffs) or any(int(c) != c for c in cutoffs)):
            raise ValueError("cutoffs should be a sequence of unique, positive integers sorted in an "
                             "increasing order, where each value is between 1 and n_classes-1")
        self.in_features = in_features
        self.n_classes = n_classes
        self.cutoffs = cutoffs + [n_classes]
        self.div_value = div_value
        self.head_bias = head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        self.head = Linear(in_features, self.head_size, bias=head_bias, device=device, dtype=dtype)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hsz = int(in_features // (div_value ** (i + 1)))
            osz = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(Sequential(Linear(in_features, hsz, bias=False, device=device, dtype=dtype),
                                        Linear(hsz, osz, bias=False, device=device, dtype=dtype)))

    def reset_parameters(self):
        self.head.reset_parameters()
        for i2h, h2o in self.tail:
            i2h.reset_parameters()
            h2o.reset_parameters()

    def forward(self, input_, target_):
        if target_.dim() == 1:
            if input_.shape[0] != target_.shape[0]:
                raise RuntimeError("Input and target should have the same size in the batch dimension.")
            if input_.dim() != 2:
                raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with size "
                                   f"{tuple(input_.shape)}")
        elif target_.dim() == 0:
            if input_.dim() != 1:
                raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with size "
                                   f"{tuple(input_.shape)}")
        else:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        batched = target_.dim() > 0
        input = input_ if batched else input_.unsqueeze(0)
        target = (target_ if batched else target_.unsqueeze(0)).long()
        rows, pieces = [], []
        gather_inds = target
        bounds = [0] + self.cutoffs
        for i in range(1, len(bounds) - 1):  # the clusters: each row's log-probability within its cluster
            mask = (target >= bounds[i]) & (target < bounds[i + 1])
            idx = mask.nonzero().reshape(-1)
            gather_inds = ag.where(mask, self.shortlist_size + i - 1, gather_inds)
            if idx.numel() == 0:
                continue
            logprob = F.log_softmax(self.tail[i - 1](input.index_select(0, idx)), dim=1)
            rows.append(idx)
            local = (target.index_select(0, idx) - bounds[i]).unsqueeze(1)
            pieces.append(logprob.gather(1, local).squeeze(1))
        bad = (target < 0) | (target >= self.n_classes)
        if bool(bad.any()):
            raise RuntimeError(f"Target values should be in [0, {self.n_classes - 1}], but values in range "
                               f"[{int(target.min())}, {int(target.max())}] were found. ")
        head_logprob = F.log_softmax(self.head(input), dim=1)
        output = head_logprob.gather(1, gather_inds.unsqueeze(1)).squeeze(1)
        if pieces:  # the shortlist's rows add 0; each cluster row its within-cluster log-probability
            short = (target < self.shortlist_size).nonzero().reshape(-1)
            rows.append(short)
            pieces.append(ag.zeros(short.numel(), dtype=output.dtype, device=output.device))
            order = ag.cat(rows).argsort()
            output = output + ag.cat(pieces)[order]
        loss = (-output).mean()
        return _ASMoutput(output if batched else output.squeeze(0), loss)

    def _get_full_log_prob(self, input, head_output):
        """The log-probabilities of all classes, from the input and the head's output."""
        head_logprob = F.log_softmax(head_output, dim=1)
        parts = [head_logprob[:, :self.shortlist_size]]
        for i in range(self.n_clusters):
            cluster_logprob = F.log_softmax(self.tail[i](input), dim=1)
            parts.append(cluster_logprob + head_logprob[:, self.shortlist_size + i].unsqueeze(1))
        return ag.cat(parts, dim=1)

    def log_prob(self, input):
        """Log-probabilities of every class: ``(N, n_classes)`` for input ``(N, in_features)``."""
        return self._get_full_log_prob(input, self.head(input))

    def predict(self, input):
        """The most likely class of each row (``argmax`` of :meth:`log_prob`, computed only for rows
        whose head prediction is a cluster)."""
        head_output = self.head(input)
        output = head_output.argmax(dim=1)
        not_in_shortlist = output >= self.shortlist_size
        if not bool(not_in_shortlist.any()):
            return output
        if bool(not_in_shortlist.all()):
            return self._get_full_log_prob(input, head_output).argmax(dim=1)
        log_prob = self._get_full_log_prob(input[not_in_shortlist], head_output[not_in_shortlist])
        output[not_in_shortlist] = log_prob.argmax(dim=1)
        return output
