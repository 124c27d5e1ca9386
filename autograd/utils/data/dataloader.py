"""``DataLoader`` and collation, as ``torch.utils.data.dataloader``."""
from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence

from ... import backend
from ...random import check_generator
from ...tensor import Tensor
from .dataset import IterableDataset, TensorDataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler, _check_batch_size, _is_int

__all__ = ["DataLoader", "default_collate", "default_convert"]


# ---------------------------------------------------------------- collation
def default_collate(batch):
    """Merge a list of samples into a batch, as PyTorch's ``default_collate``.

    Tensors (and NumPy arrays) are stacked along a new first dimension. A
    batch whose first element is a Python float becomes a float64 tensor;
    one whose first element is an int or bool gets ``ag.tensor``'s inferred
    dtype (``[1, 2]`` int64, ``[1, 2.5]`` the default float dtype, all-bool
    bool), and NumPy scalars keep their promoted dtype, as PyTorch. Strings
    stay a list; dicts, tuples and lists are collated
    per field (tuples and lists give lists, named tuples keep their type).
    """
    from ...creation import tensor
    from ...ops.shape import stack

    elem = batch[0]
    if isinstance(elem, Tensor):
        return stack(batch, 0)
    if backend.is_array(elem):
        if _is_text(elem):
            raise TypeError("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
                            f"lists; found {elem.dtype}")
        return stack([_to_tensor(a) for a in batch], 0)
    if _is_numpy_number(elem):
        # NumPy scalars: their dtypes promote together (``torch.as_tensor`` of the batch)
        dtype = None
        for v in batch:
            d = getattr(v, "dtype", None) or backend.scalar_dtype(v)
            dtype = d if dtype is None else backend.promote_types(dtype, d)
        return tensor([backend.host_scalar(v) for v in batch], dtype=dtype)
    if isinstance(elem, float):
        return tensor(batch, dtype=backend.float64)
    if isinstance(elem, numbers.Number):  # int or bool first: inferred as ``torch.tensor(batch)``
        return tensor(batch)
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
        return data if _is_text(data) else _to_tensor(data)  # strings and objects stay arrays
    if _is_numpy_number(data):  # a NumPy scalar: a 0-d tensor of its dtype, as torch.as_tensor
        return _to_tensor(backend.as_array(data, backend.Device("cpu")))
    if isinstance(data, Mapping):
        return {k: default_convert(v) for k, v in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(v) for v in data))
    if isinstance(data, tuple):
        return [default_convert(v) for v in data]
    if isinstance(data, list):
        return [default_convert(v) for v in data]
    return data


def _is_text(array):
    """An array of strings, bytes or objects: PyTorch's collate leaves these alone or refuses them."""
    return array.dtype.kind in "SaUO"


def _is_numpy_number(value):
    """A NumPy scalar number (np.float32(1), np.bool_(True), ...; not np.str_)."""
    return type(value).__module__ == "numpy" and getattr(value, "shape", None) == () and \
        getattr(value, "dtype", None) is not None and value.dtype.kind in "biuf"


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
        generator: the random generator of ``shuffle``: an
            :class:`autograd.Generator` or a ``numpy.random.Generator``.

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
        check_generator(generator, "DataLoader generator")
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
        if type(ds) is TensorDataset and self.collate_fn is default_collate:
            # the exact class only: a subclass may override __getitem__ (a transform)
            # one gather per tensor instead of len(indices) indexing ops and a stack
            from ...creation import tensor

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
