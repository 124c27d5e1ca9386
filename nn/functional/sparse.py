"""nn.functional: embedding lookup."""
from __future__ import annotations

from autograd import Tensor
from autograd.function import check_same_device
from autograd.grad_mode import no_grad
from autograd.ops.elementwise import where
from autograd.ops.reduce import vector_norm

__all__ = ["embedding"]


def _renorm_(weight, input, max_norm, norm_type):
    """Rescale, in place, the looked-up rows whose norm exceeds ``max_norm`` (embedding_renorm_)."""
    xp = weight.device.xp
    rows = xp.unique(input._data.reshape(-1))
    w = weight._data[rows]
    norms = vector_norm(Tensor._make(w, weight.device), float(norm_type), 1, True)._data
    scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0).astype(w.dtype)
    weight._data[rows] = w * scale
    weight._bump()


def _scale_grad_by_freq(rows, input):
    """Divide the gradient reaching ``rows`` (``weight[input]``) by each index's count in ``input``."""
    xp = input.device.xp
    _, inverse, counts = xp.unique(input._data.reshape(-1), return_inverse=True, return_counts=True)
    inv = (1.0 / counts.astype(rows.dtype))[inverse.reshape(-1)].reshape(tuple(input.shape) + (1,))
    inv = Tensor._make(inv.astype(rows.dtype, copy=False), rows.device)
    rows.register_hook(lambda grad: grad * inv)
    return rows.view(rows.shape)  # the hook stays on the lookup, not on what the caller gets


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Look up rows of ``weight`` by index.

    Args:
        input: integer tensor of any shape (indices into the rows of ``weight``).
        weight: ``(num_embeddings, embedding_dim)``.
        padding_idx: the row at this index receives no gradient.
        max_norm: rows looked up with a larger ``norm_type``-norm are rescaled, in
            place, to this norm before the lookup.
        scale_grad_by_freq: divide each row's gradient by the number of times its index
            occurs in ``input``.

    Shape:
        Output: ``(*input.shape, embedding_dim)``.

    Example::

        >>> w = ag.arange(6.0).reshape(3, 2)
        >>> F.embedding(ag.tensor([2, 0]), w)
        tensor([[4., 5.],
                [0., 1.]])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"embedding: the indices (input) must be a Tensor, not {type(input).__name__}")
    if input.dtype.kind not in "iu":
        raise RuntimeError("embedding: expected the indices (input) to be an integer tensor (int64 or "
                           f"int32), got {input.dtype}")
    if weight.ndim != 2:
        raise RuntimeError(f"embedding: weight must be 2-D (num_embeddings, embedding_dim), got shape "
                           f"{tuple(weight.shape)}")
    check_same_device("embedding", input, weight)
    num = weight.shape[0]
    if input.numel():
        xp = input.device.xp
        lo, hi = int(xp.min(input._data)), int(xp.max(input._data))
        if lo < 0 or hi >= num:
            bad = lo if lo < 0 else hi
            raise IndexError(f"embedding: index {bad} is out of range for {num} embeddings")
    if padding_idx is not None:
        if not -num <= padding_idx < num:
            raise ValueError(f"embedding: padding_idx {padding_idx} must be within num_embeddings ({num})")
        padding_idx = padding_idx % num
    if max_norm is not None:
        with no_grad():
            _renorm_(weight, input, max_norm, norm_type)
    out = weight[input]
    if scale_grad_by_freq and out.requires_grad:
        out = _scale_grad_by_freq(out, input)
    if padding_idx is not None and out.requires_grad:
        # same values; lookups of the padding row pass no gradient to it
        keep = (input != padding_idx).unsqueeze(-1)
        out = where(keep, out, out.detach())
    return out
