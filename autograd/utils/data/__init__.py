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
from .dataloader import DataLoader, default_collate, default_convert
from .dataset import (ChainDataset, ConcatDataset, Dataset, IterableDataset, StackDataset, Subset,
                      TensorDataset, random_split)
from .distributed import DistributedSampler
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler
from .weighted import WeightedRandomSampler

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "ConcatDataset", "ChainDataset", "StackDataset",
           "Subset", "random_split",
           "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "BatchSampler",
           "DataLoader", "default_collate", "default_convert", "DistributedSampler",
           "WeightedRandomSampler"]
