"""In-place functional activations, alpha dropout, multilabel margin loss and pdist against PyTorch
(recorded answers): values and gradients in float64, statistics of the random ones, argument errors."""
from __future__ import annotations

import numpy as np
import pytest
from golden import T, answer, digest
from layer_check import assert_close, check_grads, compare_fn
from test_loss import run

import autograd as ag
import nn
import nn.functional as F

TF = T.nn.functional


def _np(t):
    return t.detach().cpu().numpy()


# ---------------------------------------------------------------- in-place activations
INPLACE = [("relu_", dict()), ("leaky_relu_", dict()), ("leaky_relu_", dict(negative_slope=0.2)),
           ("elu_", dict()), ("elu_", dict(alpha=0.5)), ("hardtanh_", dict()),
           ("hardtanh_", dict(min_val=-0.5, max_val=2.0))]


def _inplace_reference(name, x, g, kw):
    import torch

    ref = {}
    for label, sl in (("whole", slice(None)), ("view", slice(1, None))):
        tx = torch.tensor(x, requires_grad=True)
        ty = tx * 1
        tv = ty[sl]
        assert getattr(torch.nn.functional, name)(tv, **kw) is tv
        ty.backward(torch.tensor(g))
        ref[f"{label}.out"], ref[f"{label}.grad"] = ty.detach().numpy().copy(), tx.grad.numpy().copy()
    return ref


@pytest.mark.parametrize("name,kw", INPLACE, ids=str)
def test_inplace_activation_matches_torch(device, name, kw):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 5)) * 2
    x[0, :4] = [0.0, -1.0, 1.0, -0.5]  # the kinks and the bounds
    g = rng.standard_normal((4, 5))
    ref = answer(f"inplace:{name}|{digest(x)}|{sorted(kw.items())!r}",
                 lambda: _inplace_reference(name, x, g, kw))
    fn = getattr(F, name)
    for label, sl in (("whole", slice(None)), ("view", slice(1, None))):
        xt = ag.tensor(x, device=device, requires_grad=True)
        y = xt * 1
        v = y[sl]
        assert fn(v, **kw) is v
        y.backward(ag.tensor(g, device=device))
        assert_close(_np(y), ref[f"{label}.out"], 1e-12, 1e-12, f"{name} {label}: output")
        assert_close(_np(xt.grad), ref[f"{label}.grad"], 1e-12, 1e-12, f"{name} {label}: gradient")
    # unrecorded: written into the tensor's own array, the same values as out-of-place
    plain = ag.tensor(x, device=device)
    data = plain.data
    assert fn(plain, **kw) is plain
    np.testing.assert_allclose(_np(data), ref["whole.out"], rtol=1e-12)
    out_of_place = getattr(F, name[:-1])(ag.tensor(x, device=device), **kw)
    assert_close(_np(out_of_place), ref["whole.out"], 1e-12, 1e-12, name[:-1])


def test_inplace_activation_errors(device):
    leaf = ag.randn(3, device=device, requires_grad=True)
    for fn in (F.relu_, F.leaky_relu_, F.elu_, F.hardtanh_):
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an"):
            fn(leaf)
    # a tensor another node saved: its backward sees the change
    x = ag.randn(3, device=device, requires_grad=True)
    y = x * 1
    z = y * y
    F.elu_(y)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_docstring_examples_run():
    from nn.functional import activation_inplace, distance, dropout, loss_extra
    from nn.modules import dropout as modules_dropout
    from nn.modules import loss_extra as modules_loss_extra
    from test_instance_norm import run_doctests

    run_doctests(activation_inplace, distance, dropout, modules_dropout, loss_extra, modules_loss_extra)


# ---------------------------------------------------------------- alpha dropout
_ALPHA = 1.7580993408473766


def _alpha_constants(p):
    a = 1 / np.sqrt((_ALPHA ** 2 * p + 1) * (1 - p))
    return a, _ALPHA * a * p, -_ALPHA * a * (1 - p)  # scale, shift of kept values, dropped value


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_alpha_dropout_formula_and_statistics(device, p):
    x = ag.tensor(np.random.default_rng(1).standard_normal(200000), device=device, requires_grad=True)
    ag.manual_seed(0)
    y = F.alpha_dropout(x, p, training=True)
    g = np.random.default_rng(2).standard_normal(200000)
    y.backward(ag.tensor(g, device=device))
    xv, yv, grad = _np(x), _np(y), _np(x.grad)
    a, shift, dropped_value = _alpha_constants(p)
    kept = grad != 0
    np.testing.assert_allclose(yv[kept], xv[kept] * a + shift, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(yv[~kept], dropped_value, rtol=1e-12)
    np.testing.assert_allclose(grad[kept], g[kept] * a, rtol=1e-12)  # d out / d x = a * keep
    assert abs((~kept).mean() - p) < 0.005
    assert abs(yv.mean()) < 0.01 and abs(yv.std() - 1) < 0.01  # self-normalizing: N(0, 1) stays N(0, 1)
    ag.manual_seed(0)
    np.testing.assert_array_equal(_np(F.alpha_dropout(x, p, training=True)), yv)  # seeded


def test_feature_alpha_dropout_drops_whole_channels(device):
    x = np.random.default_rng(3).standard_normal((40, 50, 3, 4))
    ag.manual_seed(1)
    y = _np(F.feature_alpha_dropout(ag.tensor(x, device=device), 0.4, training=True))
    a, shift, dropped_value = _alpha_constants(0.4)
    dropped = np.isclose(y, dropped_value, rtol=0, atol=1e-12) & ~np.isclose(x * a + shift, dropped_value)
    per_channel = dropped.reshape(40, 50, -1)
    assert np.all(per_channel.all(-1) | ~per_channel.any(-1))  # a channel is dropped whole or not at all
    kept = ~per_channel.all(-1)
    np.testing.assert_allclose(y.reshape(40, 50, -1)[kept], (x * a + shift).reshape(40, 50, -1)[kept],
                               rtol=1e-12)
    assert abs((~kept).mean() - 0.4) < 0.03
    y32 = F.feature_alpha_dropout(ag.ones(2, 3, dtype=ag.float32, device=device), 0.5, training=True)
    assert y32.dtype == ag.float32
    a, shift, dropped_value = _alpha_constants(0.5)
    v = _np(y32).astype(np.float64)
    assert np.all(np.isclose(v, a + shift, rtol=1e-6) | np.isclose(v, dropped_value, rtol=1e-6))


def test_alpha_dropout_identity_modules_and_errors(device):
    x = ag.randn(4, 3, device=device)
    for fn in (F.alpha_dropout, F.feature_alpha_dropout):
        assert fn(x) is x and fn(x, 0.5, training=False) is x and fn(x, 0.0, training=True) is x
        assert np.all(_np(fn(x, 1.0, training=True)) == 0)
        with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got 1.5"):
            fn(x, 1.5, training=True)
    with pytest.raises(RuntimeError, match="Feature dropout requires at least 2 dimensions in the input"):
        F.feature_alpha_dropout(ag.ones(3, device=device), 0.5, training=True)
    for cls, tcls in ((nn.AlphaDropout, T.nn.AlphaDropout),
                      (nn.FeatureAlphaDropout, T.nn.FeatureAlphaDropout)):
        m = cls(0.3)
        assert repr(m) == repr(tcls(0.3))
        assert m.eval()(x) is x
        y = _np(m.train()(x))
        assert y.shape == (4, 3) and not np.array_equal(y, _np(x))
        with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got -0.1"):
            cls(-0.1)


# ---------------------------------------------------------------- multilabel margin loss
def _multilabel_case(rng, n, c):
    x = rng.standard_normal((n, c))
    t = np.full((n, c), -1, dtype=np.int64)
    for i in range(n):
        k = rng.integers(0, c + 1)
        t[i, :k] = rng.choice(c, size=k, replace=False)
        if k + 1 < c:
            t[i, k + 1:] = rng.integers(0, c, size=c - k - 1)  # after the -1: ignored
    return x, t


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_multilabel_margin_loss_matches_torch(device, reduction):
    x, t = _multilabel_case(np.random.default_rng(4), 6, 5)
    t[0] = [2, 2, 0, -1, 4]  # a repeated target counts twice, as in PyTorch's kernel
    x[1], t[1] = [1.5, 0.5, 0.0, -1.0, 3.0], [0, -1, 0, 0, 0]  # z = 0 exactly at class 1: no gradient
    run(F.multilabel_margin_loss, TF.multilabel_margin_loss, [x, t], device, 1e-12, 1e-12, grad=(True, False),
        reduction=reduction)
    run(F.multilabel_margin_loss, TF.multilabel_margin_loss, [x[2], t[2]], device, 1e-12, 1e-12,
        grad=(True, False), reduction=reduction)  # unbatched
    run(nn.MultiLabelMarginLoss(reduction=reduction), T.nn.MultiLabelMarginLoss(reduction=reduction), [x, t],
        device, 1e-12, 1e-12, grad=(True, False))


def test_multilabel_margin_loss_edges(device):
    x, t = _multilabel_case(np.random.default_rng(5), 3, 7)
    x32 = x.astype(np.float32)
    run(F.multilabel_margin_loss, TF.multilabel_margin_loss, [x32, t], device, 1e-5, 1e-6, grad=(True, False))
    run(F.multilabel_margin_loss, TF.multilabel_margin_loss, [x, t], device, 1e-12, 1e-12, grad=(True, False),
        size_average=False)
    # an empty batch: 0, also for 'mean' (PyTorch 2.13 returns uninitialized memory here)
    empty = ag.zeros(0, 4, dtype=ag.float64, device=device, requires_grad=True)
    for reduction in ("mean", "sum"):
        target = ag.zeros(0, 4, dtype=ag.int64, device=device)
        loss = F.multilabel_margin_loss(empty, target, reduction=reduction)
        assert loss.item() == 0.0
        loss.backward()
    run(F.multilabel_margin_loss, TF.multilabel_margin_loss, [np.array(0.3), np.array(0)], device,
        grad=(True, False))
    check_grads(lambda a: F.multilabel_margin_loss(a, ag.tensor(t, device=device), reduction="none"), [x],
                device)
    assert repr(nn.MultiLabelMarginLoss()) == repr(T.nn.MultiLabelMarginLoss())


def test_multilabel_margin_loss_errors(device):
    x = ag.randn(2, 4, device=device)
    good = ag.tensor([[3, 0, -1, 1], [1, 2, 3, -1]], device=device)
    with pytest.raises(RuntimeError, match=r"inconsistent target size: \[1, 4\] for input of size: \[2, 4\]"):
        F.multilabel_margin_loss(x, good[:1])
    for bad in ([[4, 0, -1, 1], [1, 2, 3, -1]], [[-2, 0, -1, 1], [1, 2, 3, -1]]):
        with pytest.raises(RuntimeError, match="argument #2 'target' is out of range"):
            F.multilabel_margin_loss(x, ag.tensor(bad, device=device))
    with pytest.raises(RuntimeError, match="expected scalar type Long but found"):
        F.multilabel_margin_loss(x, good.float())
    with pytest.raises(RuntimeError, match=r"Expected non-empty vector or matrix with optional 0-dim batch "
                                           r"size, but got: \[2, 3, 4\]"):
        F.multilabel_margin_loss(ag.randn(2, 3, 4, device=device), ag.zeros(2, 3, 4, dtype=ag.int64))
    with pytest.raises(RuntimeError, match=r"but got: \[2, 0\]"):
        F.multilabel_margin_loss(ag.randn(2, 0, device=device), ag.zeros(2, 0, dtype=ag.int64))
    with pytest.raises(ValueError, match="bad is not a valid value for reduction"):
        F.multilabel_margin_loss(x, good, reduction="bad")


# ---------------------------------------------------------------- pdist
@pytest.mark.parametrize("p", [2, 1, 3, 1.5, 0.5, 0, float("inf")], ids=str)
def test_pdist_matches_torch(device, p):
    rng = np.random.default_rng(6)
    x = rng.standard_normal((6, 4))
    x[3] = x[1]  # a zero distance
    x[4, :2] = x[0, :2]  # zero components
    x[5] = x[2] + [1.0, -1.0, 0.5, 1.0]  # a tie in the max-norm
    compare_fn(F.pdist, TF.pdist, [x], device, 1e-10, 1e-10, p=p)
    compare_fn(F.pdist, TF.pdist, [rng.standard_normal((7, 3))], device, 1e-10, 1e-10, p=p)
    for shape in ((1, 3), (3, 0)):
        compare_fn(F.pdist, TF.pdist, [np.ones(shape)], device, p=p)
    empty = ag.ones(0, 3, dtype=ag.float64, device=device, requires_grad=True)  # (PyTorch 2.13's backward
    y = F.pdist(empty, p)  # of this one crashes the process)
    y.sum().backward()
    assert y.shape == (0,) and empty.grad.shape == (0, 3)


def test_pdist_max_norm_of_rows_with_infinities_is_inf_as_torch(device):
    # the value was max + (|d| - |d|.detach()) over the ties, inf - inf = NaN
    torch = pytest.importorskip("torch")
    a = np.array([[0.0, 1.0], [2.0, 3.0], [np.inf, 0.0], [5.0, -np.inf]])
    ours = F.pdist(ag.tensor(a, device=device, requires_grad=True), float("inf"))
    np.testing.assert_array_equal(_np(ours), torch.nn.functional.pdist(torch.tensor(a), float("inf")).numpy())

def test_pdist_float32_gradcheck_and_errors(device):
    x32 = np.random.default_rng(7).standard_normal((5, 3)).astype(np.float32)
    compare_fn(F.pdist, TF.pdist, [x32], device, 1e-5, 1e-6)
    compare_fn(F.pdist, TF.pdist, [x32], device, 1e-5, 1e-6, p=float("inf"))
    check_grads(lambda a: F.pdist(a, 3), [np.random.default_rng(8).standard_normal((4, 3))], device)
    with pytest.raises(RuntimeError, match="pdist only supports 2D tensors, got: 3D"):
        F.pdist(ag.randn(2, 3, 4, device=device))
    with pytest.raises(RuntimeError, match="pdist only supports 2D tensors, got: 1D"):
        F.pdist(ag.randn(3, device=device))
    with pytest.raises(RuntimeError, match="pdist only supports floating-point dtypes"):
        F.pdist(ag.ones(3, 2, dtype=ag.int64, device=device))
    with pytest.raises(RuntimeError, match="pdist only supports non-negative p values"):
        F.pdist(ag.randn(3, 2, device=device), -1.0)


@pytest.mark.parametrize("fn", ["pdist", "cdist"])
def test_zero_norm_distances_have_zero_gradients_and_propagate_nan(device, fn):
    # p = 0 went through norm(p=0), which has no gradient since b968163: x.grad stayed None where
    # PyTorch's pdist / cdist give zeros; and cdist counted a NaN component as nonzero (PyTorch: NaN)
    torch = pytest.importorskip("torch")
    a = np.array([[np.nan, 1, 2], [0, 1, 2], [0, 0, 0], [np.inf, 0, 0], [1e-300, -3, 0]])
    x, tx = ag.tensor(a, device=device, requires_grad=True), torch.tensor(a, requires_grad=True)
    if fn == "pdist":
        y, ty = F.pdist(x, 0), torch.nn.functional.pdist(tx, 0)
    else:
        y, ty = ag.cdist(x, x.detach() + 0.5, p=0), torch.cdist(tx, tx.detach() + 0.5, p=0)
    np.testing.assert_array_equal(y.detach().cpu().numpy(), ty.detach().numpy())
    y.sum().backward()
    ty.sum().backward()
    np.testing.assert_array_equal(x.grad.cpu().numpy(), tx.grad.numpy())
