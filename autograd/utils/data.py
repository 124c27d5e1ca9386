"""Datasets, samplers and ``DataLoader``, as ``torch.utils.data`` (single process).

Example::

    >>> from autograd.utils.data import DataLoader, TensorDataset
    >>> ds = TensorDataset(ag.arange(10).float(), ag.arange(10))
    >>> loader = DataLoader(ds, batch_size=4)
    >>> [tuple(y.tolist()) for x, y in loader]
    [(0, 1, 2, 3), (4, 5, 6, 7), (8, 9)]
    >>> len(loader)
    3
"""
from __future__ import annotations

import bisect
import math
import numbers
from collections.abc import Mapping, Sequence

from .. import backend
from ..random import integers_array, permutation_array
from ..tensor import Tensor

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "ConcatDataset", "Subset", "random_split",
           "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "BatchSampler",
           "DataLoader", "default_collate", "default_convert"]


# ---------------------------------------------------------------- datasets
class Dataset:
    """A map-style dataset: subclasses define ``__getitem__(index)`` and ``__len__()``.

    ``a + b`` concatenates two datasets (:class:`ConcatDataset`).
    """

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    def __add__(self, other):
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A dataset that is a stream: subclasses define ``__iter__()``."""

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")


class TensorDataset(Dataset):
    """Samples are the rows of tensors that share their first dimension.

    Args:
        *tensors (Tensor): tensors with the same ``size(0)``; sample ``i`` is
            ``tuple(t[i] for t in tensors)``.
    """

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        for i, t in enumerate(tensors):
            if not isinstance(t, Tensor):
                raise TypeError(f"TensorDataset expects Tensors, got {type(t).__name__} at position {i}")
            if t.ndim == 0:
                raise ValueError(f"TensorDataset: tensor {i} is 0-d; every tensor needs a first dimension")
        sizes = [t.shape[0] for t in tensors]
        if any(s != sizes[0] for s in sizes):
            raise ValueError(f"Size mismatch between tensors: TensorDataset needs the same first dimension, "
                             f"got sizes {sizes}")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        return self.tensors[0].shape[0]


class ConcatDataset(Dataset):
    """The datasets one after another."""

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset needs at least one dataset")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise TypeError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = []
        total = 0
        for d in self.datasets:
            total += len(d)
            self.cumulative_sizes.append(total)

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, index):
        n = len(self)
        if index < 0:
            if -index > n:
                raise IndexError(f"index {index} is out of range for a dataset of length {n}")
            index += n
        if index >= n:
            raise IndexError(f"index {index} is out of range for a dataset of length {n}")
        k = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[k - 1] if k else 0
        return self.datasets[k][index - start]


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``."""

    def __init__(self, dataset, indices):
        self.dataset, self.indices = dataset, list(indices)

    def __getitem__(self, index):
        return self.dataset[self.indices[index]]

    def __len__(self):
        return len(self.indices)


def random_split(dataset, lengths, generator=None):
    """Split ``dataset`` into non-overlapping random :class:`Subset` s.

    Args:
        lengths: the sizes of the parts, or fractions that sum to 1 (the
            remainder is spread one by one over the first parts, as PyTorch).
        generator: a random generator (default: the global one, see
            ``ag.manual_seed``).
    """
    n = len(dataset)
    lengths = list(lengths)
    if lengths and math.isclose(sum(lengths), 1) and sum(lengths) <= 1 and n != 1:
        for i, f in enumerate(lengths):
            if not 0 <= f <= 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1")
        counts = [int(math.floor(n * f)) for f in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        lengths = counts
    if sum(lengths) != n:
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    perm = _permutation(n, generator)
    out, start = [], 0
    for k in lengths:
        out.append(Subset(dataset, perm[start:start + k]))
        start += k
    return out


# ---------------------------------------------------------------- samplers
def _permutation(n, generator):
    if n == 0:
        return []
    return permutation_array(n, backend.Device("cpu"), generator).tolist()


class Sampler:
    """Yields dataset indices; subclasses define ``__iter__`` (and ``__len__``)."""

    def __iter__(self):
        raise NotImplementedError

    def __len__(self):
        raise TypeError(f"{type(self).__name__} has no length")


class SequentialSampler(Sampler):
    """``0, 1, ..., len(data_source) - 1``."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """A fresh random order each epoch (or draws with replacement).

    Args:
        data_source: the dataset.
        replacement (bool): draw ``num_samples`` indices with replacement.
        num_samples (int): how many indices to draw (default: the dataset length).
        generator: a random generator with ``permutation`` and ``integers``
            (e.g. ``numpy.random.default_rng(0)``); default: the global one,
            seeded by ``ag.manual_seed``.
    """

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        if not isinstance(replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got replacement={replacement}")
        if num_samples is not None and (not _is_int(num_samples) or num_samples <= 0):
            raise ValueError(
                f"num_samples should be a positive integer value, but got num_samples={num_samples}")
        self.data_source, self.replacement = data_source, replacement
        self._num_samples, self.generator = num_samples, generator

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        n, k = len(self.data_source), self.num_samples
        if n == 0:
            return iter(())
        if self.replacement:
            cpu = backend.Device("cpu")
            return iter(integers_array(0, n, (k,), backend.int64, cpu, self.generator).tolist())
        out = []
        while len(out) < k:
            out += _permutation(n, self.generator)
        return iter(out[:k])

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices in a random order each epoch."""

    def __init__(self, indices, generator=None):
        self.indices, self.generator = list(indices), generator

    def __iter__(self):
        return (self.indices[i] for i in _permutation(len(self.indices), self.generator))

    def __len__(self):
        return len(self.indices)


class BatchSampler(Sampler):
    """Groups the indices of ``sampler`` into lists of ``batch_size``.

    Args:
        sampler: yields indices.
        batch_size (int): indices per batch (the last one may be smaller).
        drop_last (bool): drop the last batch when it is smaller.
    """

    def __init__(self, sampler, batch_size, drop_last):
        _check_batch_size(batch_size)
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler, self.batch_size, self.drop_last = sampler, batch_size, drop_last

    def __iter__(self):
        batch = []
        for i in self.sampler:
            batch.append(i)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self):
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)


def _is_int(v):
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def _check_batch_size(batch_size):
    if not _is_int(batch_size) or batch_size <= 0:
        raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size!r}")


# ---------------------------------------------------------------- collation
def default_collate(batch):
    """Merge a list of samples into a batch, as PyTorch's ``default_collate``.

    Tensors (and NumPy arrays) are stacked along a new first dimension;
    Python ints become an int64 tensor, floats a float64 tensor, bools a
    bool tensor; strings stay a list; dicts, tuples and lists are collated
    per field (tuples and lists give lists, named tuples keep their type).
    """
    from ..creation import tensor
    from ..ops.shape import stack

    elem = batch[0]
    if isinstance(elem, Tensor):
        return stack(batch, 0)
    if backend.is_array(elem):
        return stack([_to_tensor(a) for a in batch], 0)
    if isinstance(elem, bool):
        return tensor(batch, dtype=backend.bool_)
    if isinstance(elem, numbers.Integral):
        return tensor([int(v) for v in batch], dtype=backend.int64)
    if isinstance(elem, numbers.Real):
        dtype = getattr(elem, "dtype", backend.float64)  # NumPy scalars keep their dtype
        return tensor([float(v) for v in batch], dtype=dtype)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, Mapping):
        out = {k: default_collate([d[k] for d in batch]) for k in elem}
        try:
            return type(elem)(out)
        except TypeError:
            return out
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # named tuple
        return type(elem)(*(default_collate(s) for s in zip(*batch)))
    if isinstance(elem, Sequence):
        n = len(elem)
        if any(len(s) != n for s in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return [default_collate(s) for s in zip(*batch)]
    raise TypeError("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
                    f"found {type(elem).__name__}")


def default_convert(data):
    """Turn arrays inside ``data`` into Tensors (the collate of ``batch_size=None``)."""
    if isinstance(data, Tensor):
        return data
    if backend.is_array(data):
        return _to_tensor(data)
    if isinstance(data, Mapping):
        return {k: default_convert(v) for k, v in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(v) for v in data))
    if isinstance(data, tuple):
        return [default_convert(v) for v in data]
    if isinstance(data, list):
        return [default_convert(v) for v in data]
    return data


def _to_tensor(array):
    dev = backend.device_of(array)
    return Tensor._make(backend.asarray(array, device=dev), dev)


# ---------------------------------------------------------------- loader
class DataLoader:
    """Iterates over a dataset in batches, as ``torch.utils.data.DataLoader``.

    Loading runs in the calling process (``num_workers`` is accepted and
    ignored; a difference from PyTorch).

    Args:
        dataset: a :class:`Dataset` (anything with ``__getitem__`` and
            ``__len__``) or an :class:`IterableDataset`.
        batch_size (int or None): samples per batch (default 1); ``None``
            disables batching (samples are yielded one by one, converted by
            :func:`default_convert`).
        shuffle (bool): a new random order each epoch (reproducible after
            ``ag.manual_seed``, or with ``generator``).
        sampler / batch_sampler: custom index orders (exclusive with
            ``shuffle``; ``batch_sampler`` also with ``batch_size`` and
            ``drop_last``).
        collate_fn: merges a list of samples into a batch (default:
            :func:`default_collate`).
        drop_last (bool): drop the last incomplete batch.
        generator: the random generator of ``shuffle`` (an object with
            ``permutation``, e.g. ``numpy.random.default_rng(0)``).

    Example::

        >>> ag.manual_seed(0)
        0
        >>> loader = DataLoader(list(range(6)), batch_size=4, shuffle=True, drop_last=True)
        >>> [b.shape for b in loader]
        [(4,)]
    """

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, generator=None, **kwargs):
        for k in kwargs:
            if k not in ("prefetch_factor", "persistent_workers", "multiprocessing_context",
                         "pin_memory_device", "in_order"):
                raise TypeError(f"DataLoader got an unexpected keyword argument '{k}'")
        if not _is_int(num_workers) or num_workers < 0:
            raise ValueError(f"num_workers option should be non-negative; got num_workers={num_workers!r}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last!r}")
        if shuffle is not None and not isinstance(shuffle, bool):
            raise ValueError(f"shuffle should be a boolean value, but got shuffle={shuffle!r}")
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"collate_fn should be callable, got {type(collate_fn).__name__}")
        self.dataset, self.num_workers, self.generator = dataset, num_workers, generator
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            if shuffle:
                raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle option, "
                                 f"but got shuffle={shuffle}")
            if sampler is not None or batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified sampler and "
                                 "batch_sampler options")
        elif not hasattr(dataset, "__getitem__"):
            raise TypeError(f"DataLoader expects a dataset with __getitem__ and __len__ (or an "
                            f"IterableDataset), got {type(dataset).__name__}")
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, "
                                 "sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None:
            if drop_last:
                raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive "
                                 "with drop_last")
        else:
            _check_batch_size(batch_size)
        if not self._iterable:
            if sampler is None:
                sampler = (RandomSampler(dataset, generator=generator) if shuffle
                           else SequentialSampler(dataset))
            if batch_size is not None and batch_sampler is None:
                batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.batch_size, self.drop_last = batch_size, drop_last
        self.sampler, self.batch_sampler = sampler, batch_sampler
        self._auto_collation = batch_sampler is not None or (self._iterable and batch_size is not None)
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn

    def __iter__(self):
        if self._iterable:
            return self._iter_stream()
        if self.batch_sampler is not None:
            return (self._fetch(indices) for indices in self.batch_sampler)
        return (self.collate_fn(self.dataset[i]) for i in self.sampler)

    def _fetch(self, indices):
        ds = self.dataset
        if isinstance(ds, TensorDataset) and self.collate_fn is default_collate:
            # one gather per tensor instead of len(indices) indexing ops and a stack
            from ..creation import tensor

            return [t[tensor(indices, dtype=backend.int64, device=t.device)] for t in ds.tensors]
        return self.collate_fn([ds[i] for i in indices])

    def _iter_stream(self):
        if self.batch_size is None:
            for sample in self.dataset:
                yield self.collate_fn(sample)
            return
        batch = []
        for sample in self.dataset:
            batch.append(sample)
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)

    def __len__(self):
        if self._iterable:
            n = len(self.dataset)  # TypeError when the stream has no length, as PyTorch
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        return len(self.sampler)
