"""nn.functional: loss functions, with PyTorch's reductions and weighting rules.

``reduction`` is ``'mean'`` (default), ``'sum'`` or ``'none'``; the legacy
``size_average``/``reduce`` arguments are honoured as in PyTorch. Cross-entropy
is ``log_softmax`` (the engine's stable fused op) followed by an NLL primitive
that gathers the target log-probabilities; its gradient is a scatter whose own
gradient is the gather again, so double backward works.
"""
from __future__ import annotations

import warnings

import autograd as ag
from autograd import Tensor, backend
from autograd.function import check_same_device
from autograd.ops.loss import BCEWithLogits, BinaryCrossEntropy, NLLGather, NllLoss


def _reduction_arg(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "mean" if size_average and reduce else ("sum" if reduce else "none")
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce(loss, reduction, weight=None):
    """Apply ``reduction``; with elementwise ``weight``, 'mean' is the weighted mean (PyTorch)."""
    if weight is not None:
        loss = loss * weight
        if reduction == "mean":
            return loss.sum() / weight.sum()
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _check_same_size(input, target, name):
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(f"Using a target size ({tuple(target.shape)}) that is different to the input size "
                      f"({tuple(input.shape)}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", stacklevel=3)


def _check_weight(input, weight, name):
    if weight is not None and tuple(weight.shape) != tuple(input.shape):
        raise ValueError(f"{name}: Weights and input must have the same size.")


# ---------------------------------------------------------------- regression losses
def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error :math:`(x - y)^2`, reduced."""
    reduction = _reduction_arg(size_average, reduce, reduction)
    _check_same_size(input, target, "mse_loss")
    _check_weight(input, weight, "mse_loss")
    d = input - target
    return _reduce(d * d, reduction, weight)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error :math:`|x - y|`, reduced."""
    reduction = _reduction_arg(size_average, reduce, reduction)
    _check_same_size(input, target, "l1_loss")
    _check_weight(input, weight, "l1_loss")
    return _reduce(ag.abs(input - target), reduction, weight)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """:math:`0.5 d^2 / \\beta` where :math:`|d| < \\beta`, else :math:`|d| - 0.5 \\beta` (``d = x - y``)."""
    reduction = _reduction_arg(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    _check_same_size(input, target, "smooth_l1_loss")
    d = input - target
    ad = ag.abs(d)
    if beta == 0:
        return _reduce(ad, reduction)
    quad, dq = _quadratic_part(d, ad, beta)
    return _reduce(ag.where(quad, (0.5 / beta) * (dq * dq), ad - 0.5 * beta), reduction)


def _quadratic_part(d, ad, bound):
    """Where smooth L1 / Huber is quadratic (``not |d| >= bound``: NaN too, whose gradient is NaN as
    PyTorch's), and ``d`` there (0 elsewhere, so that an infinite ``d`` gives the linear part's
    gradient +-1, not ``0 * inf``)."""
    quad = ~(ad >= bound)
    return quad, ag.where(quad, d, 0.0)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """:math:`0.5 d^2` where :math:`|d| < \\delta`, else :math:`\\delta (|d| - 0.5 \\delta)`."""
    reduction = _reduction_arg(None, None, reduction)
    if not delta > 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    _check_same_size(input, target, "huber_loss")
    _check_weight(input, weight, "huber_loss")
    d = input - target
    ad = ag.abs(d)
    quad, dq = _quadratic_part(d, ad, delta)
    return _reduce(ag.where(quad, 0.5 * (dq * dq), delta * (ad - 0.5 * delta)), reduction, weight)


# ---------------------------------------------------------------- NLL and cross-entropy
def _nll_terms(input, target, weight, ignore_index, name, reduction="none"):
    """Unreduced NLL of log-probabilities ``input`` (class dim 1), the total weight, the ignore mask,
    and whether the first is already reduced; the total and the mask are None when no weight is given
    and no target is ignored. Then a ``'mean'`` or ``'sum'`` ``reduction`` is done in the same node
    (:class:`NllLoss`) and the last is True.

    ``input``: ``(N, C, *)`` or ``(C,)``; ``target``: ``(N, *)`` or ``()`` class indices.
    """
    if not isinstance(target, Tensor) or target.dtype.kind not in "iu":
        what = target.dtype if isinstance(target, Tensor) else type(target).__name__
        raise RuntimeError(f"{name}: expected target of an integer dtype (class indices), but got {what}")
    if input.ndim < 1:
        raise ValueError(f"{name}: input must have at least 1 dimension (classes), got a 0-d tensor")
    unbatched = input.ndim == 1
    if unbatched:
        if target.ndim > 1:
            raise RuntimeError(f"{name}: 0D or 1D target tensor expected for an unbatched input of shape "
                               f"{tuple(input.shape)}, got target of shape {tuple(target.shape)}")
        if target.ndim == 1 and target.shape[0] != 1:
            raise ValueError(f"{name}: for an unbatched (1D) input of shape {tuple(input.shape)} the target "
                             f"must be 0-d or of size 1, got target of shape {tuple(target.shape)}")
        input, target = input.reshape(1, -1), target.reshape(1)
    if target.shape[:1] != input.shape[:1]:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
                         f"({target.shape[0] if target.ndim else 0}).")
    if tuple(target.shape) != tuple(input.shape[:1] + input.shape[2:]):
        raise RuntimeError(f"{name}: size mismatch (got input: {list(input.shape)}, "
                           f"target: {list(target.shape)})")
    num_classes = input.shape[1]
    if weight is not None and tuple(weight.shape) != (num_classes,):
        raise RuntimeError(f"weight tensor should be defined either for all {num_classes} classes or no "
                           f"classes but got weight tensor of shape: {list(weight.shape)}")
    check_same_device(name, input, target, weight)
    xp = input.device.xp
    t = target._data
    dev = input.device
    if weight is None and t.size and not 0 <= ignore_index < num_classes:  # the usual case, in one reduction:
        # read as unsigned, a negative target is above every class, as is an ignored one here
        if int(t.view(backend.UNSIGNED[t.dtype.itemsize]).max()) < num_classes:  # all in range, none ignored
            t64 = Tensor._make(t.astype(backend.int64, copy=False), dev)
            if reduction in ("mean", "sum"):
                return NllLoss.apply(input, t64, t.size if reduction == "mean" else 1), None, None, True
            losses = NLLGather.apply(input, t64, 1.0)
            return (losses.reshape(()) if unbatched else losses), None, None, False
    ignored = t == ignore_index
    bad = ~ignored & ((t < 0) | (t >= num_classes))
    if bool(bad.any()):
        first = int(t[bad].reshape(-1)[0])
        raise IndexError(f"{name}: Target {first} is out of bounds (expected class indices in "
                         f"[0, {num_classes - 1}] or ignore_index={ignore_index}).")
    safe = xp.where(ignored, 0, t).astype(backend.int64, copy=False)
    keep = ~ignored
    if weight is None:
        scale = keep.astype(input.dtype)
    else:
        w = weight._data.astype(input.dtype, copy=False)
        scale = xp.where(keep, w[safe], 0).astype(input.dtype, copy=False)
    losses = NLLGather.apply(input, Tensor._make(safe, dev), Tensor._make(scale, dev))
    total = Tensor._make(backend.as_array(scale.sum(), dev), dev)
    if unbatched:
        losses = losses.reshape(())
    return losses, total, Tensor._make(ignored, dev), False


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """Negative log likelihood of class indices given log-probabilities.

    Args:
        input (Tensor): log-probabilities, :math:`(N, C)`, :math:`(N, C, d_1, ...)` or :math:`(C)`.
        target (Tensor): class indices in :math:`[0, C)`, :math:`(N)`, :math:`(N, d_1, ...)` or :math:`()`.
        weight (Tensor, optional): a weight per class, shape :math:`(C)`.
        ignore_index (int): a target value that contributes neither loss nor weight.
        reduction (str): ``'mean'`` divides by the sum of the weights of the targets.
    """
    reduction = _reduction_arg(size_average, reduce, reduction)
    losses, total, _, reduced = _nll_terms(input, target, weight, ignore_index, "nll_loss", reduction)
    if reduced or reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    return _nll_mean(losses, total)


def _nll_mean(losses, total):
    """The 'mean' of :func:`_nll_terms`' losses: by the total weight, or plain when it is None."""
    return losses.mean() if total is None else losses.sum() / total


def _class_shape(input, class_dim):
    return tuple(input.shape[class_dim] if i == class_dim else 1 for i in range(input.ndim))


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """Cross-entropy of logits ``input`` against class indices or class probabilities ``target``.

    Args:
        input (Tensor): unnormalised logits, :math:`(N, C)`, :math:`(N, C, d_1, ...)` or :math:`(C)`.
        target (Tensor): class indices (integer, shape of ``input`` without the class dim) or
            class probabilities (floating, the shape of ``input``).
        weight (Tensor, optional): a weight per class, shape :math:`(C)`.
        ignore_index (int): a target index that is ignored (class-index targets only).
        reduction (str): ``'mean'`` | ``'sum'`` | ``'none'``. With class indices, ``'mean'``
            divides by the summed weights of the non-ignored targets; with probabilities, by
            the number of samples (:math:`N \\cdot d_1 \\cdots`).
        label_smoothing (float): in ``[0, 1]``; mixes the target with the uniform distribution.

    Example::

        >>> logits = ag.tensor([[2.0, 0.0, -1.0]])
        >>> round(F.cross_entropy(logits, ag.tensor([0])).item(), 4)
        0.1698
    """
    reduction = _reduction_arg(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    class_dim = 0 if input.ndim == 1 else 1
    num_classes = input.shape[class_dim]
    logp = ag.log_softmax(input, class_dim)
    if isinstance(target, Tensor) and target.dtype.kind == "f":
        if ignore_index != -100:
            raise RuntimeError("ignore_index is not supported for floating point target")
        return _cross_entropy_probs(logp, target, weight, reduction, label_smoothing, class_dim)
    losses, total, ignored, reduced = _nll_terms(logp, target, weight, ignore_index, "cross_entropy",
                                                 reduction)
    if reduced or reduction == "none":
        nll = losses
    elif reduction == "sum":
        nll = losses.sum()
    else:
        nll = _nll_mean(losses, total)
    if label_smoothing <= 0.0:
        return nll
    if weight is not None:
        smooth = -(logp * weight.reshape(_class_shape(logp, class_dim))).sum(class_dim)
    else:
        smooth = -logp.sum(class_dim)
    if ignored is not None:
        smooth = ag.where(ignored.reshape(smooth.shape), 0.0, smooth)
    if reduction == "mean":
        if weight is not None:
            smooth = smooth.sum() / total
        elif ignored is None:
            smooth = smooth.mean()
        else:
            smooth = smooth.sum() / (~ignored).sum().to(logp.dtype)
    elif reduction == "sum":
        smooth = smooth.sum()
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / num_classes)


def _cross_entropy_probs(logp, target, weight, reduction, label_smoothing, class_dim):
    if tuple(target.shape) != tuple(logp.shape):
        raise RuntimeError(f"cross_entropy: probability targets must have the shape of the input "
                           f"{tuple(logp.shape)}, got {tuple(target.shape)}")
    num_classes = logp.shape[class_dim]
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + label_smoothing / num_classes
    prod = logp * target
    if weight is not None:
        if tuple(weight.shape) != (num_classes,):
            raise RuntimeError(f"weight tensor should be defined either for all {num_classes} classes or no "
                               f"classes but got weight tensor of shape: {list(weight.shape)}")
        prod = prod * weight.reshape(_class_shape(logp, class_dim))
    if reduction == "mean":
        return -prod.sum() / (logp.numel() // num_classes)
    if reduction == "sum":
        return -prod.sum()
    return -prod.sum(class_dim)


# ---------------------------------------------------------------- binary losses
def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """Binary cross-entropy of probabilities ``input`` (in [0, 1]) and targets of the same shape.

    Log terms are clamped to be >= -100, so ``input`` of exactly 0 or 1 gives a finite loss.
    """
    reduction = _reduction_arg(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Using a target size ({tuple(target.shape)}) that is different to the input size "
                         f"({tuple(input.shape)}) is deprecated. Please ensure they have the same size.")
    data = input._data
    if bool(((data < 0) | (data > 1)).any()):
        raise RuntimeError("all elements of input should be between 0 and 1")
    t = target._data
    if not bool(((t >= 0) & (t <= 1)).all()):  # NaN included, as PyTorch
        raise RuntimeError("all elements of target should be between 0 and 1")
    if target.dtype != input.dtype:
        target = target.to(input.dtype)
    loss = BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        loss = loss * weight
        if loss.dtype != input.dtype:  # PyTorch weighs in place: the loss keeps the input's dtype
            loss = loss.to(input.dtype)
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """Sigmoid + binary cross-entropy in one numerically stable op.

    Args:
        weight (Tensor, optional): broadcast multiplier of each element's loss.
        pos_weight (Tensor, optional): weight of the positive term, broadcast along the
            last (class) dimension.
    """
    reduction = _reduction_arg(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({tuple(target.shape)}) must be the same as input size "
                         f"({tuple(input.shape)})")
    # PyTorch builds the loss in place on (1 - target): it has the target's (floating) dtype
    out_dtype = target.dtype if target.dtype.kind == "f" else input.dtype
    if target.dtype != input.dtype:
        common = ag.promote_types(input.dtype, out_dtype)
        input, target = input.to(common), target.to(common)
    loss = BCEWithLogits.apply(input, target, pos_weight)
    if weight is not None:
        loss = loss * weight
    if loss.dtype != out_dtype:
        loss = loss.to(out_dtype)
    return _reduce(loss, reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Kullback-Leibler divergence :math:`y (\\log y - x)` of log-probabilities ``input``.

    Args:
        reduction (str): ``'batchmean'`` (the mathematically correct mean: sum / batch size),
            ``'mean'`` (over all elements), ``'sum'`` or ``'none'``.
        log_target (bool): ``target`` holds log-probabilities.
    """
    if reduction == "batchmean":
        if size_average is not None or reduce is not None:
            reduction = _reduction_arg(size_average, reduce, "mean")
    else:
        reduction = _reduction_arg(size_average, reduce, reduction)
        if reduction == "mean":
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support "
                          "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
                          "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
                          "major release.", stacklevel=2)
    if log_target:
        loss = ag.exp(target) * (target - input)
    else:
        loss = ag.xlogy(target, target) - target * input  # PyTorch's: NaN for a negative target
    if reduction == "batchmean":
        return loss.sum() / input.shape[0] if input.ndim else loss.sum()
    return _reduce(loss, reduction)


__all__ = [
    "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "nll_loss", "cross_entropy",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
]
