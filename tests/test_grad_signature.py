"""``autograd.grad``'s full PyTorch signature: ``only_inputs``, ``materialize_grads``,
``is_grads_batched``, dict ``inputs`` and an empty ``inputs``, each checked against torch.

Real code (the common WGAN-GP gradient penalty) passes ``only_inputs=True``; it raised
TypeError before.
"""
import warnings

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")


def _pair(values, requires_grad=True):
    return (ag.tensor(values, requires_grad=requires_grad),
            torch.tensor(values, requires_grad=requires_grad))


def _np(t):
    return np.asarray(t.detach().numpy())


@pytest.mark.parametrize("only_inputs", [True, False])
def test_only_inputs_accepted_and_warns_when_false(only_inputs):
    results = []
    for lib, x in zip((ag, torch), _pair([1.0, -2.0, 3.0])):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            (g,) = lib.autograd.grad((x ** 3).sum(), x, create_graph=True, only_inputs=only_inputs)
        results.append((_np(g), [type(m.message) for m in w if issubclass(m.category, FutureWarning)]))
    np.testing.assert_allclose(results[0][0], results[1][0])
    assert results[0][1] == results[1][1]


def test_gradient_penalty_with_only_inputs_matches_torch():
    rng = np.random.default_rng(0)
    w1, w2 = rng.standard_normal((5, 2)), rng.standard_normal((1, 5))
    xs = rng.standard_normal((4, 2))
    grads = []
    for lib in (ag, torch):
        a = lib.tensor(w1, requires_grad=True)
        b = lib.tensor(w2, requires_grad=True)
        x = lib.tensor(xs).requires_grad_(True)
        out = lib.nn.functional.leaky_relu(x @ a.T, 0.2) @ b.T
        g = lib.autograd.grad(outputs=out, inputs=x, grad_outputs=lib.ones_like(out),
                              create_graph=True, retain_graph=True, only_inputs=True)[0]
        gp = ((g.view(g.size(0), -1).norm(2, dim=1) - 1) ** 2).mean()
        gp.backward()
        grads.append((_np(g), _np(a.grad), _np(b.grad)))
    for got, exp in zip(*grads):
        np.testing.assert_allclose(got, exp, rtol=1e-10)


@pytest.mark.parametrize("create_graph", [False, True])
def test_materialize_grads(create_graph):
    out = []
    for lib, (x, y) in zip((ag, torch), zip(_pair([1.0, 2.0]), _pair([3.0, 4.0]))):
        gx, gy = lib.autograd.grad((x * 2).sum(), (x, y), materialize_grads=True, create_graph=create_graph)
        out.append((_np(gx), _np(gy), gy.requires_grad))
    np.testing.assert_allclose(out[0][0], out[1][0])
    np.testing.assert_allclose(out[0][1], out[1][1])
    assert out[0][2] == out[1][2]


def test_materialize_grads_with_allow_unused_false_raises():
    for lib, x in zip((ag, torch), _pair([1.0])):
        with pytest.raises(ValueError, match="allow_unused"):
            lib.autograd.grad(x.sum(), x, materialize_grads=True, allow_unused=False)


def test_unused_input_raises_by_default():
    for lib, (x, y) in zip((ag, torch), zip(_pair([1.0]), _pair([2.0]))):
        with pytest.raises(RuntimeError):
            lib.autograd.grad(x.sum(), (x, y))


def test_dict_inputs_return_a_dict():
    out = []
    for lib, (x, y) in zip((ag, torch), zip(_pair([1.0, 2.0]), _pair([3.0, 4.0]))):
        res = lib.autograd.grad((x * y).sum(), {"x": x, "y": y})
        assert isinstance(res, dict) and list(res) == ["x", "y"]
        out.append({k: _np(v) for k, v in res.items()})
    for k in out[1]:
        np.testing.assert_allclose(out[0][k], out[1][k])


def test_empty_inputs_raise():
    for lib, x in zip((ag, torch), _pair([1.0])):
        with pytest.raises(RuntimeError, match="cannot be empty"):
            lib.autograd.grad(x.sum(), ())


@pytest.mark.parametrize("create_graph", [False, True])
def test_is_grads_batched_jacobian(create_graph):
    vals = [[0.5, -1.0, 2.0], [1.5, 0.3, -0.7]]
    out = []
    for lib, x in zip((ag, torch), _pair(vals)):
        y = (x.sin() * x).sum(0)  # shape (3,)
        (jac,) = lib.autograd.grad(y, x, lib.eye(3, dtype=x.dtype), is_grads_batched=True,
                                   create_graph=create_graph)
        item = [_np(jac)]
        if create_graph:
            (h,) = lib.autograd.grad(jac.sum(), x)
            item.append(_np(h))
        out.append(item)
    for got, exp in zip(*out):
        assert got.shape == exp.shape
        np.testing.assert_allclose(got, exp, rtol=1e-6)


def test_is_grads_batched_shape_mismatch_raises():
    for lib, x in zip((ag, torch), _pair([1.0, 2.0])):
        with pytest.raises(RuntimeError, match="batch dimension"):
            lib.autograd.grad(x * 2, x, lib.ones(3, 3), is_grads_batched=True)
