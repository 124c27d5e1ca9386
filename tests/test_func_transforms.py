"""torch.func's transforms (functional_call, grad, vmap, jacrev, jacfwd, hessian, vjp, jvp,
stack_module_state) against PyTorch's, as its tutorials use them."""
import copy

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from autograd.func import functional_call, grad, grad_and_value, hessian, jacfwd, jacrev, jvp, vjp, vmap

torch = pytest.importorskip("torch")
import torch.func as tf  # noqa: E402

RNG = np.random.default_rng(0)


def _pair(lib_nn, seed=0):
    m = lib_nn.Sequential(lib_nn.Linear(4, 6), lib_nn.BatchNorm1d(6), lib_nn.Tanh(), lib_nn.Linear(6, 3))
    return m


def _models():
    ours, theirs = _pair(nn), _pair(torch.nn)
    ours.load_state_dict({k: ag.tensor(v.detach().numpy().copy()) for k, v in theirs.state_dict().items()})
    return ours, theirs


def _np(x):
    if isinstance(x, dict):
        return {k: _np(v) for k, v in x.items()}
    if isinstance(x, (tuple, list)):
        return type(x)(_np(v) for v in x)
    return x.detach().numpy()


def _close(a, b, tol=1e-6):
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            _close(a[k], b[k], tol)
    elif isinstance(a, (tuple, list)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _close(x, y, tol)
    else:
        a, b = _np(a), _np(b)
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def test_per_sample_gradients_as_the_tutorial():
    ours, theirs = _models()
    x, y = RNG.standard_normal((5, 4)).astype(np.float32), RNG.integers(0, 3, 5)
    res = []
    for lib, fn, model in ((ag, ag.func, ours), (torch, tf, theirs)):
        model.eval()
        params = {k: v.detach() for k, v in model.named_parameters()}
        buffers = {k: v.detach() for k, v in model.named_buffers()}
        F_ = F if lib is ag else torch.nn.functional

        def compute_loss(params, buffers, sample, target):
            predictions = fn.functional_call(model, (params, buffers), (sample.unsqueeze(0),))
            return F_.cross_entropy(predictions, target.unsqueeze(0))

        per_sample = fn.vmap(fn.grad(compute_loss), in_dims=(None, None, 0, 0))
        res.append(per_sample(params, buffers, lib.tensor(x), lib.tensor(y)))
    _close(res[0], res[1], 1e-5)
    assert res[0]["0.weight"].shape == (5, 6, 4)


def test_model_ensembling_with_stack_module_state():
    pairs = [_models() for _ in range(3)]
    x = RNG.standard_normal((2, 4)).astype(np.float32)
    res = []
    for k, (lib, fn) in enumerate(((ag, ag.func), (torch, tf))):
        models = [p[k] for p in pairs]
        for m in models:
            m.eval()
        params, buffers = fn.stack_module_state(models)
        base = copy.deepcopy(models[0])

        def fmodel(params, buffers, x):
            return fn.functional_call(base, (params, buffers), (x,))

        res.append(fn.vmap(fmodel, in_dims=(0, 0, None))(params, buffers, lib.tensor(x)))
        assert params["0.weight"].requires_grad and params["0.weight"].is_leaf
    _close(res[0], res[1], 1e-5)


def test_functional_call_updates_passed_buffers_and_restores_the_module():
    ours, theirs = _models()
    x, w0 = RNG.standard_normal((5, 4)).astype(np.float32), RNG.standard_normal((6, 4)).astype(np.float32)
    outs, bufs = [], []
    for lib, fn, model in ((ag, ag.func, ours), (torch, tf, theirs)):
        model.train()
        buffers = {k: v.clone() for k, v in model.named_buffers()}
        weight = lib.tensor(w0, requires_grad=True)
        out = fn.functional_call(model, ({"0.weight": weight}, buffers), lib.tensor(x))
        out.sum().backward()
        outs.append((out, weight.grad))
        bufs.append(buffers)
        assert not np.allclose(model[0].weight.detach().numpy(), w0) and model[0].weight.grad is None
    _close(outs[0], outs[1], 1e-5)
    _close(bufs[0], bufs[1], 1e-5)


def test_functional_call_tied_weights_and_strict():
    for lib, fn in ((nn, ag.func), (torch.nn, tf)):
        m = lib.Sequential(lib.Linear(3, 3, bias=False), lib.Linear(3, 3, bias=False))
        m[1].weight = m[0].weight
        w = (ag if lib is nn else torch).eye(3) * 2
        x = (ag if lib is nn else torch).ones(1, 3)
        assert fn.functional_call(m, {"0.weight": w}, (x,)).tolist() == [[4.0, 4.0, 4.0]]
        assert fn.functional_call(m, {"0.weight": w}, (x,), tie_weights=False).tolist() != [[4.0, 4.0, 4.0]]
        with pytest.raises(RuntimeError, match="Missing key"):
            fn.functional_call(m, {"0.weight": w}, (x,), tie_weights=False, strict=True)


def f_vec(x):
    return (x.sin() * x.exp()).cumsum(0)


def f_scalar(x, y):
    return (x.sin() * y).sum() + (x * x).sum() * y.sum()


@pytest.mark.parametrize("which", ["grad", "grad_and_value", "gradgrad", "jacrev", "jacfwd", "hessian",
                                   "jacrev_argnums", "vjp", "jvp", "vmap_grad"])
def test_transforms_match_pytorch(which):
    xa, ya = RNG.standard_normal(4), RNG.standard_normal(4)
    res = []
    for lib, fn in ((ag, ag.func), (torch, tf)):
        x, y = lib.tensor(xa), lib.tensor(ya)
        if which == "grad":
            r = fn.grad(f_scalar, argnums=(0, 1))(x, y)
        elif which == "grad_and_value":
            r = fn.grad_and_value(lambda x, y: (f_scalar(x, y), x.sum()), has_aux=True)(x, y)
        elif which == "gradgrad":
            r = fn.grad(lambda x: fn.grad(lambda x: f_scalar(x, y))(x).sum())(x)
        elif which == "jacrev":
            r = fn.jacrev(f_vec)(x)
        elif which == "jacfwd":
            r = fn.jacfwd(f_vec)(x)
        elif which == "hessian":
            r = fn.hessian(f_scalar)(x, y)
        elif which == "jacrev_argnums":
            r = fn.jacrev(lambda x, y: (x * y, y.exp()), argnums=(0, 1))(x, y)
        elif which == "vjp":
            out, vjp_fn = fn.vjp(f_vec, x)
            r = (out, vjp_fn(lib.tensor(ya)))
        elif which == "jvp":
            r = fn.jvp(f_vec, (x,), (lib.tensor(ya),))
        else:
            r = fn.vmap(fn.grad(f_scalar), in_dims=(0, None))(lib.tensor(np.stack([xa, ya, xa * 2])), y)
        res.append(r)
    _close(res[0], res[1], 1e-10)


def test_vmap_dims_nesting_and_errors():
    a = RNG.standard_normal((3, 4, 5))
    res = []
    for lib, fn in ((ag, ag.func), (torch, tf)):
        x = lib.tensor(a)
        r1 = fn.vmap(lambda t: t.sum(0), in_dims=1, out_dims=1)(x)
        r2 = fn.vmap(fn.vmap(lambda t, s: t * s), in_dims=(0, None))(x, lib.tensor(a[0]))
        r3 = fn.vmap(lambda d: {"s": d["a"] + d["b"], "p": (d["a"] * 2,)})({"a": x, "b": x})
        res.append((r1, r2, r3["s"], r3["p"][0]))
        with pytest.raises(ValueError):
            fn.vmap(lambda t, s: t + s)(x, lib.tensor(a[:2]))
        with pytest.raises(ValueError):
            fn.vmap(lambda t: t, in_dims=None)(x)
    _close(res[0], res[1], 1e-12)
    assert ag.vmap is vmap and callable(grad) and callable(jacfwd) and callable(jacrev)
    assert callable(hessian) and callable(jvp) and callable(vjp) and callable(grad_and_value)
    assert callable(functional_call)


def test_grad_of_a_non_scalar_raises():
    with pytest.raises(RuntimeError, match="scalar Tensor"):
        grad(lambda x: x * 2)(ag.ones(3))
