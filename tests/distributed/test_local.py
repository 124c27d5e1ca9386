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


def _bn_tree(lib):
    nn_ = lib.nn if hasattr(lib, "nn") else lib
    return nn_.Sequential(nn_.Conv2d(1, 4, 3), nn_.BatchNorm2d(4),
                          nn_.Sequential(nn_.Linear(4, 3), nn_.BatchNorm1d(3, affine=False)),
                          nn_.BatchNorm3d(2, momentum=None, track_running_stats=False),
                          nn_.BatchNorm1d(5, bias=False))


EXPECTED_KEYS = ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                 "1.num_batches_tracked", "2.0.weight", "2.0.bias", "2.1.running_mean", "2.1.running_var",
                 "2.1.num_batches_tracked", "3.weight", "3.bias", "4.weight", "4.running_mean",
                 "4.running_var", "4.num_batches_tracked"]


def test_convert_sync_batchnorm_keeps_parameters_buffers_and_names():
    import nn

    net = _bn_tree(nn)
    net[1].train(False)
    old = dict(net.named_parameters()), dict(net.named_buffers())
    conv = nn.SyncBatchNorm.convert_sync_batchnorm(net)
    kinds = [type(m).__name__ for m in conv.modules()]
    assert kinds == ["Sequential", "Conv2d", "SyncBatchNorm", "Sequential", "Linear", "SyncBatchNorm",
                     "SyncBatchNorm", "SyncBatchNorm"]
    assert list(conv.state_dict()) == EXPECTED_KEYS
    assert all(p is old[0][n] for n, p in conv.named_parameters())
    assert all(b is old[1][n] for n, b in conv.named_buffers())
    assert not conv[1].training and conv[2][1].training and conv[3].momentum is None
    assert repr(conv[4]) == ("SyncBatchNorm(5, eps=1e-05, momentum=0.1, affine=True, bias=False, "
                             "track_running_stats=True)")
    torch = pytest.importorskip("torch")
    ref = torch.nn.SyncBatchNorm.convert_sync_batchnorm(_bn_tree(torch))
    assert list(ref.state_dict()) == EXPECTED_KEYS
    assert repr(conv) == repr(ref)


def test_sync_batchnorm_without_a_process_group_is_batchnorm():
    import numpy as np

    import autograd as ag
    import nn

    ag.manual_seed(0)
    ref, sbn = nn.BatchNorm2d(3), nn.SyncBatchNorm(3)
    x = ag.randn(4, 3, 2, 2) * 2 + 1
    for m in (ref, sbn):
        m.weight.data.copy_(ag.tensor([0.5, 2.0, -1.0]))
        m(x.requires_grad_()).pow(2).sum().backward()
    np.testing.assert_allclose(sbn.weight.grad.numpy(), ref.weight.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(sbn.running_var.numpy(), ref.running_var.numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match="expected at least 2D input"):
        sbn(ag.ones(3))
    with pytest.raises(ValueError, match="number of input channels should be non-zero"):
        nn.SyncBatchNorm(0)(ag.ones(2, 0))
