"""utils.checkpoint: gradients equal the plain run's, activations are recomputed, not kept."""
from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.utils.checkpoint import checkpoint, checkpoint_sequential


def _grads(model, x):
    return [x.grad.cpu().numpy()] + [p.grad.cpu().numpy() for p in model.parameters()]


def _model(seed=0):
    ag.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Dropout(0.3), nn.Linear(8, 3), nn.GELU())


@pytest.mark.parametrize("reentrant", [False, True])
def test_gradients_equal_plain_run_with_dropout(device, reentrant):
    model = _model().double().to(device)
    xs = np.random.default_rng(0).standard_normal((5, 4))
    x = ag.tensor(xs, device=device, requires_grad=True)
    ag.manual_seed(7)
    model(x).pow(2).sum().backward()
    plain = _grads(model, x)
    model.zero_grad()
    x.grad = None
    ag.manual_seed(7)
    y = checkpoint(model, x, use_reentrant=reentrant)
    ag.rand(10)  # moves the generator on: the recomputation must replay the first run's draws
    y.pow(2).sum().backward()
    for a, b in zip(_grads(model, x), plain):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_kwargs_tuple_outputs_non_tensor_args_and_inputs_without_grad():
    w = ag.tensor([[1.0, 2.0], [3.0, -1.0]], requires_grad=True)

    def fn(a, scale, b=None):
        h = (a @ w).sin()
        return h * scale, (h + b).exp()

    a, b = ag.tensor([[0.5, -0.2]]), ag.tensor([0.1, 0.3])
    y1, y2 = checkpoint(fn, a, 3.0, b=b, use_reentrant=False)
    assert y1.requires_grad and y2.requires_grad
    (y1.sum() + y2.sum()).backward()
    got = w.grad.numpy().copy()
    w.grad = None
    z1, z2 = fn(a, 3.0, b=b)
    (z1.sum() + z2.sum()).backward()
    np.testing.assert_allclose(got, w.grad.numpy(), rtol=1e-6)
    h = np.sin(a.numpy() @ w.detach().numpy())  # hand reference: d/dW sum(3h + exp(h+b))
    ref = a.numpy().T @ (np.cos(a.numpy() @ w.detach().numpy()) * (3 + np.exp(h + b.numpy())))
    np.testing.assert_allclose(got, ref, rtol=1e-6)
    with pytest.raises(ValueError, match="Unexpected keyword arguments: b"):
        checkpoint(fn, a, 3.0, b=b, use_reentrant=True)


def test_intermediate_activations_are_not_kept():
    refs = []

    def fn(x):
        h = x.exp()
        refs.append(weakref.ref(h._data))
        return (h * h).sum()

    x = ag.ones(1000, requires_grad=True)
    plain = fn(x)
    gc.collect()
    assert refs[-1]() is not None  # the plain graph keeps exp's output for the product's backward
    del plain
    y = checkpoint(fn, x, use_reentrant=False)
    gc.collect()
    assert refs[-1]() is None  # checkpointed: only the input is kept
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp(2.0) * np.ones(1000), rtol=1e-6)


def test_checkpoint_sequential_equals_plain():
    model = nn.Sequential(*[nn.Linear(6, 6) for _ in range(5)])
    x = ag.tensor(np.random.default_rng(1).standard_normal((3, 6)), dtype=ag.float32, requires_grad=True)
    model(x).sum().backward()
    plain = _grads(model, x)
    model.zero_grad()
    x.grad = None
    checkpoint_sequential(model, 2, x, use_reentrant=False).sum().backward()
    for a, b in zip(_grads(model, x), plain):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_matches_pytorch():
    torch = pytest.importorskip("torch")
    from torch.utils.checkpoint import checkpoint as tcheckpoint

    tm = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2)).double()
    m = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 2)).double()
    m.load_state_dict({k: ag.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    xs = np.random.default_rng(2).standard_normal((3, 4))
    tx, x = torch.tensor(xs, requires_grad=True), ag.tensor(xs, requires_grad=True)
    tcheckpoint(tm, tx, use_reentrant=False).square().sum().backward()
    checkpoint(m, x, use_reentrant=False).square().sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    for p, tp in zip(m.parameters(), tm.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-12)


def test_docstring_examples_of_the_breadth_modules():
    import doctest
    import importlib

    import nn.functional as F
    from autograd.utils.data import weighted

    names = ["autograd.utils.checkpoint", "autograd.utils.data.weighted", "autograd.ops.cumextrema",
             "nn.functional.pooling_extra", "nn.modules.pooling_extra", "nn.functional.embedding_bag",
             "nn.modules.embedding_bag", "nn.functional.unpool", "nn.parallel.data_parallel",
             "nn.utils.parametrizations", "nn.utils.spectral_norm", "nn.utils.weight_norm"]
    for name in names:  # (import_module: some module names are shadowed by the function they export)
        mod = importlib.import_module(name)
        g = {"ag": ag, "nn": nn, "F": F, "checkpoint": checkpoint,
             "WeightedRandomSampler": weighted.WeightedRandomSampler}
        result = doctest.testmod(mod, extraglobs=g, optionflags=doctest.ELLIPSIS)
        assert result.failed == 0 and result.attempted > 0, name
