"""Losses (modules and functional) against PyTorch: values and gradients, every reduction."""
from __future__ import annotations

import numpy as np
import pytest
from golden import T, answer, digest
from layer_check import _reference, assert_close

import autograd as ag
import nn
import nn.functional as F
from autograd.gradcheck import gradcheck, gradgradcheck

TF = T.nn.functional
REDUCTIONS = ["mean", "sum", "none"]


def _np(t):
    return t.detach().cpu().numpy()


def run(ours, theirs, arrays, device, rtol=1e-5, atol=1e-6, grad=(True, True), **kw):
    """``ours(*tensors, **kw)`` against PyTorch's ``theirs``: the value and every float input's gradient."""
    requires = [bool(g) and a.dtype.kind == "f" for a, g in zip(arrays, grad)]

    def compute(tfn):
        import torch

        txs = [torch.tensor(a, requires_grad=r) for a, r in zip(arrays, requires)]
        kw_t = {k: (torch.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
        tout = tfn(*txs, **kw_t)
        g = np.random.default_rng(1).standard_normal(tout.shape).astype(tout.detach().numpy().dtype)
        tout.backward(torch.tensor(g))
        ref = {"out": tout.detach().numpy().copy()}
        ref.update({f"grad{i}": t.grad.numpy().copy() for i, t in enumerate(txs) if t.grad is not None})
        return ref
    spelled = "|".join(digest(a) for a in arrays) + "|" + ", ".join(
        f"{k}={digest(v) if isinstance(v, np.ndarray) else repr(v)}" for k, v in sorted(kw.items()))
    ref = _reference(theirs, "loss:{}|" + spelled, compute)
    xs = [ag.tensor(a, dtype=a.dtype, device=device, requires_grad=r) for a, r in zip(arrays, requires)]
    kw_o = {k: (ag.tensor(v, dtype=v.dtype, device=device) if isinstance(v, np.ndarray) else v)
            for k, v in kw.items()}
    out = ours(*xs, **kw_o)
    assert_close(_np(out), ref["out"], rtol, atol, "value")
    g = np.random.default_rng(1).standard_normal(ref["out"].shape).astype(ref["out"].dtype)
    out.backward(ag.tensor(g, device=device))
    for i, x in enumerate(xs):
        if requires[i]:
            assert_close(_np(x.grad), ref[f"grad{i}"], rtol, atol, f"gradient of argument {i}")
    return out


@pytest.fixture(autouse=True)
def _fresh_rng():
    """Each test draws its inputs from its own generator (the recorded answers depend on them)."""
    global rng
    rng = np.random.default_rng(0)


rng = np.random.default_rng(0)


def randn(*shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


# ---------------------------------------------------------------- regression
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"])
def test_regression_losses(device, name, reduction):
    x, y = randn(4, 5), randn(4, 5)
    y[0, :2] = x[0, :2]  # zero differences: the kinks of abs
    run(getattr(F, name), getattr(TF, name), [x, y], device, reduction=reduction)


@pytest.mark.parametrize("beta", [0.0, 0.5, 2.0])
def test_smooth_l1_beta_and_modules(device, beta):
    x, y = randn(3, 4), randn(3, 4)
    run(nn.SmoothL1Loss(beta=beta), T.nn.SmoothL1Loss(beta=beta), [x, y], device)
    run(nn.HuberLoss(delta=beta + 0.1), T.nn.HuberLoss(delta=beta + 0.1), [x, y], device)
    run(nn.MSELoss(reduction="sum"), T.nn.MSELoss(reduction="sum"), [x, y], device)
    run(nn.L1Loss(), T.nn.L1Loss(), [x, y], device)


def test_weighted_mse_l1(device):
    x, y, w = randn(3, 4), randn(3, 4), np.abs(randn(3, 4))
    for reduction in REDUCTIONS:
        run(F.mse_loss, TF.mse_loss, [x, y], device, reduction=reduction, weight=w)
        run(F.l1_loss, TF.l1_loss, [x, y], device, reduction=reduction, weight=w)


def test_mse_broadcast_warns(device):
    with pytest.warns(UserWarning, match="target size"):
        F.mse_loss(ag.randn(3, 1, device=device), ag.randn(3, device=device))


def test_legacy_reduction_args(device):
    x, y = randn(3, 4), randn(3, 4)
    run(F.mse_loss, TF.mse_loss, [x, y], device, size_average=False)
    run(F.l1_loss, TF.l1_loss, [x, y], device, reduce=False)
    with pytest.raises(ValueError, match="not a valid value"):
        F.mse_loss(ag.tensor(x), ag.tensor(y), reduction="avg")


# ---------------------------------------------------------------- cross-entropy and NLL
CE_CASES = [
    dict(),
    dict(weight=True),
    dict(ignore_index=1),
    dict(ignore_index=2, weight=True),
    dict(label_smoothing=0.1),
    dict(label_smoothing=0.2, weight=True),
    dict(label_smoothing=0.3, weight=True, ignore_index=0),
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", CE_CASES, ids=str)
@pytest.mark.parametrize("shape", [(6, 4), (3, 4, 2, 3), (4,)], ids=str)
def test_cross_entropy_indices(device, case, reduction, shape):
    case = dict(case)
    x = randn(*shape) * 3
    n_cls = shape[0] if len(shape) == 1 else shape[1]
    tshape = () if len(shape) == 1 else shape[:1] + shape[2:]
    t = rng.integers(0, n_cls, size=tshape).astype(np.int64)
    if len(shape) > 1:
        t.reshape(-1)[:2] = [1, 0]
    if case.pop("weight", False):
        case["weight"] = np.abs(randn(n_cls)) + 0.1
    run(F.cross_entropy, TF.cross_entropy, [x, t], device, reduction=reduction, **case)
    if reduction != "mean":
        return
    w = case.pop("weight", None)
    ours = nn.CrossEntropyLoss(weight=None if w is None else ag.tensor(w, device=device), reduction=reduction,
                               **case)
    theirs = T.nn.CrossEntropyLoss(weight=None if w is None else T.tensor(w), reduction=reduction,
                                       **case)
    run(ours, theirs, [x, t], device)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", [dict(), dict(weight=True), dict(label_smoothing=0.15),
                                  dict(weight=True, label_smoothing=0.25)], ids=str)
@pytest.mark.parametrize("shape", [(5, 3), (2, 3, 4)], ids=str)
def test_cross_entropy_probabilities(device, case, reduction, shape):
    case = dict(case)
    x = randn(*shape) * 2
    p = np.exp(randn(*shape))
    p = (p / p.sum(1, keepdims=True)).astype(np.float32)
    if case.pop("weight", False):
        case["weight"] = np.abs(randn(shape[1])) + 0.1
    run(F.cross_entropy, TF.cross_entropy, [x, p], device, reduction=reduction, **case)


def test_cross_entropy_large_logits(device):
    x = np.array([[1e4, 0.0, -1e4], [0.0, 1e4, 1e4], [-1e4, -1e4, 1e4 + 1]], dtype=np.float32)
    t = np.array([1, 2, 2])
    for reduction in REDUCTIONS:
        out = run(F.cross_entropy, TF.cross_entropy, [x, t], device, reduction=reduction, rtol=1e-5,
                  atol=1e-3)
        assert np.all(np.isfinite(_np(out)))
    run(F.cross_entropy, TF.cross_entropy, [x, t], device, label_smoothing=0.1, rtol=1e-5, atol=1e-2)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", [dict(), dict(weight=True), dict(ignore_index=0),
                                  dict(weight=True, ignore_index=2)], ids=str)
def test_nll_loss(device, case, reduction):
    case = dict(case)
    x = np.log(np.random.default_rng(3).dirichlet(np.ones(4), size=(5,))).astype(np.float32)
    t = np.array([0, 2, 3, 2, 1])
    if case.pop("weight", False):
        case["weight"] = np.array([0.5, 2.0, 1.0, 3.0], dtype=np.float32)
    run(F.nll_loss, TF.nll_loss, [x, t], device, reduction=reduction, **case)
    x3, t3 = randn(2, 4, 3), rng.integers(0, 4, size=(2, 3))
    run(F.nll_loss, TF.nll_loss, [x3, t3], device, reduction=reduction, **case)


def test_nll_all_ignored_is_nan_like_torch(device):
    x, t = randn(3, 4), np.array([-100, -100, -100])
    out = F.nll_loss(ag.tensor(x, device=device), ag.tensor(t, device=device))
    ref = answer("nll all ignored", lambda: {"y": TF.nll_loss(T.tensor(x), T.tensor(t)).obj.numpy()})
    assert np.isnan(_np(out)) and np.isnan(ref["y"])


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", "uint8"])
def test_targets_checked_in_one_reduction(device, dtype):
    """Targets are checked by one reduction (read as unsigned, a negative one is above every class):
    in-range targets of every integer dtype give the int64 answer bit for bit, -1 and C raise, and
    -100 (ignored), ignore_index=-1 or an in-range ignore_index give PyTorch's answers."""
    x = randn(5, 4)
    x3 = np.stack([x, x[::-1]], axis=2)
    for xs, t in ((x, [0, 3, 1, 2, 2]), (x3, [[0, 3], [1, 2], [2, 2], [0, 0], [1, 3]])):
        want = run(F.cross_entropy, TF.cross_entropy, [xs, np.array(t)], device)
        t = ag.tensor(np.array(t, dtype=dtype), device=device)
        ours = F.cross_entropy(ag.tensor(xs, device=device), t)
        assert _np(ours).tobytes() == _np(want).tobytes()
    if dtype == "uint8":
        return
    for bad in (-1, 4):
        with pytest.raises(IndexError, match=f"Target {bad} is out of bounds"):
            F.cross_entropy(ag.tensor(x, device=device), ag.tensor(np.array([0, bad, 1, 2, 2], dtype=dtype),
                                                                   device=device))
    for t, kw in (([0, -1, 1, 2, 2], dict(ignore_index=-1)), ([0, 3, 1, 2, 2], dict(ignore_index=3)),
                  ([0, -100, 1, 2, 2], {})):
        if min(t) < np.iinfo(dtype).min:
            continue
        want = run(F.cross_entropy, TF.cross_entropy, [x, np.array(t)], device, **kw)
        t = ag.tensor(np.array(t, dtype=dtype), device=device)
        ours = F.cross_entropy(ag.tensor(x, device=device), t, **kw)
        assert _np(ours).tobytes() == _np(want).tobytes()


def test_cross_entropy_errors(device):
    x = ag.randn(3, 4, device=device)
    with pytest.raises(IndexError, match="out of bounds"):
        F.cross_entropy(x, ag.tensor([0, 4, 1], device=device))
    with pytest.raises(ValueError, match="batch_size"):
        F.cross_entropy(x, ag.tensor([0, 1], device=device))
    with pytest.raises(RuntimeError, match="weight tensor"):
        F.cross_entropy(x, ag.tensor([0, 1, 2], device=device), weight=ag.ones(3, device=device))
    with pytest.raises(RuntimeError, match="label_smoothing"):
        F.cross_entropy(x, ag.tensor([0, 1, 2], device=device), label_smoothing=1.5)
    with pytest.raises(ValueError, match="size 1"):
        F.nll_loss(ag.randn(5, device=device), ag.tensor([0, 1], device=device))
    out = F.cross_entropy(ag.randn(5, device=device), ag.tensor([1], device=device), reduction="none")
    assert out.shape == ()
    with pytest.raises(RuntimeError, match="size mismatch"):
        F.cross_entropy(ag.randn(2, 3, 4, device=device), ag.zeros(2, 5, dtype=ag.int64, device=device))


def test_cross_entropy_double_backward_and_gradcheck(device):
    x = ag.randn(4, 5, dtype=ag.float64, device=device, requires_grad=True)
    t = ag.tensor([0, 4, 2, -100], device=device)
    w = ag.tensor([1.0, 2.0, 0.5, 1.0, 3.0], dtype=ag.float64, device=device)
    for kw in [dict(), dict(weight=w), dict(label_smoothing=0.2, weight=w), dict(reduction="none")]:
        assert gradcheck(lambda a: F.cross_entropy(a, t, **kw), (x,))
        assert gradgradcheck(lambda a: F.cross_entropy(a, t, **kw), (x,))
    p = ag.softmax(ag.randn(4, 5, dtype=ag.float64, device=device), 1).requires_grad_()
    assert gradcheck(lambda a, q: F.cross_entropy(a, q, label_smoothing=0.1), (x, p))
    assert gradgradcheck(lambda a: F.nll_loss(a, t, reduction="sum"), (x,))


# ---------------------------------------------------------------- binary losses
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_bce(device, reduction, weighted):
    x = (1 / (1 + np.exp(-randn(4, 3) * 2))).astype(np.float32)
    y = rng.random((4, 3)).astype(np.float32)
    kw = {"weight": np.abs(randn(4, 3))} if weighted else {}
    run(F.binary_cross_entropy, TF.binary_cross_entropy, [x, y], device, reduction=reduction, **kw)
    w = kw.get("weight")
    run(nn.BCELoss(weight=None if w is None else ag.tensor(w, device=device), reduction=reduction),
        T.nn.BCELoss(weight=None if w is None else T.tensor(w), reduction=reduction), [x, y], device)


def test_bce_clamps_log(device):
    x = np.array([0.0, 1.0, 0.5, 1e-30], dtype=np.float32)
    y = np.array([1.0, 0.0, 1.0, 1.0], dtype=np.float32)
    out = run(F.binary_cross_entropy, TF.binary_cross_entropy, [x, y], device, reduction="none", rtol=1e-5,
              atol=1e-4, grad=(True, False))  # (PyTorch's target gradient is inf here; ours is clamped)
    assert np.all(np.isfinite(_np(out))) and _np(out)[0] == pytest.approx(100.0)
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(ag.tensor([1.5], device=device), ag.tensor([1.0], device=device))
    with pytest.raises(ValueError, match="target size"):
        F.binary_cross_entropy(ag.tensor([0.5, 0.5], device=device), ag.tensor([1.0], device=device))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", ["plain", "weight", "pos_weight", "both"])
def test_bce_with_logits(device, reduction, case):
    x, y = randn(5, 3) * 4, rng.random((5, 3)).astype(np.float32)
    kw = {}
    if case in ("weight", "both"):
        kw["weight"] = np.abs(randn(5, 3))
    if case in ("pos_weight", "both"):
        kw["pos_weight"] = np.abs(randn(3)) + 0.5
    run(F.binary_cross_entropy_with_logits, TF.binary_cross_entropy_with_logits, [x, y], device,
        reduction=reduction, **kw)
    to = {k: ag.tensor(v, device=device) for k, v in kw.items()}
    tt = {k: T.tensor(v) for k, v in kw.items()}
    run(nn.BCEWithLogitsLoss(reduction=reduction, **to),
        T.nn.BCEWithLogitsLoss(reduction=reduction, **tt), [x, y], device)


def test_bce_with_logits_large_logits_and_gradcheck(device):
    x = np.array([-1e4, -50.0, 0.0, 50.0, 1e4], dtype=np.float32)
    y = np.array([1.0, 0.0, 0.5, 1.0, 0.0], dtype=np.float32)
    out = run(F.binary_cross_entropy_with_logits, TF.binary_cross_entropy_with_logits, [x, y], device,
              reduction="none")
    assert np.all(np.isfinite(_np(out)))
    xs = ag.randn(3, 4, dtype=ag.float64, device=device, requires_grad=True)
    ys = ag.rand(3, 4, dtype=ag.float64, device=device, requires_grad=True)
    pw = (ag.rand(4, dtype=ag.float64, device=device) + 0.5).requires_grad_()
    assert gradcheck(lambda a, b, p: F.binary_cross_entropy_with_logits(a, b, pos_weight=p), (xs, ys, pw))
    assert gradgradcheck(lambda a, b, p: F.binary_cross_entropy_with_logits(a, b, pos_weight=p), (xs, ys, pw))
    xp = ag.sigmoid(ag.randn(3, 4, dtype=ag.float64, device=device)).requires_grad_()
    assert gradcheck(lambda a, b: F.binary_cross_entropy(a, b), (xp, ys))
    assert gradgradcheck(lambda a, b: F.binary_cross_entropy(a, b), (xp, ys))


# ---------------------------------------------------------------- KL divergence
@pytest.mark.parametrize("reduction", ["batchmean", "sum", "none", "mean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(device, reduction, log_target):
    x = np.log(np.random.default_rng(5).dirichlet(np.ones(4), size=3)).astype(np.float32)
    q = np.random.default_rng(6).dirichlet(np.ones(4), size=3).astype(np.float32)
    t = np.log(q).astype(np.float32) if log_target else q
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run(F.kl_div, TF.kl_div, [x, t], device, reduction=reduction, log_target=log_target)
        run(nn.KLDivLoss(reduction=reduction, log_target=log_target),
            T.nn.KLDivLoss(reduction=reduction, log_target=log_target), [x, t], device)
        if not log_target:  # a zero target probability contributes 0 (PyTorch's target gradient is nan there)
            q[0, 0] = 0.0
            run(F.kl_div, TF.kl_div, [x, q], device, reduction=reduction, grad=(True, False))


# ---------------------------------------------------------------- module details
def test_loss_module_buffers_and_repr(device):
    w = ag.ones(3, device=device)
    assert list(nn.CrossEntropyLoss(weight=w).state_dict()) == ["weight"]
    assert list(nn.BCEWithLogitsLoss(pos_weight=w).state_dict()) == ["pos_weight"]
    assert list(nn.CrossEntropyLoss().state_dict()) == []
    for ours, theirs in [(nn.CrossEntropyLoss(), T.nn.CrossEntropyLoss()),
                         (nn.MSELoss(), T.nn.MSELoss()), (nn.KLDivLoss(), T.nn.KLDivLoss())]:
        assert repr(ours) == repr(theirs)
    assert nn.MSELoss(size_average=False).reduction == "sum"


@pytest.mark.parametrize("fn,kw", [
    (F.mse_loss, {}), (F.l1_loss, {"reduction": "sum"}), (F.smooth_l1_loss, {"beta": 0.7}),
    (F.huber_loss, {"delta": 0.5, "reduction": "none"}), (F.kl_div, {"reduction": "batchmean"}),
    (F.kl_div, {"reduction": "sum", "log_target": True}),
])
def test_regression_and_kl_gradcheck(device, fn, kw):
    gen = np.random.default_rng(7)
    a, b = gen.standard_normal((3, 4)), gen.standard_normal((3, 4))
    if fn is F.kl_div and not kw.get("log_target"):
        b = np.abs(b) + 0.1
    x = ag.tensor(a, dtype=ag.float64, device=device, requires_grad=True)
    y = ag.tensor(b, dtype=ag.float64, device=device, requires_grad=True)
    assert gradcheck(lambda p, q: fn(p, q, **kw), (x, y))
    assert gradgradcheck(lambda p, q: fn(p, q, **kw), (x, y))


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_cross_entropy_records_pytorchs_two_nodes(reduction):
    """cross_entropy with class-index targets is log_softmax then one NLL node that reduces (as
    PyTorch's LogSoftmaxBackward0 -> NllLossBackward0), and its value, gradient and double
    backward match PyTorch's."""
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal((6, 4))
    y = np.array([0, 3, 1, 1, 2, 0])
    xt = ag.tensor(x, requires_grad=True)
    loss = F.cross_entropy(xt, ag.tensor(y), reduction=reduction)
    assert loss.grad_fn.name() == "NllLossBackward"
    assert [f.name() for f, _ in loss.grad_fn.next_functions if f is not None] == ["LogSoftmaxBackward"]
    (g,) = ag.grad(loss, xt, create_graph=True)
    (gg,) = ag.grad((g ** 2).sum(), xt)
    tx = torch.tensor(x, requires_grad=True)
    tl = torch.nn.functional.cross_entropy(tx, torch.tensor(y), reduction=reduction)
    (tg,) = torch.autograd.grad(tl, tx, create_graph=True)
    (tgg,) = torch.autograd.grad((tg ** 2).sum(), tx)
    np.testing.assert_allclose(loss.item(), tl.item(), rtol=1e-12)
    np.testing.assert_allclose(g.detach().numpy(), tg.detach().numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(gg.numpy(), tgg.numpy(), rtol=1e-10, atol=1e-14)
