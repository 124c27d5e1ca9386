"""Run under ``mpiexec -n N``: collectives against NumPy, DDP against one process on the combined
batch, bucket overlap, no_sync, unused parameters, DistributedSampler. Prints ``PASS <name>`` per check
on rank 0 and exits non-zero on the first failure."""
import numpy as np
from harness import check, data, host, run_checks, setup

import autograd as ag  # noqa: E402
import nn  # noqa: E402
import optim  # noqa: E402
from autograd.utils.data import DistributedSampler  # noqa: E402
from nn.parallel import DistributedDataParallel as DDP  # noqa: E402

dist, DEV = setup()  # mpi on the cpu, or nccl (a stand-in over MPI) on the shadow device
R, N = dist.get_rank(), dist.get_world_size()


def T(a):
    """A tensor holding a copy of array ``a``, its dtype kept (ag.tensor turns 0-d float64 into float32)."""
    return ag.from_numpy(np.array(a, copy=True)).to(DEV)


CASES = [((5,), "float32"), ((3, 4), "float64"), ((2, 3, 2), "int64"), ((7,), "int32"), ((4,), "float16"),
         ((), "float64")]


@check
def collectives_reduce():
    for k, (shape, dt) in enumerate(CASES):
        every = [data(shape, dt, r, k) for r in range(N)]
        tol = dict(rtol=1e-2) if dt == "float16" else dict(rtol=1e-6)
        refs = {dist.ReduceOp.SUM: sum(every[1:], every[0]), dist.ReduceOp.MAX: np.max(every, 0),
                dist.ReduceOp.MIN: np.min(every, 0), dist.ReduceOp.PRODUCT: np.prod(every, 0)}
        if np.dtype(dt).kind == "f":
            refs[dist.ReduceOp.AVG] = np.mean(np.asarray(every, "float64"), 0)
        for op, ref in refs.items():
            t = T(every[R])
            dist.all_reduce(t, op=op)
            assert host(t).dtype == np.dtype(dt), (op, t.dtype)
            np.testing.assert_allclose(host(t).astype("float64"), np.asarray(ref, "float64"), **tol,
                                       err_msg=f"all_reduce {op} {dt}")
        t = T(every[R])
        dist.reduce(t, dst=N - 1)
        if R == N - 1:
            np.testing.assert_allclose(host(t), refs[dist.ReduceOp.SUM], **tol)
        else:
            np.testing.assert_array_equal(host(t), every[R])
    b = T(data((6,), bool, R))
    dist.all_reduce(b, op=dist.ReduceOp.MAX)
    np.testing.assert_array_equal(host(b), np.any([data((6,), bool, r) for r in range(N)], 0))


@check
def collectives_async_and_views():
    base = T(data((4, 6), "float64", R, 9))
    view = base[:, ::2]  # not contiguous: through one copy, written back
    w = dist.all_reduce(view, async_op=True)
    w.wait()
    assert w.is_completed()
    ref = sum(data((4, 6), "float64", r, 9) for r in range(N))
    np.testing.assert_allclose(host(base)[:, ::2], ref[:, ::2])
    np.testing.assert_allclose(host(base)[:, 1::2], data((4, 6), "float64", R, 9)[:, 1::2])
    t = T(data((3,), "float32", R, 2))
    dist.broadcast(t, src=N - 1)
    np.testing.assert_array_equal(host(t), data((3,), "float32", N - 1, 2))


@check
def collectives_gather_scatter():
    for k, (shape, dt) in enumerate(CASES[:4]):
        every = [data(shape, dt, r, k) for r in range(N)]
        out = [ag.zeros(*shape, dtype=getattr(ag, dt), device=DEV) for _ in range(N)]
        dist.all_gather(out, T(every[R]))
        for r in range(N):
            np.testing.assert_array_equal(host(out[r]), every[r])
        flat = ag.zeros(N * int(np.prod(shape)), dtype=getattr(ag, dt), device=DEV)
        dist.all_gather_into_tensor(flat, T(every[R]))
        np.testing.assert_array_equal(host(flat), np.concatenate([e.reshape(-1) for e in every]))
        # reduce_scatter: rank r gets the sum over ranks of their r-th input
        ins = [[data(shape, dt, r, 100 * k + j) for j in range(N)] for r in range(N)]
        out1 = ag.zeros(*shape, dtype=getattr(ag, dt), device=DEV)
        dist.reduce_scatter(out1, [T(a) for a in ins[R]])
        np.testing.assert_allclose(host(out1), sum(ins[r][R] for r in range(N)))
        out2 = ag.zeros(*shape, dtype=getattr(ag, dt), device=DEV)
        dist.reduce_scatter_tensor(out2, T(np.stack(ins[R])))
        np.testing.assert_allclose(host(out2), host(out1))
        got = [ag.zeros(*shape, dtype=getattr(ag, dt), device=DEV) for _ in range(N)] if R == 0 else None
        dist.gather(T(every[R]), got, dst=0)
        if R == 0:
            for r in range(N):
                np.testing.assert_array_equal(host(got[r]), every[r])
        mine = ag.zeros(*shape, dtype=getattr(ag, dt), device=DEV)
        dist.scatter(mine, [T(a) for a in ins[0]] if R == 0 else None, src=0)
        np.testing.assert_array_equal(host(mine), ins[0][R])


@check
def collectives_point_to_point():
    nxt, prv = (R + 1) % N, (R - 1) % N
    got = ag.zeros(5, device=DEV)
    w = dist.isend(ag.full((5,), float(R), device=DEV), dst=nxt)
    assert dist.recv(got, src=prv) == prv
    w.wait()
    np.testing.assert_array_equal(host(got), np.full(5, float(prv)))
    nccl = dist.get_backend() == "nccl"
    if R == 0:
        for r in range(1, N):
            t = ag.zeros(2, device=DEV)
            src = dist.recv(t, src=r if nccl else None)  # NCCL has no receive from any rank
            assert t.tolist() == [src, src], (t, src)
        if nccl:
            try:
                dist.recv(ag.zeros(2, device=DEV))
            except ValueError as e:
                assert "explicit src" in str(e), e
            else:
                raise AssertionError("NCCL received from any rank")
    else:
        dist.send(ag.full((2,), float(R), device=DEV), dst=0)


def mlp():
    return nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 3))


def cnn():
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 4, 3),
                         nn.Flatten(), nn.Linear(4 * 2 * 2, 3))


def batches(kind, steps, per_rank):
    rng = np.random.default_rng(7)
    shape = (N * per_rank, 6) if kind == "mlp" else (N * per_rank, 1, 8, 8)
    return [(rng.standard_normal(shape).astype("float32"), rng.integers(0, 3, N * per_rank))
            for _ in range(steps)]


def train(model, data_, rank=None, ddp_kwargs=None, steps=None):
    net = DDP(model, **(ddp_kwargs or {})) if rank is not None else model
    opt = optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    for x, y in data_[:steps]:
        if rank is not None:
            n = len(x) // N
            x, y = x[rank * n:(rank + 1) * n], y[rank * n:(rank + 1) * n]
        opt.zero_grad()
        loss_fn(net(ag.tensor(x, device=DEV)), ag.tensor(y, device=DEV)).backward()
        opt.step()
    return net


def same_params(a, b, atol=1e-5):
    for (n, p), q in zip(a.named_parameters(), b.parameters()):
        np.testing.assert_allclose(host(p.detach()), host(q.detach()), atol=atol, rtol=0, err_msg=n)


@check
def ddp_matches_single_process():
    for kind, make in (("mlp", mlp), ("cnn", cnn)):
        ag.manual_seed(0)
        ref = make().to(DEV)
        ag.manual_seed(1 + R)  # different replicas: DDP's construction broadcasts rank 0's
        mine = make().to(DEV)
        if R == 0:
            mine.load_state_dict(ref.state_dict())
        data_ = batches(kind, 20, 4)
        ddp = train(mine, data_, rank=R)
        train(ref, data_)
        same_params(ref, ddp.module)
    assert list(ddp.state_dict())[0] == "module.0.weight"


class _Probe(ag.Function):
    """Identity whose backward logs when backward reaches the model's input layer."""

    log = None

    @staticmethod
    def forward(ctx, x):
        return x.clone()

    @staticmethod
    def backward(ctx, g):
        _Probe.log.append(("input-layer backward",))
        return g


def deep():
    return nn.Sequential(nn.Linear(6, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 3)).to(DEV)


@check
def ddp_buckets_overlap_backward():
    ag.manual_seed(0)
    model = deep()
    tiny = DDP(model, bucket_cap_mb=0.01)  # one bucket per layer or so
    assert len(tiny.reducer.buckets) > 2, tiny.reducer.bucket_sizes()
    x = ag.tensor(batches("mlp", 1, 4)[0][0][R * 4:(R + 1) * 4], device=DEV, requires_grad=True)
    _Probe.log = tiny.reducer.events
    tiny(_Probe.apply(x)).pow(2).mean().backward()
    events = [e[0] for e in tiny.reducer.events]
    assert events.index("launch") < events.index("input-layer backward"), events
    assert events.count("launch") == len(tiny.reducer.buckets), events
    grads_tiny = [host(p.grad).copy() for p in model.parameters()]
    ag.manual_seed(0)
    model2 = deep()
    big = DDP(model2)
    assert len(big.reducer.buckets) == 1
    big(x).pow(2).mean().backward()
    for g, p in zip(grads_tiny, model2.parameters()):
        np.testing.assert_allclose(g, host(p.grad), rtol=1e-6, atol=1e-7)


@check
def ddp_no_sync_accumulates():
    ag.manual_seed(0)
    ref = mlp().to(DEV)
    ddp = DDP(mlp().to(DEV))
    ddp.module.load_state_dict(ref.state_dict())
    data_ = batches("mlp", 3, 4)
    loss_fn = nn.CrossEntropyLoss()
    for k, (x, y) in enumerate(data_):
        ctx = ddp.no_sync() if k < 2 else _nullcontext()
        with ctx:
            xs, ys = x[R * 4:(R + 1) * 4], y[R * 4:(R + 1) * 4]
            loss_fn(ddp(ag.tensor(xs, device=DEV)), ag.tensor(ys, device=DEV)).backward()
        loss_fn(ref(ag.tensor(x, device=DEV)), ag.tensor(y, device=DEV)).backward()
    for p, q in zip(ref.parameters(), ddp.module.parameters()):
        np.testing.assert_allclose(host(q.grad), host(p.grad), atol=1e-6, rtol=1e-5)


@check
def ddp_runs_parameter_hooks():
    """Gradient hooks and post-accumulate hooks on the parameters run under DDP's synchronised backward:
    a hook doubling one layer's gradient gives twice the averaged gradient there."""
    ag.manual_seed(0)
    ref = mlp().to(DEV)
    ddp = DDP(mlp().to(DEV))
    ddp.module.load_state_dict(ref.state_dict())
    seen = []
    for net in (ref, ddp.module):
        net[2].weight.register_hook(lambda g: g * 2)
    ddp.module[0].bias.register_post_accumulate_grad_hook(lambda p: seen.append(host(p.grad)))
    x, y = batches("mlp", 1, 4)[0]
    loss_fn = nn.CrossEntropyLoss()
    mine = slice(R * 4, (R + 1) * 4)
    loss_fn(ddp(ag.tensor(x[mine], device=DEV)), ag.tensor(y[mine], device=DEV)).backward()
    loss_fn(ref(ag.tensor(x, device=DEV)), ag.tensor(y, device=DEV)).backward()
    for (n, p), q in zip(ref.named_parameters(), ddp.module.parameters()):
        np.testing.assert_allclose(host(q.grad), host(p.grad), atol=1e-6, rtol=1e-5, err_msg=n)
    assert len(seen) == 1 and seen[0].shape == (16,)  # this rank's own gradient, before averaging
    every = [None] * N
    dist.all_gather_object(every, seen[0])
    np.testing.assert_allclose(sum(every) / N, host(ref[0].bias.grad), atol=1e-6, rtol=1e-5)


class _nullcontext:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


class TwoHeads(nn.Module):
    def __init__(self):
        super().__init__()
        self.body, self.used, self.unused = nn.Linear(4, 4), nn.Linear(4, 2), nn.Linear(4, 2)

    def forward(self, x):
        return self.used(self.body(x))


@check
def ddp_unused_parameters():
    ag.manual_seed(0)
    ddp = DDP(TwoHeads().to(DEV), find_unused_parameters=True)
    x = ag.tensor(data((3, 4), "float32", R), device=DEV)
    for _ in range(2):
        ddp.zero_grad()
        ddp(x).sum().backward()
    assert ddp.module.unused.weight.grad is None
    every = sum(data((3, 4), "float32", r) for r in range(N)) / N
    np.testing.assert_allclose(host(ddp.module.used.bias.grad), np.full(2, 3.0), rtol=1e-6)
    ref = host(ddp.module.used.weight.detach()).sum(0)
    np.testing.assert_allclose(host(ddp.module.body.bias.grad), 3 * ref, rtol=1e-5)
    del every
    strict = DDP(TwoHeads().to(DEV))
    strict(x).sum().backward()
    try:
        strict(x)
    except RuntimeError as e:
        assert "unused.weight" in str(e) and "find_unused_parameters=True" in str(e), e
    else:
        raise AssertionError("a parameter without gradient went unnoticed")


@check
def ddp_broadcasts_and_checks_shapes():
    bn = nn.Sequential(nn.Linear(3, 3), nn.BatchNorm1d(3)).to(DEV)
    ag.manual_seed(R)
    bn[0].reset_parameters()
    ddp = DDP(bn)
    w = [ag.zeros(3, 3, device=DEV) for _ in range(N)]
    dist.all_gather(w, bn[0].weight.detach().clone())
    assert all(np.array_equal(host(w[0]), host(v)) for v in w)
    bn[1].running_mean.fill_(float(R))
    bn.eval()
    ddp(ag.ones(2, 3, device=DEV))
    assert bn[1].running_mean.tolist() == [0.0] * 3  # rank 0's, broadcast at the forward
    bad = nn.Linear(3, 4 if R == N - 1 else 3).to(DEV)
    try:
        DDP(bad)
    except RuntimeError as e:
        assert f"rank {N - 1} has 'weight' of shape [4, 3]" in str(e) and "rank 0" in str(e), e
    else:
        raise AssertionError("mismatched shapes went unnoticed")


@check
def sampler_covers_each_epoch():
    for n, drop in ((23, False), (23, True), (N * 5, False)):
        ds = list(range(n))
        orders = []
        for epoch in range(2):
            s = DistributedSampler(ds, seed=3, drop_last=drop)
            s.set_epoch(epoch)
            mine = list(s)
            assert len(mine) == len(s)
            every = [None] * N
            dist.all_gather_object(every, mine)
            assert len({len(e) for e in every}) == 1
            flat = [i for e in every for i in e]
            if drop:
                assert len(set(flat)) == len(flat) == (n // N) * N, flat
            else:
                assert set(flat) == set(ds) and len(flat) == -(-n // N) * N
            orders.append(flat)
        assert orders[0] != orders[1]  # set_epoch reshuffles


run_checks(dist)
