"""Linear/Bilinear/Identity/Flatten and the activations against PyTorch, plus float64 gradchecks."""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from autograd.gradcheck import gradcheck, gradgradcheck

from layer_check import assert_close, compare_fn, compare_module

from golden import T, answer


def _np(t):
    return t.detach().cpu().numpy()


# ---------------------------------------------------------------- Linear
@pytest.mark.parametrize("shape,bias", [((4, 3), True), ((2, 5, 3), False), ((3,), True),
                                        ((2, 2, 2, 3), True)])
def test_linear_matches_torch(device, shape, bias):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(np.float32)
    compare_module(nn.Linear(3, 6, bias=bias, device=device), T.nn.Linear(3, 6, bias=bias), x, device,
                   rtol=1e-5, atol=1e-5)


def test_linear_input_without_grad(device):
    m = nn.Linear(3, 2, device=device)
    m(ag.randn(5, 3, device=device)).sum().backward()
    assert m.weight.grad.shape == (2, 3) and m.bias.grad.shape == (2,)


def test_linear_default_init_and_params():
    ag.manual_seed(0)
    m = nn.Linear(50, 40)
    assert [n for n, _ in m.named_parameters()] == ["weight", "bias"]
    w = _np(m.weight)
    bound = 1 / math.sqrt(50)  # kaiming_uniform_(a=sqrt(5)) gives U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound
    assert np.abs(_np(m.bias)).max() <= bound
    assert nn.Linear(2, 3, bias=False).bias is None
    assert repr(nn.Linear(2, 3, bias=False)) == repr(T.nn.Linear(2, 3, bias=False))
    assert nn.Linear(2, 3, dtype=ag.float64).weight.dtype == ag.float64


def test_linear_errors(device):
    m = nn.Linear(3, 2, device=device)
    with pytest.raises(RuntimeError, match="cannot be multiplied"):
        m(ag.randn(4, 5, device=device))
    with pytest.raises(RuntimeError, match="same dtype"):
        m(ag.randn(4, 3, device=device, dtype=ag.float64))


def test_linear_gradcheck(device):
    x = ag.randn(4, 3, dtype=ag.float64, device=device, requires_grad=True)
    w = ag.randn(2, 3, dtype=ag.float64, device=device, requires_grad=True)
    b = ag.randn(2, dtype=ag.float64, device=device, requires_grad=True)
    assert gradcheck(F.linear, (x, w, b))
    assert gradgradcheck(F.linear, (x, w, b))


def test_bilinear_matches_torch(device):
    rng = np.random.default_rng(0)
    tm = T.nn.Bilinear(3, 4, 5)
    m = nn.Bilinear(3, 4, 5, device=device)
    a, b = rng.standard_normal((6, 3)).astype(np.float32), rng.standard_normal((6, 4)).astype(np.float32)

    def theirs():
        import torch

        t1, t2 = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
        state = {k: v.numpy().copy() for k, v in tm.obj.state_dict().items()}
        tout = tm.obj(t1, t2)
        tout.sum().backward()
        return {"out": tout.detach().numpy(), "dx1": t1.grad.numpy(), "dW": tm.obj.weight.grad.numpy(),
                **state}
    ref = answer("bilinear", theirs)
    m.load_state_dict({k: ag.tensor(ref[k]) for k in ("weight", "bias")})
    x1, x2 = ag.tensor(a, device=device, requires_grad=True), ag.tensor(b, device=device, requires_grad=True)
    out = m(x1, x2)
    assert_close(_np(out), ref["out"], 1e-5, 1e-5, "bilinear")
    out.sum().backward()
    assert_close(_np(x1.grad), ref["dx1"], 1e-5, 1e-5, "bilinear dx1")
    assert_close(_np(m.weight.grad), ref["dW"], 1e-5, 1e-5, "bilinear dW")
    assert repr(m) == repr(tm)


def test_identity_flatten_unflatten(device):
    x = ag.randn(2, 3, 4, 5, device=device)
    assert nn.Identity(3, foo=1)(x) is x
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 2)(x).shape == (24, 5)
    assert nn.Unflatten(1, (3, 1))(ag.randn(2, 3, device=device)).shape == (2, 3, 1)
    for ours, theirs in [(nn.Flatten(), T.nn.Flatten()), (nn.Identity(), T.nn.Identity()),
                         (nn.Unflatten(1, (2, 3)), T.nn.Unflatten(1, (2, 3)))]:
        assert repr(ours) == repr(theirs)


# ---------------------------------------------------------------- activations
ACTIVATIONS = [
    (nn.ReLU(), T.nn.ReLU()),
    (nn.LeakyReLU(), T.nn.LeakyReLU()),
    (nn.LeakyReLU(0.2), T.nn.LeakyReLU(0.2)),
    (nn.ELU(), T.nn.ELU()),
    (nn.ELU(alpha=0.5), T.nn.ELU(alpha=0.5)),
    (nn.GELU(), T.nn.GELU()),
    (nn.GELU("tanh"), T.nn.GELU("tanh")),
    (nn.SiLU(), T.nn.SiLU()),
    (nn.Sigmoid(), T.nn.Sigmoid()),
    (nn.LogSigmoid(), T.nn.LogSigmoid()),
    (nn.Tanh(), T.nn.Tanh()),
    (nn.Softplus(), T.nn.Softplus()),
    (nn.Softplus(beta=2.0, threshold=3.0), T.nn.Softplus(beta=2.0, threshold=3.0)),
    (nn.Softmax(dim=1), T.nn.Softmax(dim=1)),
    (nn.Softmax(dim=-1), T.nn.Softmax(dim=-1)),
    (nn.Softmin(dim=1), T.nn.Softmin(dim=1)),
    (nn.LogSoftmax(dim=1), T.nn.LogSoftmax(dim=1)),
    (nn.ReLU6(), T.nn.ReLU6()),
    (nn.Hardtanh(-0.5, 2.0), T.nn.Hardtanh(-0.5, 2.0)),
]


@pytest.mark.parametrize("pair", ACTIVATIONS, ids=lambda p: repr(p[0]))
def test_activation_module_matches_torch(device, pair):
    rng = np.random.default_rng(0)
    ours, theirs = pair
    assert repr(ours) == repr(theirs)
    x = (rng.standard_normal((3, 4, 5)) * 4).astype(np.float32)
    x[0, 0, :3] = [0.0, 25.0, -30.0]  # kinks and the softplus threshold
    compare_module(ours, theirs, x, device, rtol=1e-5, atol=1e-5)


def test_activation_float64_against_torch(device):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 7)) * 3
    tf = T.nn.functional
    for fn, tfn, kw in [(F.gelu, tf.gelu, {}), (F.gelu, tf.gelu, {"approximate": "tanh"}),
                        (F.elu, tf.elu, {"alpha": 1.5}), (F.silu, tf.silu, {}),
                        (F.softplus, tf.softplus, {"beta": 0.5, "threshold": 2.0}),
                        (F.leaky_relu, tf.leaky_relu, {"negative_slope": 0.3}),
                        (F.logsigmoid, tf.logsigmoid, {})]:
        compare_fn(fn, tfn, [x], device, rtol=1e-12, atol=1e-12, **kw)


def test_activations_extreme_inputs(device):
    x = ag.tensor([-1e4, -100.0, 0.0, 100.0, 1e4], device=device)
    for fn in (F.gelu, F.silu, F.softplus, F.elu, F.logsigmoid, F.sigmoid):
        y = fn(x)
        assert np.all(np.isfinite(_np(y))), fn.__name__
    # float64 reference: log(sigmoid(x)) = -log1p(exp(-x)), computed stably
    v = np.array([-1e4, -100.0, 0.0, 100.0, 1e4])
    expected = np.minimum(v, 0) - np.log1p(np.exp(-np.abs(v)))
    assert_close(_np(F.logsigmoid(x)), expected.astype(np.float32), 1e-6, 1e-6, "logsigmoid")


@pytest.mark.parametrize("fn,kw", [
    (F.leaky_relu, {"negative_slope": 0.1}), (F.elu, {"alpha": 0.7}), (F.gelu, {}),
    (F.gelu, {"approximate": "tanh"}), (F.silu, {}), (F.softplus, {"beta": 2.0, "threshold": 1.0}),
    (F.logsigmoid, {}), (F.erf, {}), (F.softmax, {"dim": 1}), (F.log_softmax, {"dim": 0}),
])
def test_activation_gradcheck(device, fn, kw):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 4)) * 2
    a[np.abs(a) < 0.05] = 0.3  # keep finite differences away from kinks
    x = ag.tensor(a, dtype=ag.float64, device=device, requires_grad=True)
    assert gradcheck(lambda t: fn(t, **kw), (x,))
    assert gradgradcheck(lambda t: fn(t, **kw), (x,))


def test_softmax_implicit_dim_warns(device):
    with pytest.warns(UserWarning, match="Implicit dimension"):
        y = F.softmax(ag.randn(2, 3, device=device))
    assert_close(_np(y.sum(1)), np.ones(2, np.float32), 1e-6, 1e-6, "softmax rows")


def test_inplace_flag_repr():
    assert repr(nn.ReLU(inplace=True)) == repr(T.nn.ReLU(inplace=True))
    assert repr(nn.LeakyReLU(0.2, True)) == repr(T.nn.LeakyReLU(0.2, True))
    assert repr(nn.ELU(0.5, True)) == repr(T.nn.ELU(0.5, True))


def test_gelu_bad_approximate():
    with pytest.raises(RuntimeError, match="approximate"):
        F.gelu(ag.randn(2), approximate="fast")


def test_one_hot(device):
    t = ag.tensor([[0, 2], [1, 3]], device=device)
    out = F.one_hot(t)
    assert out.dtype == ag.int64 and out.shape == (2, 2, 4)
    expected = np.eye(4, dtype=np.int64)[[[0, 2], [1, 3]]]
    np.testing.assert_array_equal(_np(out), expected)
    assert F.one_hot(ag.tensor([1], device=device), 5).shape == (1, 5)
    with pytest.raises(RuntimeError, match="smaller than num_classes"):
        F.one_hot(t, 3)
    with pytest.raises(RuntimeError, match="non-negative"):
        F.one_hot(ag.tensor([-1], device=device))
    with pytest.raises(RuntimeError, match="LongTensor"):
        F.one_hot(ag.tensor([1.0], device=device))


@pytest.mark.parametrize("pad,mode", [
    ((1, 2), "constant"), ((1, 1, 2, 0), "constant"), ((-1, 2, 0, -1), "constant"), ((2, 1), "reflect"),
    ((1, 2, 2, 1), "reflect"), ((2, 3), "replicate"), ((1, 1, 1, 1), "replicate"), ((1, 2), "circular"),
    ((2, 1, 1, 2), "circular"),
])
def test_pad_matches_torch(device, pad, mode):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 2, 3, 4) if len(pad) == 4 else (1, 2, 4))
    compare_fn(F.pad, T.nn.functional.pad, [x], device, pad=pad, mode=mode)
    xt = ag.tensor(x, dtype=ag.float64, device=device, requires_grad=True)
    assert gradgradcheck(lambda t: F.pad(t, pad, mode=mode), (xt,))


def test_pad_constant_value_and_errors(device):
    x = ag.ones(2, 2, device=device)
    assert _np(F.pad(x, (1, 0), value=7.0))[0, 0] == 7.0
    with pytest.raises(RuntimeError, match="divisible by 2"):
        F.pad(x, (1,))
    with pytest.raises(RuntimeError, match="Padding length"):
        F.pad(x, (1, 1, 1, 1, 1, 1))
    with pytest.raises(NotImplementedError):
        F.pad(x, (1, 1), mode="bogus")
