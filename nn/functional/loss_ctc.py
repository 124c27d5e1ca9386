"""nn.functional: the connectionist temporal classification loss (its primitive is
``autograd/ops/ctc.py``); argument checks, ``zero_infinity`` and the reduction, as ATen's ``ctc_loss``."""

from __future__ import annotations

import operator

import autograd as ag
from autograd import Tensor, backend
from autograd.ops.ctc import CTCLoss
from autograd.ops.math_more import torch_name

from .loss import _reduction_arg

__all__ = ["ctc_loss"]

_WHERE = " (while checking arguments for ctc_loss_allocate_outputs)"


def _lengths(value, name):
    """``input_lengths`` / ``target_lengths`` as a tuple of ints (a Tensor's values are read to the host)."""
    if isinstance(value, Tensor):
        if value.dtype.kind not in "iu":
            raise RuntimeError(f"{name} must be integral")
        return tuple(int(v) for v in value.reshape(-1).tolist())
    if isinstance(value, (tuple, list)):
        try:  # Python or NumPy integers (anything with __index__), not bools
            if not any(isinstance(v, bool) for v in value):
                return tuple(operator.index(v) for v in value)
        except TypeError:
            pass
    got = type(value).__name__
    if isinstance(value, (tuple, list)):
        got += f" of ({', '.join(type(v).__name__ for v in value)})"
    raise TypeError(f"ctc_loss(): {name} must be a tuple or list of ints or an integer Tensor, got {got}")


def ctc_loss(
    log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False
):
    """The connectionist temporal classification loss (Graves et al., 2006).

    The negative log-likelihood of each target sequence summed over all of its alignments to
    the input frames (repeats merged, blanks dropped).

    Args:
        log_probs: ``(T, N, C)`` or unbatched ``(T, C)`` log-probabilities (e.g. ``log_softmax``
            over the classes), float32 or float64.
        targets: padded ``(N, S)`` labels, or the ``(sum(target_lengths),)`` labels of all samples
            concatenated; never ``blank``.
        input_lengths: ``(N,)`` frames of each sample (at most ``T``): a tuple, list or Tensor of ints.
        target_lengths: ``(N,)`` labels of each sample (at most ``S`` when padded).
        blank: the blank label. Default: 0.
        reduction: ``'none'``, ``'mean'`` (each loss divided by its target length, at least 1,
            then averaged over the batch) or ``'sum'``. Default: ``'mean'``.
        zero_infinity: give impossible alignments (an infinite loss) loss and gradient 0.

    Shape:
        Output: a scalar, or ``(N,)`` (``()`` unbatched) with ``reduction='none'``.

    Example::

        >>> log_probs = ag.tensor([[[0.1, 0.9]], [[0.8, 0.2]]]).log()
        >>> F.ctc_loss(log_probs, ag.tensor([[1]]), (2,), (1,), reduction="sum")
        tensor(0.0834)
    """
    reduction = _reduction_arg(None, None, reduction)
    if isinstance(input_lengths, Tensor) != isinstance(target_lengths, Tensor):
        raise TypeError(
            "ctc_loss(): input_lengths and target_lengths must both be Tensors or both be "
            f"tuples of ints, got {type(input_lengths).__name__} and {type(target_lengths).__name__}"
        )
    input_lengths = _lengths(input_lengths, "input_lengths")
    target_lengths = _lengths(target_lengths, "target_lengths")
    batched = log_probs.ndim == 3
    lp = log_probs if batched or log_probs.ndim != 2 else log_probs.unsqueeze(1)
    if lp.dtype not in (backend.float32, backend.float64):
        raise NotImplementedError(f"\"ctc_loss_cpu\" not implemented for '{torch_name(lp.dtype)}'")
    if lp.numel() == 0:
        raise RuntimeError("log_probs tensor must not be empty")
    if lp.ndim != 3:
        raise RuntimeError(
            f"Expected 3-dimensional tensor, but got {lp.ndim}-dimensional tensor for "
            f"argument #1 'log_probs'{_WHERE}"
        )
    if not 1 <= targets.ndim <= 2:
        raise RuntimeError(
            f"Expected 1 to 2 dimensions, but got {targets.ndim}-dimensional tensor for "
            f"argument #2 'targets'{_WHERE}"
        )
    num_t, num_n, num_c = lp.shape
    if not 0 <= blank < num_c:
        raise RuntimeError(f"blank must be in label range: got blank={blank} for {num_c} classes")
    for name, lengths in (("input_lengths", input_lengths), ("target_lengths", target_lengths)):
        if len(lengths) != num_n:
            raise RuntimeError(
                f"{name} must be of size batch_size: got {len(lengths)} lengths for a batch of {num_n}"
            )
    for n in target_lengths:
        if n < 0:
            raise RuntimeError(f"Expected target_lengths to have value at least 0, but got value {n}{_WHERE}")
    if targets.ndim == 1:
        if targets.shape[0] != sum(target_lengths):
            raise RuntimeError(
                f"Expected tensor to have size {sum(target_lengths)} at dimension 0, but got size "
                f"{targets.shape[0]} for argument #2 'targets'{_WHERE}"
            )
    else:
        if targets.shape[0] != num_n:
            raise RuntimeError(
                f"Expected tensor to have size {num_n} at dimension 0, but got size "
                f"{targets.shape[0]} for argument #2 'targets'{_WHERE}"
            )
        if targets.shape[1] < max(target_lengths, default=0):
            raise RuntimeError(
                f"Expected tensor to have size at least {max(target_lengths)} at dimension 1, but "
                f"got size {targets.shape[1]} for argument #2 'targets'{_WHERE}"
            )
    for n in input_lengths:
        if n < 0:
            raise RuntimeError(f"Expected input_lengths to have value at least 0, but got value {n}{_WHERE}")
        if n > num_t:
            raise RuntimeError(
                f"Expected input_lengths to have value at most {num_t}, but got value {n}{_WHERE}"
            )
    targets = targets.detach().to(device=lp.device, dtype=backend.int64)
    _check_labels(targets, target_lengths, num_c)
    res = CTCLoss.apply(lp, targets, input_lengths, target_lengths, blank, bool(zero_infinity))
    if zero_infinity:
        res = ag.where(res == float("inf"), ag.zeros((), dtype=res.dtype, device=res.device), res)
    if reduction == "mean":
        clamped = ag.tensor([max(n, 1) for n in target_lengths], dtype=res.dtype, device=res.device)
        return (res / clamped).mean()
    if reduction == "sum":
        return res.sum()
    return res if batched else res.squeeze(0)


def _check_labels(targets, target_lengths, num_classes):
    """Each sample's labels (its first ``target_length``) lie in ``[0, C)`` (PyTorch reads out of bounds)."""
    if targets.ndim == 1:
        labels = targets
    else:
        width = targets.shape[1]
        keep = ag.arange(width, device=targets.device).unsqueeze(0) < ag.tensor(
            target_lengths, device=targets.device
        ).unsqueeze(1)
        labels = targets[keep]
    if labels.numel() and (int(labels.min()) < 0 or int(labels.max()) >= num_classes):
        raise IndexError(
            f"ctc_loss(): targets must be class indices in [0, {num_classes}), got labels from "
            f"{int(labels.min())} to {int(labels.max())}"
        )
