"""Margin, embedding and likelihood losses against NumPy formulas and PyTorch (recorded answers):
values and gradients for every reduction, modules, argument checks."""
from __future__ import annotations

import math

import numpy as np
import pytest
from golden import T
from layer_check import check_grads
from test_loss import run as _run

import autograd as ag
import nn
import nn.functional as F

TF = T.nn.functional
REDUCTIONS = ["mean", "sum", "none"]


def run(ours, theirs, arrays, device, grad=None, **kw):
    """test_loss's ``run`` with a gradient flag per argument (default: every argument)."""
    return _run(ours, theirs, arrays, device, grad=grad or (True,) * len(arrays), **kw)


def _np(t):
    return t.detach().cpu().numpy()


def _red(loss, reduction):
    return {"mean": np.mean, "sum": np.sum, "none": lambda v: v}[reduction](loss)


def _signs(rng, n):
    return np.where(rng.random(n) < 0.5, -1.0, 1.0)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_margin_ranking_and_hinge_embedding(device, reduction):
    rng = np.random.default_rng(1)
    x1, x2, y = rng.standard_normal(7), rng.standard_normal(7), _signs(rng, 7)
    out = run(F.margin_ranking_loss, TF.margin_ranking_loss, [x1, x2, y], device, margin=0.3,
              reduction=reduction)
    np.testing.assert_allclose(_np(out), _red(np.maximum(0, -y * (x1 - x2) + 0.3), reduction), rtol=1e-6)
    x = rng.standard_normal((3, 4))
    t = np.where(rng.random((3, 4)) < 0.5, -1.0, 1.0)
    out = run(F.hinge_embedding_loss, TF.hinge_embedding_loss, [x, t], device, grad=(True, False), margin=0.5,
              reduction=reduction)
    np.testing.assert_allclose(_np(out), _red(np.where(t == 1, x, np.maximum(0, 0.5 - x)), reduction),
                               rtol=1e-6)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_soft_margin_and_multilabel_soft_margin(device, reduction):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((4, 5)) * 3
    y = np.where(rng.random((4, 5)) < 0.5, -1.0, 1.0)
    out = run(F.soft_margin_loss, TF.soft_margin_loss, [x, y], device, grad=(True, False),
              reduction=reduction)
    np.testing.assert_allclose(_np(out), _red(np.log1p(np.exp(-y * x)), reduction), rtol=1e-6)
    t = (rng.random((4, 5)) < 0.5).astype(np.float64)
    w = rng.random(5) + 0.5
    sig = 1 / (1 + np.exp(-x))
    ref = -(t * np.log(sig) + (1 - t) * np.log(1 - sig)) * w
    for kw in (dict(), dict(weight=w)):
        out = run(F.multilabel_soft_margin_loss, TF.multilabel_soft_margin_loss, [x, t], device,
                  reduction=reduction, **kw)
        expect = ref if kw else ref / w
        np.testing.assert_allclose(_np(out), _red(expect.mean(1), reduction), rtol=1e-6)


def _np_multi_margin(x, y, p, margin, w):
    n, c = x.shape
    out = np.zeros(n)
    for i in range(n):
        for j in range(c):
            if j != y[i]:
                z = max(0.0, margin - x[i, y[i]] + x[i, j]) ** p
                out[i] += z * (w[y[i]] if w is not None else 1.0)
    return out / c


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p,margin,weighted", [(1, 1.0, False), (2, 0.7, True), (1, 2.0, True)], ids=str)
def test_multi_margin_loss(device, reduction, p, margin, weighted):
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((5, 4)), rng.integers(0, 4, 5)
    w = rng.random(4) + 0.5 if weighted else None
    kw = dict(p=p, margin=margin, reduction=reduction, **(dict(weight=w) if weighted else {}))
    out = run(F.multi_margin_loss, TF.multi_margin_loss, [x, y], device, **kw)
    np.testing.assert_allclose(_np(out), _red(_np_multi_margin(x, y, p, margin, w), reduction), rtol=1e-6)
    run(F.multi_margin_loss, TF.multi_margin_loss, [x[0], np.array(y[0])], device, **kw)  # unbatched
    m = nn.MultiMarginLoss(p, margin, ag.tensor(w, device=device) if weighted else None, reduction=reduction)
    np.testing.assert_allclose(_np(m(ag.tensor(x, device=device), ag.tensor(y, device=device))), _np(out))


def test_multi_margin_loss_has_no_gradient_at_the_hinge(device):
    # margin - x[y] + x[i] == 0 exactly: PyTorch's gradient is 0 there (clamp(min=0) once gave 1/C)
    x = ag.tensor([[-1.0, 0.0], [0.5, -0.5]], dtype=ag.float64, device=device, requires_grad=True)
    F.multi_margin_loss(x, ag.tensor([1, 0], device=device)).backward()
    np.testing.assert_array_equal(_np(x.grad), [[0.0, 0.0], [0.0, 0.0]])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cosine_embedding_loss(device, reduction):
    rng = np.random.default_rng(4)
    a, b, y = rng.standard_normal((6, 5)), rng.standard_normal((6, 5)), _signs(rng, 6)
    out = run(F.cosine_embedding_loss, TF.cosine_embedding_loss, [a, b, y], device, grad=(True, True, False),
              margin=0.2, reduction=reduction)
    cos = (a * b).sum(1) / np.sqrt(((a * a).sum(1) + 1e-12) * ((b * b).sum(1) + 1e-12))
    np.testing.assert_allclose(_np(out), _red(np.where(y == 1, 1 - cos, np.maximum(0, cos - 0.2)), reduction),
                               rtol=1e-6)
    run(F.cosine_embedding_loss, TF.cosine_embedding_loss, [a[0], b[0], np.array(-1.0)], device,
        grad=(True, True, False), reduction=reduction)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kw", [dict(), dict(margin=0.5, p=1, swap=True), dict(p=3, eps=1e-3, swap=True)],
                         ids=str)
def test_triplet_margin_loss(device, reduction, kw):
    rng = np.random.default_rng(5)
    a, pos, neg = (rng.standard_normal((6, 4)) for _ in range(3))
    out = run(F.triplet_margin_loss, TF.triplet_margin_loss, [a, pos, neg], device, reduction=reduction, **kw)
    p, eps = kw.get("p", 2), kw.get("eps", 1e-6)

    def d(x, y):
        return (np.abs(x - y + eps) ** p).sum(-1) ** (1 / p)
    dn = np.minimum(d(a, neg), d(pos, neg)) if kw.get("swap") else d(a, neg)
    ref = np.maximum(0, kw.get("margin", 1.0) + d(a, pos) - dn)
    np.testing.assert_allclose(_np(out), _red(ref, reduction), rtol=1e-6)
    m = nn.TripletMarginLoss(reduction=reduction, **kw)
    xs = [ag.tensor(v, device=device) for v in (a, pos, neg)]
    np.testing.assert_allclose(_np(m(*xs)), _np(out), rtol=1e-12)
    dist = nn.TripletMarginWithDistanceLoss(
        distance_function=lambda x, y: F.pairwise_distance(x, y, p, eps), margin=kw.get("margin", 1.0),
        swap=kw.get("swap", False), reduction=reduction)
    np.testing.assert_allclose(_np(dist(*xs)), _np(out), rtol=1e-12)


def test_triplet_margin_with_distance_loss_matches_torch(device):
    rng = np.random.default_rng(6)
    arrays = [rng.standard_normal((5, 3)) for _ in range(3)]
    run(F.triplet_margin_with_distance_loss, TF.triplet_margin_with_distance_loss, arrays, device, swap=True,
        margin=0.8)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("log_input,full", [(True, False), (False, False), (True, True), (False, True)])
def test_poisson_nll_loss(device, reduction, log_input, full):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((3, 5)) if log_input else rng.random((3, 5)) + 0.1
    t = rng.poisson(2.0, (3, 5)).astype(np.float64)
    out = run(F.poisson_nll_loss, TF.poisson_nll_loss, [x, t], device, grad=(True, False),
              log_input=log_input, full=full, reduction=reduction)
    ref = np.exp(x) - t * x if log_input else x - t * np.log(x + 1e-8)
    if full:
        ts = np.where(t > 1, t, 1.0)
        ref = ref + np.where(t > 1, ts * np.log(ts) - ts + 0.5 * np.log(2 * math.pi * ts), 0.0)
    np.testing.assert_allclose(_np(out), _red(ref, reduction), rtol=1e-6)
    tp = t + 1.5  # every target > 1: the target's gradient too
    run(F.poisson_nll_loss, TF.poisson_nll_loss, [x, tp], device, log_input=log_input, full=full,
        reduction=reduction)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("var_shape", [(4, 3), (4,), (4, 1)], ids=str)
def test_gaussian_nll_loss(device, reduction, var_shape):
    rng = np.random.default_rng(8)
    x, t = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    var = rng.random(var_shape) + 0.1
    var.flat[0] = 1e-9  # clamped to eps, gradient passed as is (PyTorch)
    for full in (False, True):
        out = run(F.gaussian_nll_loss, TF.gaussian_nll_loss, [x, t, var], device, full=full,
                  reduction=reduction)
        v = np.maximum(var if var.shape != (4,) else var[:, None], 1e-6)
        ref = 0.5 * (np.log(v) + (x - t) ** 2 / v) + (0.5 * math.log(2 * math.pi) if full else 0)
        np.testing.assert_allclose(_np(out), _red(ref, reduction), rtol=1e-6)
    out = F.gaussian_nll_loss(ag.tensor(x), ag.tensor(t), 0.5, reduction=reduction)
    np.testing.assert_allclose(_np(out), _red(0.5 * (np.log(0.5) + (x - t) ** 2 / 0.5), reduction), rtol=1e-6)


def test_gaussian_nll_loss_with_an_infinite_variance_as_torch():
    # the clamp to eps kept the gradient by var + (clamped - var): inf - inf made the loss NaN
    torch = pytest.importorskip("torch")
    results = []
    for m, f in ((ag, F), (torch, torch.nn.functional)):
        var = m.tensor([math.inf, 1e-9, 2.0, math.nan], dtype=m.float64, requires_grad=True)
        x = m.tensor([0.5, 1.0, -1.0, 0.0], dtype=m.float64, requires_grad=True)
        loss = f.gaussian_nll_loss(x, m.zeros(4, dtype=m.float64), var, reduction="none")
        grads = m.autograd.grad(loss, [x, var], m.arange(1.0, 5.0, dtype=m.float64))
        results.append([t.detach().numpy() for t in (loss, *grads)])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-14)

@pytest.mark.parametrize("reduction", ["none", "sum"])
def test_kl_div_at_zero_negative_and_nan_targets_as_torch(reduction):
    # PyTorch 2.13's kl_div is xlogy(target, target) - target * input: NaN for a negative target
    # (ours gave 0 there) and a NaN target gradient at 0 (target / target); ours masked both
    torch = pytest.importorskip("torch")
    results = []
    for m, f in ((ag, F), (torch, torch.nn.functional)):
        x = m.tensor([-1.0, -2.0, -0.5, -3.0, -1.0, 0.0], dtype=m.float64, requires_grad=True)
        t = m.tensor([0.0, -0.5, math.nan, math.inf, 0.25, 1.0], dtype=m.float64, requires_grad=True)
        with np.errstate(all="ignore"):
            loss = f.kl_div(x, t, reduction=reduction)
            w = m.arange(1.0, 7.0, dtype=m.float64) if reduction == "none" else m.tensor(2.0, dtype=m.float64)
            grads = m.autograd.grad(loss, [x, t], w)
        results.append([v.detach().numpy() for v in (loss, *grads)])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-14)

def test_losses_double_backward(device):
    rng = np.random.default_rng(9)
    a, b, c = (rng.standard_normal((3, 4)) for _ in range(3))
    y = np.array([1.0, -1.0, 1.0])
    check_grads(lambda u, v, w: F.triplet_margin_loss(u, v, w, swap=True), [a, b, c], device)
    check_grads(lambda u, v: F.cosine_embedding_loss(u, v, ag.tensor(y, device=device), margin=0.1),
                [a, b], device)
    check_grads(lambda u: F.soft_margin_loss(u, ag.tensor(np.sign(c), device=device)), [a], device)
    check_grads(lambda u, v: F.gaussian_nll_loss(u, ag.zeros(3, 4, dtype=ag.float64, device=device), v),
                [a, np.abs(b) + 0.5], device)


def test_loss_modules_match_functional_and_repr():
    rng = np.random.default_rng(10)
    x, y = ag.tensor(rng.standard_normal((3, 4))), ag.tensor(np.sign(rng.standard_normal((3, 4))))
    pairs = [(nn.HingeEmbeddingLoss(0.5, reduction="sum"),
              F.hinge_embedding_loss(x, y, 0.5, reduction="sum")),
             (nn.SoftMarginLoss(), F.soft_margin_loss(x, y)),
             (nn.MultiLabelSoftMarginLoss(), F.multilabel_soft_margin_loss(x, (y > 0).double())),
             (nn.PoissonNLLLoss(full=True), F.poisson_nll_loss(x, y.abs() * 3, full=True))]
    args = [(x, y), (x, y), (x, (y > 0).double()), (x, y.abs() * 3)]
    for (m, ref), a in zip(pairs, args):
        np.testing.assert_allclose(_np(m(*a)), _np(ref))
    assert _np(nn.MarginRankingLoss(0.5)(x[0], x[1], y[0])) == \
        _np(F.margin_ranking_loss(x[0], x[1], y[0], 0.5))
    assert _np(nn.CosineEmbeddingLoss()(x, x, y[:, 0])) == _np(F.cosine_embedding_loss(x, x, y[:, 0]))
    assert _np(nn.GaussianNLLLoss(full=True)(x, y, ag.ones(3, 4))) == \
        _np(F.gaussian_nll_loss(x, y, ag.ones(3, 4), full=True))
    for name in nn.modules.loss_extra.__all__:
        if name == "LinearCrossEntropyLoss":  # needs sizes (tests/test_torch_compat_names.py)
            continue
        kw = dict(weight=ag.ones(4)) if name == "MultiMarginLoss" else {}
        assert repr(getattr(nn, name)(**kw)) == repr(getattr(T.nn, name)()), name
    assert list(nn.MultiMarginLoss(weight=ag.ones(4)).state_dict()) == ["weight"]
    assert list(nn.MultiLabelSoftMarginLoss(weight=ag.ones(4)).state_dict()) == ["weight"]


def test_loss_errors():
    x = ag.randn(3, 4)
    with pytest.raises(RuntimeError, match="same dimension"):
        F.margin_ranking_loss(x, x, ag.ones(3))
    with pytest.raises(ValueError, match="only p == 1 and p == 2"):
        F.multi_margin_loss(x, ag.tensor([0, 1, 2]), p=3)
    with pytest.raises(ValueError, match="only p == 1 and p == 2"):
        nn.MultiMarginLoss(p=3)
    with pytest.raises(IndexError, match="target out of range"):
        F.multi_margin_loss(x, ag.tensor([0, 1, 4]))
    with pytest.raises(RuntimeError, match="inconsistent target size"):
        F.multi_margin_loss(x, ag.tensor([0, 1]))
    with pytest.raises(RuntimeError, match="1D target tensor expects 2D input"):
        F.cosine_embedding_loss(x[0], x[1], ag.ones(3))
    with pytest.raises(RuntimeError, match="0D or 1D target"):
        F.cosine_embedding_loss(x, x, ag.ones(3, 1))
    with pytest.raises(ValueError, match="margin must be greater than 0"):
        F.triplet_margin_loss(x, x, x, margin=0)
    with pytest.raises(ValueError, match="TripletMarginLoss: expected margin to be greater than 0"):
        nn.TripletMarginLoss(margin=-1)
    with pytest.raises(RuntimeError, match="anchor 2D, positive 1D, and negative 2D"):
        F.triplet_margin_loss(x, x[0], x)
    with pytest.raises(ValueError, match="var has negative"):
        F.gaussian_nll_loss(x, x, -ag.ones(3, 4))
    with pytest.raises(ValueError, match="var is of incorrect size"):
        F.gaussian_nll_loss(x, x, ag.ones(2, 4))
    with pytest.raises(RuntimeError, match="not differentiable with respect to argument 'target'"):
        F.soft_margin_loss(x, ag.ones(3, 4, requires_grad=True))
    with pytest.raises(ValueError, match="is not a valid value for reduction"):
        F.soft_margin_loss(x, x, reduction="avg")


def test_docstring_examples_run():
    from nn.functional import loss_extra as functional_loss_extra
    from nn.modules import loss_extra
    from test_instance_norm import run_doctests

    run_doctests(functional_loss_extra, loss_extra)
