"""``DistributedSampler``: each rank's share of the dataset, as ``torch.utils.data.distributed``."""
from __future__ import annotations

import math

from ... import backend
from ...random import Generator, permutation_array
from .sampler import Sampler

__all__ = ["DistributedSampler"]


class DistributedSampler(Sampler):
    """Restricts data loading to one rank's share of the dataset.

    Every rank draws the same permutation (seeded by ``seed + epoch``) and takes
    every ``num_replicas``-th index starting at ``rank``. Unless ``drop_last``, the
    index list is padded with its own first indices to a multiple of
    ``num_replicas``, so that every rank gets the same number of samples (as in
    PyTorch); with ``drop_last`` the tail is dropped instead.

    Args:
        dataset: the dataset (anything with ``len``).
        num_replicas (int): number of ranks (default: the process group's size).
        rank (int): this rank (default: the process group's rank).
        shuffle (bool): shuffle the indices, anew each epoch. Default: True.
        seed (int): the shuffling seed, the same on every rank. Default: 0.
        drop_last (bool): drop the tail instead of padding. Default: False.

    Call :meth:`set_epoch` at the start of each epoch, before creating the
    ``DataLoader`` iterator, or every epoch uses the same order.

    Example::

        >>> from autograd.utils.data import DistributedSampler, TensorDataset
        >>> ds = TensorDataset(ag.arange(10))
        >>> list(DistributedSampler(ds, num_replicas=3, rank=2, shuffle=False))  # padded with index 1
        [2, 5, 8, 1]
        >>> list(DistributedSampler(ds, num_replicas=3, rank=0, shuffle=False))
        [0, 3, 6, 9]
    """

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0, drop_last=False):
        if num_replicas is None or rank is None:
            from ... import distributed as dist

            if not dist.is_initialized():
                raise RuntimeError("DistributedSampler needs num_replicas and rank, or an initialised "
                                   "process group (dist.init_process_group)")
            num_replicas = dist.get_world_size() if num_replicas is None else num_replicas
            rank = dist.get_rank() if rank is None else rank
        if int(num_replicas) != num_replicas or num_replicas < 1:
            raise ValueError(f"num_replicas should be a positive integer, got {num_replicas!r}")
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset, self.num_replicas, self.rank = dataset, int(num_replicas), int(rank)
        self.shuffle, self.seed, self.drop_last = shuffle, int(seed), drop_last
        self.epoch = 0
        n = len(dataset)
        if drop_last and n % self.num_replicas != 0:
            self.num_samples = math.ceil((n - self.num_replicas) / self.num_replicas)
        else:
            self.num_samples = math.ceil(n / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas

    def __iter__(self):
        n = len(self.dataset)
        if self.shuffle and n:
            g = Generator()
            g.manual_seed(self.seed + self.epoch)
            indices = permutation_array(n, backend.Device("cpu"), g).tolist()
        else:
            indices = list(range(n))
        if not self.drop_last:
            pad = self.total_size - len(indices)
            if pad > 0 and indices:
                indices += (indices * math.ceil(pad / len(indices)))[:pad]
        else:
            indices = indices[:self.total_size]
        return iter(indices[self.rank:self.total_size:self.num_replicas])

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        """Use ``epoch`` in the shuffling seed, so that each epoch has its own order (same on all ranks)."""
        self.epoch = epoch
