"""``nn.utils.rnn``: padded and packed batches of variable-length sequences, as ``torch.nn.utils.rnn``.

Packing and unpacking are each one ``index_select`` (differentiable) with an
index computed from the lengths on the host; ``batch_sizes`` is an int64 CPU
tensor, as PyTorch's.
"""
from __future__ import annotations

from collections import namedtuple

import autograd as ag
from autograd import Tensor

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence",
           "pad_sequence", "unpad_sequence", "pack_sequence", "unpack_sequence"]


def invert_permutation(permutation):
    """The inverse of an index permutation (None for None)."""
    if permutation is None:
        return None
    order = permutation.tolist()
    inverse = [0] * len(order)
    for i, p in enumerate(order):
        inverse[p] = i
    return ag.tensor(inverse, dtype=ag.int64, device=permutation.device)


_Fields = namedtuple("PackedSequence", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])


class PackedSequence(_Fields):
    """A packed batch of variable-length sequences (made by :func:`pack_padded_sequence`).

    Attributes:
        data: the steps of every sequence, time-major: ``(sum of lengths, *)``.
        batch_sizes: how many sequences are still running at each step (int64, CPU).
        sorted_indices: the batch order, longest first (None when the input was sorted).
        unsorted_indices: its inverse, to restore the original order.
    """

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            raise RuntimeError("PackedSequence needs batch_sizes (build it with pack_padded_sequence)")
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        """The same sequences with ``data`` converted by ``Tensor.to`` (indices follow its device)."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        move = (lambda t: None if t is None else t.to(data.device))
        return type(self)(data, self.batch_sizes, move(self.sorted_indices), move(self.unsorted_indices))

    def cpu(self):
        return self.to("cpu")

    def cuda(self, *args, **kwargs):
        return self.to("cuda")

    def double(self):
        return self.to(ag.float64)

    def float(self):
        return self.to(ag.float32)

    @property
    def is_cuda(self):
        return self.data.is_cuda

    def is_pinned(self):
        return False


def _lengths_list(lengths):
    if isinstance(lengths, Tensor):
        if lengths.ndim != 1:
            raise RuntimeError(f"'lengths' argument should be a 1D CPU int64 tensor, but got "
                               f"{lengths.ndim}D {lengths.dtype} tensor")
        return [int(v) for v in lengths.tolist()]
    return [int(v) for v in lengths]


def _batch_sizes(lengths):
    """Sequences still running at each step, from lengths sorted longest first."""
    return [sum(1 for n in lengths if n > t) for t in range(lengths[0])]


def _packed_positions(batch_sizes, width):
    """Row ``t * width + b`` of a padded ``(T, width, *)`` batch for each packed row, in packed order."""
    return [t * width + b for t, n in enumerate(batch_sizes) for b in range(n)]


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch ``(T, B, *)`` (``(B, T, *)`` with ``batch_first``) of sequences of ``lengths``.

    With ``enforce_sorted=False`` the sequences may come in any order; they are sorted
    longest first, and ``sorted_indices``/``unsorted_indices`` record the permutation.

    Example::

        >>> x = ag.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 0.0]])
        >>> nn.utils.rnn.pack_padded_sequence(x, [3, 2], batch_first=True).data
        tensor([1., 4., 2., 5., 3.])
    """
    lengths = _lengths_list(lengths)
    batch_dim = 0 if batch_first else 1
    if len(lengths) != input.shape[batch_dim]:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {len(lengths)} "
                           f"(batch_size={input.shape[batch_dim]})")
    sorted_indices = None
    if enforce_sorted:
        if any(a < b for a, b in zip(lengths, lengths[1:])):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                               "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                               "pack_sequence to sidestep this requirement if you do not need ONNX "
                               "exportability.")
    else:
        order = sorted(range(len(lengths)), key=lambda i: -lengths[i])  # stable: ties keep their order
        lengths = [lengths[i] for i in order]
        sorted_indices = ag.tensor(order, dtype=ag.int64, device=input.device)
        input = input.index_select(batch_dim, sorted_indices)
    if lengths and lengths[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in "
                           "'lengths' that is <= 0")
    steps = input.shape[1 if batch_first else 0]
    if lengths and lengths[0] > steps:
        raise RuntimeError(f"Expected the sequence length to be at most {steps}, but got a length of "
                           f"{lengths[0]}")
    if batch_first:
        input = input.transpose(0, 1)
    sizes = _batch_sizes(lengths)
    rows = ag.tensor(_packed_positions(sizes, input.shape[1]), dtype=ag.int64, device=input.device)
    data = input.reshape((input.shape[0] * input.shape[1],) + tuple(input.shape[2:])).index_select(0, rows)
    return PackedSequence(data, ag.tensor(sizes, dtype=ag.int64), sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Undo :func:`pack_padded_sequence`: ``(padded, lengths)`` in the original batch order.

    Args:
        total_length: pad to this many steps (at least the longest length).

    Example::

        >>> packed = nn.utils.rnn.pack_sequence([ag.tensor([1.0, 2.0]), ag.tensor([3.0])])
        >>> padded, lengths = nn.utils.rnn.pad_packed_sequence(packed, batch_first=True)
        >>> padded, lengths
        (tensor([[1., 2.],
                [3., 0.]]), tensor([2, 1]))
    """
    data = sequence.data
    sizes = [int(v) for v in sequence.batch_sizes.tolist()]
    batch, steps = sizes[0], len(sizes)
    if total_length is not None:
        if total_length < steps:
            raise ValueError("Expected total_length to be at least the length of the longest sequence in "
                             f"input, but got total_length={total_length} and max sequence length being "
                             f"{steps}")
        steps = total_length
    # each padded position takes its packed row, or the extra padding row at the end
    source = [len(data)] * (steps * batch)
    for k, pos in enumerate(_packed_positions(sizes, batch)):
        source[pos] = k
    pad_row = ag.full((1,) + tuple(data.shape[1:]), padding_value, dtype=data.dtype, device=data.device)
    rows = ag.tensor(source, dtype=ag.int64, device=data.device)
    padded = ag.cat([data, pad_row]).index_select(0, rows).reshape((steps, batch) + tuple(data.shape[1:]))
    lengths = [sum(1 for n in sizes if n > b) for b in range(batch)]
    lengths = ag.tensor(lengths, dtype=ag.int64)
    if batch_first:
        padded = padded.transpose(0, 1)
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(0 if batch_first else 1, sequence.unsorted_indices)
        lengths = lengths[sequence.unsorted_indices.cpu()]
    return padded, lengths


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack tensors ``(L_i, *)`` into ``(max L, B, *)`` (``(B, max L, *)`` with ``batch_first``).

    Example::

        >>> nn.utils.rnn.pad_sequence([ag.ones(2), ag.ones(1)], batch_first=True)
        tensor([[1., 1.],
                [1., 0.]])
    """
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0) if hasattr(sequences, "unbind") else list(sequences)
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    longest = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        missing = longest - s.shape[0]
        if missing:
            fill = ag.full((missing,) + tuple(s.shape[1:]), padding_value, dtype=s.dtype, device=s.device)
            s = ag.cat([s, fill] if padding_side == "right" else [fill, s])
        padded.append(s)
    return ag.stack(padded, 0 if batch_first else 1)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """The list of sequences of ``lengths`` in a padded batch (the inverse of :func:`pad_sequence`)."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [padded_sequences[i, :n] for i, n in enumerate(_lengths_list(lengths))]


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of tensors ``(L_i, *)`` (longest first unless ``enforce_sorted=False``).

    Example::

        >>> nn.utils.rnn.pack_sequence([ag.tensor([1, 2, 3]), ag.tensor([4, 5])]).batch_sizes
        tensor([2, 2, 1])
    """
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """The list of sequences in a :class:`PackedSequence` (the inverse of :func:`pack_sequence`)."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
