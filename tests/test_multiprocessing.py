"""``torch.multiprocessing``'s spawn and sharing strategies: results cross process boundaries as
pickled tensors, a child's exception is re-raised in the parent."""
import pytest

import autograd as ag
import autograd.multiprocessing as mp


def _square_into(rank, queue, base):
    queue.put((rank, (base * (rank + 1)) ** 2))


def _fail(rank):
    if rank == 1:
        raise ValueError("rank 1 failed on purpose")


def test_spawn_runs_each_rank_and_returns_tensors():
    ctx = mp.get_context("spawn")
    queue = ctx.SimpleQueue()
    mp.spawn(_square_into, args=(queue, ag.tensor([1.0, 2.0])), nprocs=2)
    got = dict(queue.get() for _ in range(2))
    assert got[0].tolist() == [1.0, 4.0] and got[1].tolist() == [4.0, 16.0]


def test_a_failing_rank_raises_in_the_parent():
    with pytest.raises(mp.ProcessRaisedException, match="rank 1 failed on purpose"):
        mp.spawn(_fail, nprocs=2)


def test_sharing_strategies():
    assert mp.get_all_sharing_strategies() == {"file_descriptor", "file_system"}
    before = mp.get_sharing_strategy()
    mp.set_sharing_strategy("file_system")
    assert mp.get_sharing_strategy() == "file_system"
    mp.set_sharing_strategy(before)
    with pytest.raises(AssertionError):
        mp.set_sharing_strategy("shm")
    assert mp.cpu_count() >= 1 and mp.Process is not None


def test_tensors_pickle_as_pytorchs():
    import pickle

    import nn

    x = ag.tensor([1.0, 2.0], requires_grad=True)
    x.grad = ag.ones(2)
    y = pickle.loads(pickle.dumps(x))
    assert y.tolist() == [1.0, 2.0] and y.requires_grad and y.is_leaf and y.grad is None
    z = pickle.loads(pickle.dumps(x * 2))  # the graph does not cross: a leaf that requires grad
    assert z.is_leaf and z.requires_grad and z.tolist() == [2.0, 4.0]
    v = pickle.loads(pickle.dumps(ag.arange(6.0)[1:4]))
    assert v.tolist() == [1.0, 2.0, 3.0] and v.dtype == ag.float32
    p = pickle.loads(pickle.dumps(nn.Parameter(ag.zeros(2, dtype=ag.float64))))
    assert isinstance(p, nn.Parameter) and p.dtype == ag.float64 and p.requires_grad
    ctx = mp.get_context("spawn")
    queue = ctx.SimpleQueue()
    with pytest.raises(RuntimeError, match="Cowardly refusing to serialize non-leaf"):
        queue.put(x * 2)
