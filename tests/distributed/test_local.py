"""Single-process parts of autograd.distributed: DistributedSampler's split and padding, errors."""
from __future__ import annotations

import pytest

import autograd.distributed as dist
from autograd.utils.data import DistributedSampler, TensorDataset
from autograd.utils.data.distributed import DistributedSampler as FromModule


def _expected(n, k, r, drop_last):
    """PyTorch's rule written out: pad with the first indices, or drop the tail; then every k-th."""
    per = (n - k) // k + (1 if (n - k) % k else 0) if drop_last and n % k else -(-n // k)
    idx = list(range(n))
    idx = idx[:per * k] if drop_last else (idx * (per * k // max(n, 1) + 1))[:per * k]
    return idx[r:per * k:k]


@pytest.mark.parametrize("n,k", [(10, 3), (9, 3), (2, 4), (7, 1)])
@pytest.mark.parametrize("drop_last", [False, True])
def test_sampler_split_and_padding(n, k, drop_last):
    torch = None
    try:
        import torch.utils.data as tud
        torch = tud
    except ImportError:
        pass
    for r in range(k):
        s = DistributedSampler(range(n), num_replicas=k, rank=r, shuffle=False, drop_last=drop_last)
        got = list(s)
        assert got == _expected(n, k, r, drop_last) and len(s) == len(got)
        if torch is not None:
            ref = torch.DistributedSampler(range(n), num_replicas=k, rank=r, shuffle=False,
                                           drop_last=drop_last)
            assert got == list(ref) and len(s) == len(ref)
    assert FromModule is DistributedSampler


def test_sampler_shuffles_per_epoch_same_on_every_rank():
    ds = TensorDataset(*[__import__("autograd").arange(20)])
    a = [list(DistributedSampler(ds, 2, r, seed=5)) for r in range(2)]
    b = [list(DistributedSampler(ds, 2, r, seed=5)) for r in range(2)]
    assert a == b and sorted(a[0] + a[1]) == list(range(20))
    s = DistributedSampler(ds, 2, 0, seed=5)
    s.set_epoch(1)
    assert list(s) != a[0]


def test_sampler_bad_arguments():
    with pytest.raises(ValueError, match="Invalid rank 3"):
        DistributedSampler(range(4), num_replicas=2, rank=3)
    with pytest.raises(RuntimeError, match="num_replicas and rank"):
        DistributedSampler(range(4))


def test_uninitialised_group_and_bad_backend():
    assert dist.is_available() and not dist.is_initialized()
    with pytest.raises(ValueError, match="has not been initialized"):
        dist.get_rank()
    with pytest.raises(ValueError, match="backend must be one of"):
        dist.init_process_group("gloo")
    with pytest.raises(ValueError, match="op must be a ReduceOp"):
        dist.reduce_op.check_op("mean")
