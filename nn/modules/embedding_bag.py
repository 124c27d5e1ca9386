"""``EmbeddingBag``: sums, means or maxima of bags of embeddings."""
from __future__ import annotations

import autograd as ag

from .. import functional as F
from ..parameter import Parameter
from .module import Module
from .sparse import Embedding

__all__ = ["EmbeddingBag"]


class EmbeddingBag(Module):
    """A table of ``num_embeddings`` vectors whose bags of lookups are reduced by ``mode``.

    Args:
        num_embeddings, embedding_dim: size of the table.
        max_norm, norm_type, scale_grad_by_freq, sparse: as :class:`Embedding`.
        mode: ``'sum'``, ``'mean'`` (default) or ``'max'``.
        include_last_offset: ``offsets`` ends with the input's length.
        padding_idx: this row is initialised to zeros and left out of every bag.

    ``forward(input, offsets=None, per_sample_weights=None)``: see
    :func:`nn.functional.embedding_bag`. ``weight`` is initialised from N(0, 1).

    Example::

        >>> bag = nn.EmbeddingBag(10, 3, mode="sum")
        >>> bag(ag.tensor([1, 2, 4, 5]), ag.tensor([0, 2])).shape
        (2, 3)
    """

    def __init__(self, num_embeddings, embedding_dim, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, mode="mean", sparse=False, _weight=None,
                 include_last_offset=False, padding_idx=None, device=None, dtype=None):
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise AssertionError("padding_idx must be within num_embeddings")
            padding_idx = padding_idx % num_embeddings
        self.padding_idx = padding_idx
        if _weight is None:
            self.weight = Parameter(ag.empty(num_embeddings, embedding_dim, device=device, dtype=dtype))
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise AssertionError("Shape of weight does not match num_embeddings and embedding_dim")
            self.weight = Parameter(_weight)
        self.mode, self.include_last_offset = mode, include_last_offset

    reset_parameters = Embedding.reset_parameters
    _fill_padding_idx_with_zero = Embedding._fill_padding_idx_with_zero

    def forward(self, input, offsets=None, per_sample_weights=None):
        return F.embedding_bag(input, self.weight, offsets, self.max_norm, self.norm_type,
                               self.scale_grad_by_freq, self.mode, self.sparse, per_sample_weights,
                               self.include_last_offset, self.padding_idx)

    def extra_repr(self):
        optional = [f"{k}={getattr(self, k)}" for k, default in
                    (("max_norm", None), ("norm_type", 2), ("scale_grad_by_freq", False))
                    if getattr(self, k) != default]
        pad = [] if self.padding_idx is None else [f"padding_idx={self.padding_idx}"]
        return ", ".join([f"{self.num_embeddings}, {self.embedding_dim}", *optional,
                          f"mode={self.mode!r}", *pad])

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, max_norm=None, norm_type=2.0,
                        scale_grad_by_freq=False, mode="mean", sparse=False, include_last_offset=False,
                        padding_idx=None):
        """An ``EmbeddingBag`` holding ``embeddings`` (2-D); ``freeze`` stops its gradient."""
        if embeddings.ndim != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, cols = embeddings.shape
        bag = cls(rows, cols, max_norm, norm_type, scale_grad_by_freq, mode, sparse, embeddings,
                  include_last_offset, padding_idx)
        bag.weight.requires_grad = not freeze
        return bag
