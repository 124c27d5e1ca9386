"""Samplers, as ``torch.utils.data.sampler``."""
from __future__ import annotations

import numbers

from ... import backend
from ...random import check_generator, integers_array, permutation_array

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "BatchSampler"]

def _is_int(v):
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def _check_batch_size(batch_size):
    if not _is_int(batch_size) or batch_size <= 0:
        raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size!r}")


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
        generator: an :class:`autograd.Generator` or a
            ``numpy.random.Generator``; default: the global one, seeded by
            ``ag.manual_seed``.

    Indices are drawn lazily, in chunks, as iteration proceeds: a huge
    ``num_samples`` costs nothing until it is iterated.
    """

    #: indices drawn at a time with replacement
    _CHUNK = 1024

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        if not isinstance(replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got replacement={replacement}")
        if num_samples is not None and (not _is_int(num_samples) or num_samples <= 0):
            raise ValueError(
                f"num_samples should be a positive integer value, but got num_samples={num_samples}")
        self.data_source, self.replacement = data_source, replacement
        self._num_samples = num_samples
        self.generator = check_generator(generator, "RandomSampler generator")

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        n, k = len(self.data_source), self.num_samples
        if n == 0:
            return
        if self.replacement:
            cpu = backend.Device("cpu")
            for start in range(0, k, self._CHUNK):
                size = min(self._CHUNK, k - start)
                yield from integers_array(0, n, (size,), backend.int64, cpu, self.generator).tolist()
            return
        for _ in range(k // n):  # whole epochs, one permutation each, then a partial one
            yield from _permutation(n, self.generator)
        if k % n:
            yield from _permutation(n, self.generator)[:k % n]

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices in a random order each epoch."""

    def __init__(self, indices, generator=None):
        self.indices = list(indices)
        self.generator = check_generator(generator, "SubsetRandomSampler generator")

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
