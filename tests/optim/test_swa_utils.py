"""optim.swa_utils: AveragedModel (SWA, EMA, custom averages, buffers), update_bn and SWALR, against NumPy
references and PyTorch."""
from __future__ import annotations

import numpy as np
import pytest
from test_lr_scheduler import _compare, _pair, _run

import autograd as ag
import nn
from optim import swa_utils

STEPS = 5


def _model(module=nn):
    return module.Sequential(module.Linear(3, 4), module.BatchNorm1d(4), module.ReLU(), module.Linear(4, 2))


def _snapshots(seed=0):
    """Parameter values of STEPS training snapshots (float32), in parameters() order."""
    rng = np.random.default_rng(seed)
    shapes = [(4, 3), (4,), (4,), (4,), (2, 4), (2,)]
    return [[rng.standard_normal(s).astype(np.float32) for s in shapes] for _ in range(STEPS)]


def _load(model, values, buffers=None):
    with ag.no_grad():
        for p, v in zip(model.parameters(), values):
            p.copy_(ag.tensor(v))
        for b, v in zip(model.buffers(), buffers or []):
            b.copy_(ag.tensor(v))


def _average(make_avg, snapshots, buffers=None):
    model = _model()
    avg = make_avg(model)
    for k, values in enumerate(snapshots):
        _load(model, values, buffers[k] if buffers else None)
        avg.update_parameters(model)
    return avg


def _torch_average(make_avg, snapshots, buffers=None):
    torch = pytest.importorskip("torch")
    model = _model(torch.nn)
    avg = make_avg(model)
    for k, values in enumerate(snapshots):
        with torch.no_grad():
            for p, v in zip(model.parameters(), values):
                p.copy_(torch.tensor(v))
            for b, v in zip(model.buffers(), buffers[k] if buffers else []):
                b.copy_(torch.tensor(v))
        avg.update_parameters(model)
    return avg


def _params(avg):
    return [p.detach().numpy() for p in avg.module.parameters()]


def test_swa_average_is_the_mean():
    snaps = _snapshots()
    avg = _average(swa_utils.AveragedModel, snaps)
    assert int(avg.n_averaged) == STEPS and avg.n_averaged.dtype == ag.int64
    for i, p in enumerate(_params(avg)):
        np.testing.assert_allclose(p, np.mean([s[i] for s in snaps], axis=0), rtol=1e-5, atol=1e-6)
    assert not any(p is q for p, q in zip(avg.module.parameters(), _model().parameters()))
    theirs = _torch_average(pytest.importorskip("torch").optim.swa_utils.AveragedModel, snaps)
    for a, b in zip(_params(avg), [p.detach().numpy() for p in theirs.module.parameters()]):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("decay", [0.9, 0.3])
def test_ema_multi_avg_fn(decay):
    snaps = _snapshots(1)
    avg = _average(lambda m: swa_utils.AveragedModel(m, multi_avg_fn=swa_utils.get_ema_multi_avg_fn(decay)),
                   snaps)
    for i, p in enumerate(_params(avg)):
        ref = snaps[0][i].astype(np.float64)
        for s in snaps[1:]:
            ref = decay * ref + (1 - decay) * s[i]
        np.testing.assert_allclose(p, ref, rtol=1e-5, atol=1e-6)
    torch = pytest.importorskip("torch")
    su = torch.optim.swa_utils
    theirs = _torch_average(lambda m: su.AveragedModel(m, multi_avg_fn=su.get_ema_multi_avg_fn(decay)), snaps)
    for a, b in zip(_params(avg), [p.detach().numpy() for p in theirs.module.parameters()]):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)  # PyTorch's lerp: vector FMA, scalar tails


@pytest.mark.parametrize("multi", ["ema", "swa"])
def test_multi_avg_fns_on_a_float64_model(multi):
    # the EMA's lerp called the float64 dtype object as a function (TypeError); float32 worked
    snaps = [[v.astype(np.float64) for v in s] for s in _snapshots(3)]
    fn = swa_utils.get_ema_multi_avg_fn(0.9) if multi == "ema" else swa_utils.get_swa_multi_avg_fn()
    model = _model().double()
    avg = swa_utils.AveragedModel(model, multi_avg_fn=fn)
    for values in snaps:
        _load(model, values)
        avg.update_parameters(model)
    for i, p in enumerate(avg.module.parameters()):
        assert p.dtype == ag.float64
        ref = snaps[0][i]
        for k, s in enumerate(snaps[1:], 2):
            ref = 0.9 * ref + 0.1 * s[i] if multi == "ema" else ref + (s[i] - ref) / k
        np.testing.assert_allclose(p.detach().numpy(), ref, rtol=1e-13, atol=1e-14)


def test_avg_fn_and_swa_multi_avg_fn_and_ema_avg_fn():
    snaps = _snapshots(2)
    custom = _average(lambda m: swa_utils.AveragedModel(m, avg_fn=lambda a, p, n: ag.maximum(a, p)), snaps)
    for i, p in enumerate(_params(custom)):
        np.testing.assert_array_equal(p, np.max([s[i] for s in snaps], axis=0))
    multi_fn = swa_utils.get_swa_multi_avg_fn()
    multi = _average(lambda m: swa_utils.AveragedModel(m, multi_avg_fn=multi_fn), snaps)
    ema = _average(lambda m: swa_utils.AveragedModel(m, avg_fn=swa_utils.get_ema_avg_fn(0.5)), snaps)
    for i, (p, q) in enumerate(zip(_params(multi), _params(ema))):
        np.testing.assert_allclose(p, np.mean([s[i] for s in snaps], axis=0), rtol=1e-5, atol=1e-6)
        ref = snaps[0][i]
        for s in snaps[1:]:
            ref = 0.5 * ref + 0.5 * s[i]
        np.testing.assert_allclose(q, ref, rtol=1e-6)
    with pytest.raises(AssertionError, match="Only one of avg_fn and multi_avg_fn"):
        swa_utils.AveragedModel(_model(), avg_fn=swa_utils.get_swa_avg_fn(),
                                multi_avg_fn=swa_utils.get_swa_multi_avg_fn())
    with pytest.raises(ValueError, match="Invalid decay value 1.5 provided"):
        swa_utils.get_ema_multi_avg_fn(1.5)


@pytest.mark.parametrize("use_buffers", [False, True])
def test_buffers_copied_or_averaged(use_buffers):
    snaps = _snapshots(3)
    rng = np.random.default_rng(4)
    bufs = [[rng.random(4).astype(np.float32), rng.random(4).astype(np.float32) + 1, np.array(k + 3)]
            for k in range(STEPS)]
    avg = _average(lambda m: swa_utils.AveragedModel(m, use_buffers=use_buffers), snaps, bufs)
    mean_buf, var_buf, count = [b.numpy() for b in avg.module.buffers()]
    if use_buffers:
        np.testing.assert_allclose(mean_buf, np.mean([b[0] for b in bufs], axis=0), rtol=1e-5)
        ref = 3  # an integer buffer truncates at each update, as PyTorch's copy_: avg + (x - avg) / (n + 1)
        for n, buf in enumerate(bufs[1:], start=1):
            ref = int(ref + (int(buf[2]) - ref) / (n + 1))
        assert int(count) == ref
    else:
        np.testing.assert_array_equal(mean_buf, bufs[-1][0])
        assert int(count) == STEPS + 2
    torch = pytest.importorskip("torch")
    su = torch.optim.swa_utils
    theirs = _torch_average(lambda m: su.AveragedModel(m, use_buffers=use_buffers), snaps, bufs)
    for a, b in zip(avg.module.buffers(), theirs.module.buffers()):
        assert a.dtype.itemsize == b.dtype.itemsize
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)
    for a, b in zip(_params(avg), [p.detach().numpy() for p in theirs.module.parameters()]):
        np.testing.assert_array_equal(a, b)


def test_averaged_model_forward_and_state_dict():
    model = _model()
    avg = swa_utils.AveragedModel(model)
    avg.update_parameters(model)
    avg.eval()
    model.eval()
    x = ag.randn(5, 3)
    np.testing.assert_array_equal(avg(x).detach().numpy(), model(x).detach().numpy())
    keys = list(avg.state_dict())
    assert keys[0] == "n_averaged" and "module.0.weight" in keys and "module.1.running_mean" in keys


def test_update_bn_equal_weight_running_stats():
    rng = np.random.default_rng(5)
    batches = [rng.standard_normal((8, 3)).astype(np.float32) * (k + 1) + k for k in range(4)]
    model = _model()
    model.eval()
    bn = model[1]
    loader = [(ag.tensor(b), ag.zeros(8)) for b in batches]  # (input, target) pairs: the input is used
    swa_utils.update_bn(loader, model)
    assert not model.training and bn.momentum == 0.1 and int(bn.num_batches_tracked) == 4
    w, b = model[0].weight.detach().numpy(), model[0].bias.detach().numpy()
    hidden = [x @ w.T + b for x in batches]
    np.testing.assert_allclose(bn.running_mean.numpy(), np.mean([h.mean(0) for h in hidden], axis=0),
                               rtol=1e-5)
    np.testing.assert_allclose(bn.running_var.numpy(), np.mean([h.var(0, ddof=1) for h in hidden], axis=0),
                               rtol=1e-5)
    swa_utils.update_bn([ag.ones(2, 3)], nn.Linear(3, 2))  # no BatchNorm: nothing to do
    torch = pytest.importorskip("torch")
    tmodel = _model(torch.nn)
    with torch.no_grad():
        for p, q in zip(tmodel.parameters(), model.parameters()):
            p.copy_(torch.tensor(q.detach().numpy()))
    torch.optim.swa_utils.update_bn([torch.tensor(b) for b in batches], tmodel)
    np.testing.assert_allclose(bn.running_mean.numpy(), tmodel[1].running_mean.numpy(), rtol=1e-5)
    np.testing.assert_allclose(bn.running_var.numpy(), tmodel[1].running_var.numpy(), rtol=1e-5)


SWALRS = [{"swa_lr": 0.05}, {"swa_lr": [0.05, 0.001], "anneal_epochs": 7, "anneal_strategy": "linear"},
          {"swa_lr": 0.2, "anneal_epochs": 0}, {"swa_lr": 0.01, "anneal_epochs": 1, "anneal_strategy": "cos"}]


@pytest.mark.parametrize("kwargs", SWALRS, ids=[str(k) for k in SWALRS])
def test_swalr_matches_torch_and_closed_form(kwargs):
    _compare("SWALR", kwargs, steps=15)


def test_swalr_after_cosine_and_state():
    opt, _ = _pair()
    sched = swa_utils.SWALR(opt, swa_lr=0.05, anneal_epochs=3)
    _run(opt, sched, steps=4)
    state = sched.state_dict()
    assert "anneal_func" not in state and state["_anneal_strategy"] == "cos"
    opt2, _ = _pair()
    other = swa_utils.SWALR(opt2, swa_lr=0.05, anneal_strategy="linear")
    other.load_state_dict(state)
    assert other.anneal_func is swa_utils.SWALR._cosine_anneal
    assert opt.param_groups[1]["swa_lr"] == 0.05
    with pytest.raises(ValueError, match="anneal_strategy must be one of 'cos' or 'linear'"):
        swa_utils.SWALR(opt, swa_lr=0.1, anneal_strategy="exp")
    with pytest.raises(ValueError, match="anneal_epochs must be equal or greater than 0, got -1"):
        swa_utils.SWALR(opt, swa_lr=0.1, anneal_epochs=-1)
    with pytest.raises(ValueError, match="swa_lr must have the same length"):
        swa_utils.SWALR(opt, swa_lr=[0.1])
