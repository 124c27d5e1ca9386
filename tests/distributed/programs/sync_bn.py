"""Run under ``mpiexec -n N``: the differentiable all_reduce and SyncBatchNorm (alone, with ranks of
unequal batch sizes, and trained under DDP) against one process with BatchNorm on the combined batch."""
import numpy as np
from harness import check, data, host, run_checks, setup

import autograd as ag  # noqa: E402
import nn  # noqa: E402
import optim  # noqa: E402
from autograd.distributed import nn as dist_nn  # noqa: E402
from nn.parallel import DistributedDataParallel as DDP  # noqa: E402

dist, DEV = setup()
R, N = dist.get_rank(), dist.get_world_size()


@check
def all_reduce_op_gradients():
    every_x = [data((3,), "float64", r) for r in range(N)]
    every_c = [data((3,), "float64", r, 1) for r in range(N)]
    C = sum(every_c)
    for op, scale in ((dist.ReduceOp.SUM, 1.0), (dist.ReduceOp.AVG, 1.0 / N)):
        x = ag.tensor(every_x[R], device=DEV, requires_grad=True)
        y = dist_nn.all_reduce(x, op=op)
        np.testing.assert_allclose(host(y), scale * sum(every_x), rtol=1e-12)
        np.testing.assert_array_equal(host(x), every_x[R])  # the input is left as it was
        (y * ag.tensor(every_c[R], device=DEV)).sum().backward()
        np.testing.assert_allclose(host(x.grad), scale * C, rtol=1e-12)
    # second order: L = sum_r c_r * S^2 with S = sum_r x_r; dL/dx_r = 2 S C on every rank, and the
    # gradient of the ranks' sum of those with respect to x_r is 2 N C
    x = ag.tensor(every_x[R], device=DEV, requires_grad=True)
    s = dist_nn.all_reduce(x)
    (g,) = ag.grad((ag.tensor(every_c[R], device=DEV) * s * s).sum(), x, create_graph=True)
    np.testing.assert_allclose(host(g), 2 * sum(every_x) * C, rtol=1e-12)
    g.sum().backward()
    np.testing.assert_allclose(host(x.grad), 2 * N * C, rtol=1e-12)


def _pair(make, seed):
    ag.manual_seed(seed)
    ref = make()
    for p in ref.parameters():  # non-trivial affine parameters
        p.data.copy_(ag.randn(*p.shape) * 0.5 + 1)
    mine = nn.SyncBatchNorm.convert_sync_batchnorm(make())
    mine.load_state_dict(ref.state_dict())
    return ref.to(DEV), mine.to(DEV)


@check
def sync_bn_matches_combined_batch():
    sizes = [r + 1 for r in range(N)]  # unequal shares: rank 0 holds one sample
    lo, hi = sum(sizes[:R]), sum(sizes[:R + 1])
    for shape, make in (((4, 5, 5), lambda: nn.BatchNorm2d(4)),
                        ((3,), lambda: nn.BatchNorm1d(3, momentum=None)),
                        ((2, 6), lambda: nn.BatchNorm1d(2, affine=False))):
        ref, mine = _pair(make, 3)
        rng = np.random.default_rng(11)
        for step in range(2):
            X = (rng.standard_normal((sum(sizes),) + shape) * 3 + 5).astype("float32")
            W = rng.standard_normal(X.shape).astype("float32")
            xr = ag.tensor(X, device=DEV, requires_grad=True)
            out_ref = ref(xr)
            (out_ref * ag.tensor(W, device=DEV)).sum().backward()
            x = ag.tensor(X[lo:hi], device=DEV, requires_grad=True)
            out = mine(x)
            (out * ag.tensor(W[lo:hi], device=DEV)).sum().backward()
            np.testing.assert_allclose(host(out), host(out_ref)[lo:hi], atol=2e-6, rtol=1e-5)
            np.testing.assert_allclose(host(x.grad), host(xr.grad)[lo:hi], atol=1e-5, rtol=1e-5)
            for (name, p), q in zip(mine.named_parameters(), ref.parameters()):
                g = p.grad.clone()
                dist.all_reduce(g)  # the ranks' losses add up to the combined-batch loss
                np.testing.assert_allclose(host(g), host(q.grad), rtol=1e-4, atol=1e-4, err_msg=name)
            for (name, b), c in zip(mine.named_buffers(), ref.buffers()):
                np.testing.assert_allclose(host(b), host(c), rtol=1e-5, atol=1e-6, err_msg=name)
        mine.eval()  # evaluation: no synchronisation, the (shared) running statistics
        ref.eval()
        x = ag.tensor(data((2,) + shape, "float32", R), device=DEV)
        np.testing.assert_allclose(host(mine(x)), host(ref(x)), rtol=1e-6, atol=1e-6)


def cnn(norm2d, norm1d):
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), norm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(4, 4, 3), norm2d(4), nn.Flatten(), nn.Linear(16, 6), norm1d(6),
                         nn.Tanh(), nn.Linear(6, 3))


@check
def sync_bn_ddp_training_matches_batchnorm():
    ag.manual_seed(0)
    ref = cnn(nn.BatchNorm2d, nn.BatchNorm1d)
    ag.manual_seed(1 + R)  # different replicas: DDP's construction broadcasts rank 0's
    mine = nn.SyncBatchNorm.convert_sync_batchnorm(cnn(nn.BatchNorm2d, nn.BatchNorm1d))
    if R == 0:
        mine.load_state_dict(ref.state_dict())
    ref, mine = ref.to(DEV), mine.to(DEV)
    ddp = DDP(mine)
    assert [k[len("module."):] for k in ddp.state_dict()] == list(ref.state_dict())
    per = 4
    rng = np.random.default_rng(5)
    opts = [optim.SGD(m.parameters(), lr=0.1, momentum=0.9) for m in (ref, ddp)]
    loss_fn = nn.CrossEntropyLoss()
    for step in range(4):
        x = (rng.standard_normal((N * per, 1, 8, 8)) + 0.5).astype("float32")
        y = rng.integers(0, 3, N * per)
        for net, opt, sl in ((ref, opts[0], slice(None)), (ddp, opts[1], slice(R * per, (R + 1) * per))):
            opt.zero_grad()
            loss_fn(net(ag.tensor(x[sl], device=DEV)), ag.tensor(y[sl], device=DEV)).backward()
            opt.step()
    for (name, a), b in zip(ref.state_dict().items(), mine.state_dict().values()):
        np.testing.assert_allclose(host(b), host(a), atol=1e-5, rtol=0, err_msg=name)


run_checks(dist)
