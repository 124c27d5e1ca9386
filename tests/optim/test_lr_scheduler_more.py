"""MultiplicativeLR, ConstantLR, LinearLR, PolynomialLR, SequentialLR, ChainedScheduler, CyclicLR and
CosineAnnealingWarmRestarts: sequences equal PyTorch's bit for bit and their closed forms to 1e-12."""
from __future__ import annotations

import math
import pickle
import warnings

import pytest
from sched_reference import schedule, warm_restart_phase
from test_lr_scheduler import LRS, _compare, _pair, _run, build

import autograd as ag
import optim
from optim import lr_scheduler


class Halve:
    """A callable object: MultiplicativeLR keeps its ``__dict__`` in the state dict."""

    def __init__(self, rate):
        self.rate = rate

    def __call__(self, epoch):
        return self.rate if epoch % 3 == 0 else 1.0


SCHEDULES = [
    ("MultiplicativeLR", {"lr_lambda": lambda e: 0.95}),
    ("MultiplicativeLR", {"lr_lambda": [Halve(0.5), lambda e: 1.0 - 0.01 * (e % 2)]}),
    ("ConstantLR", {}),
    ("ConstantLR", {"factor": 0.5, "total_iters": 10}),
    ("LinearLR", {}),
    ("LinearLR", {"start_factor": 0.1, "end_factor": 0.9, "total_iters": 20}),
    ("LinearLR", {"start_factor": 1.0, "end_factor": 0.05, "total_iters": 30}),
    ("PolynomialLR", {}),
    ("PolynomialLR", {"total_iters": 40, "power": 2.0}),
    ("PolynomialLR", {"total_iters": 30, "power": 0.5}),
    ("CosineAnnealingWarmRestarts", {"T_0": 10}),
    ("CosineAnnealingWarmRestarts", {"T_0": 3, "T_mult": 2, "eta_min": 0.001}),
    ("CosineAnnealingWarmRestarts", {"T_0": 1, "T_mult": 3}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4}),
    ("CyclicLR", {"base_lr": [0.01, 0.001], "max_lr": [0.1, 0.02], "step_size_up": 3, "step_size_down": 7,
                  "mode": "triangular2"}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 5, "mode": "exp_range", "gamma": 0.97,
                  "base_momentum": 0.7, "max_momentum": 0.95}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 6, "cycle_momentum": False}),
    ("SequentialLR", {"schedulers": [("LinearLR", {"start_factor": 0.1, "total_iters": 5}),
                                     ("ExponentialLR", {"gamma": 0.9})], "milestones": [5]}),
    ("SequentialLR", {"schedulers": [("ConstantLR", {"factor": 0.2, "total_iters": 3}),
                                     ("CosineAnnealingLR", {"T_max": 12, "eta_min": 0.001}),
                                     ("StepLR", {"step_size": 4, "gamma": 0.5})], "milestones": [3, 20]}),
    ("ChainedScheduler", {"schedulers": [("ConstantLR", {"factor": 0.1, "total_iters": 4}),
                                         ("ExponentialLR", {"gamma": 0.9})]}),
    ("ChainedScheduler", {"schedulers": [("LinearLR", {"start_factor": 0.25, "total_iters": 8}),
                                         ("StepLR", {"step_size": 5, "gamma": 0.7}),
                                         ("PolynomialLR", {"total_iters": 45, "power": 1.5})]}),
]


def _id(config):
    name, kw = config
    return name + "-" + "-".join(f"{k}={v}" if isinstance(v, (int, float, str)) else k for k, v in kw.items())


@pytest.mark.parametrize("name,kwargs", SCHEDULES, ids=[_id(c) for c in SCHEDULES])
def test_schedule_matches_torch_and_closed_form(name, kwargs):
    opt, _ = _compare(name, kwargs)
    assert opt.param_groups[0]["initial_lr"] == LRS[0] or name == "CyclicLR"


@pytest.mark.parametrize("mode", ["triangular", "exp_range"])
def test_cyclic_cycles_adam_beta1(mode):
    kwargs = {"base_lr": 0.001, "max_lr": 0.01, "step_size_up": 5, "mode": mode, "gamma": 0.99}
    opt, topt = _compare("CyclicLR", kwargs, opt_name="Adam")
    assert isinstance(opt.param_groups[0]["betas"], tuple) and opt.param_groups[0]["betas"][1] == 0.999
    if topt is not None:
        assert opt.param_groups[1]["betas"] == topt.param_groups[1]["betas"]


def test_cyclic_custom_scale_fn_and_errors():
    opt, topt = _pair()
    fn = Halve(0.3)
    sched = lr_scheduler.CyclicLR(opt, 0.01, 0.1, step_size_up=2, scale_fn=fn, scale_mode="iterations")
    seq = _run(opt, sched, steps=12)
    for e, (lrs, _, _) in enumerate(seq):
        pos = e % 4
        frac = pos / 2 if pos <= 2 else (4 - pos) / 2
        assert lrs[0] == pytest.approx(0.01 + 0.09 * frac * fn(e), rel=1e-12)
    if topt is not None:
        tsched = pytest.importorskip("torch").optim.lr_scheduler.CyclicLR(
            topt, 0.01, 0.1, step_size_up=2, scale_fn=fn, scale_mode="iterations")
        assert _run(topt, tsched, steps=12) == seq
    state = sched.state_dict()
    assert state["_scale_fn_custom"] == {"rate": 0.3} and "_scale_fn_ref" not in state
    with pytest.raises(ValueError, match="mode is invalid and scale_fn is None"):
        lr_scheduler.CyclicLR(opt, 0.01, 0.1, mode="sawtooth")
    with pytest.raises(ValueError, match="momentum or beta1"):
        lr_scheduler.CyclicLR(optim.Adagrad([ag.ones(1, requires_grad=True)]), 0.01, 0.1)
    with pytest.raises(ValueError, match="base_lr must have the same length"):
        lr_scheduler.CyclicLR(opt, [0.1], 0.2)


@pytest.mark.parametrize("t_0,t_mult", [(5, 1), (2, 2), (3, 3)])
def test_warm_restarts_fractional_epochs(t_0, t_mult):
    """step(epoch) with per-batch fractions lands on the SGDR phase of that (fractional) epoch."""
    opt, topt = _pair()
    sched = lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=t_0, T_mult=t_mult, eta_min=0.002)
    tsched = None
    if topt is not None:
        import torch as th
        tsched = th.optim.lr_scheduler.CosineAnnealingWarmRestarts(topt, T_0=t_0, T_mult=t_mult,
                                                                   eta_min=0.002)
    epochs = [e + i / 4 for e in range(12) for i in range(4) if (e + i / 4) not in (2, 6, 8, 26)]
    for epoch in epochs:
        opt.step()
        sched.step(epoch)
        t_cur, t_i = warm_restart_phase(epoch, t_0, t_mult)
        expected = [0.002 + (b - 0.002) * (1 + math.cos(math.pi * t_cur / t_i)) / 2 for b in LRS]
        assert sched.get_last_lr() == pytest.approx(expected, rel=1e-12), epoch
        assert sched.last_epoch == math.floor(epoch)
        if tsched is not None:
            topt.step()
            tsched.step(epoch)
            assert sched.get_last_lr() == tsched.get_last_lr(), epoch
            assert (sched.T_cur, sched.T_i) == (tsched.T_cur, tsched.T_i)


def test_warm_restarts_errors():
    opt, _ = _pair()
    with pytest.raises(ValueError, match="Expected positive integer T_0, but got 0"):
        lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=0)
    with pytest.raises(ValueError, match="Expected integer T_mult >= 1, but got 1.5"):
        lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=1.5)
    with pytest.raises(ValueError, match="Expected float or int eta_min"):
        lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2, eta_min="0")
    sched = lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2)
    with pytest.raises(ValueError, match="Expected non-negative epoch, but got -1"):
        sched.step(-1)


def test_factor_errors_like_torch():
    opt, _ = _pair()
    with pytest.raises(ValueError, match="Constant multiplicative factor expected to be between 0 and 1"):
        lr_scheduler.ConstantLR(opt, factor=1.5)
    with pytest.raises(ValueError, match="Starting multiplicative factor expected to be greater than 0"):
        lr_scheduler.LinearLR(opt, start_factor=0)
    with pytest.raises(ValueError, match="Ending multiplicative factor expected to be between 0 and 1"):
        lr_scheduler.LinearLR(opt, end_factor=-0.1)
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        lr_scheduler.MultiplicativeLR(opt, [lambda e: 1.0])


def test_composite_errors_like_torch():
    opt, _ = _pair()
    other, _ = _pair()
    a = lr_scheduler.ConstantLR(opt)
    with pytest.raises(ValueError, match="SequentialLR expects at least one scheduler, but got no scheduler"):
        lr_scheduler.SequentialLR(opt, [], milestones=[])
    with pytest.raises(ValueError, match="schedulers 1 and the number of milestones to be equal to 1"):
        lr_scheduler.SequentialLR(opt, [a], milestones=[3])
    with pytest.raises(ValueError, match="expects all schedulers to belong to the same optimizer"):
        lr_scheduler.SequentialLR(other, [a], milestones=[])
    with pytest.raises(ValueError, match="does not support `ReduceLROnPlateau`"):
        lr_scheduler.ChainedScheduler([a, lr_scheduler.ReduceLROnPlateau(opt)])
    with pytest.raises(TypeError, match="at index 0 should have `optimizer`"):
        lr_scheduler.ChainedScheduler([object()], optimizer=opt)
    with pytest.raises(ValueError, match="expects at least one scheduler to be chained"):
        lr_scheduler.ChainedScheduler([], optimizer=opt)


# PyTorch 2.13's state_dict keys (recorded)
_BASE = {"_get_lr_called_within_step", "_is_initial", "_last_lr", "_step_count", "base_lrs", "last_epoch"}
KEYS = {"MultiplicativeLR": _BASE | {"lr_lambdas"}, "ConstantLR": _BASE | {"factor", "total_iters"},
        "LinearLR": _BASE | {"start_factor", "end_factor", "total_iters"},
        "PolynomialLR": _BASE | {"total_iters", "power"},
        "CosineAnnealingWarmRestarts": _BASE | {"T_0", "T_i", "T_mult", "eta_min", "T_cur"},
        "CyclicLR": _BASE | {"max_lrs", "total_size", "step_ratio", "mode", "gamma", "_scale_fn_custom",
                             "scale_mode", "cycle_momentum", "use_beta1", "base_momentums", "max_momentums"},
        "SequentialLR": {"_schedulers", "_milestones", "last_epoch", "_last_lr"},
        "ChainedScheduler": {"_schedulers", "_last_lr"}}


@pytest.mark.parametrize("index", [1, 3, 5, 8, 11, 15, 18, 20])
def test_state_dict_and_resume(index):
    """Keys as PyTorch's; a fresh scheduler loaded from a pickled state continues the same sequence."""
    name, kwargs = SCHEDULES[index]
    opt, topt = _pair()
    sched = build(lr_scheduler, opt, name, kwargs)
    _run(opt, sched, steps=17)
    state = pickle.loads(pickle.dumps(sched.state_dict()))
    opt_state = pickle.loads(pickle.dumps(opt.state_dict()))
    assert set(state) == KEYS[name]
    if topt is not None:
        import torch
        tsched = build(torch.optim.lr_scheduler, topt, name, kwargs)
        _run(topt, tsched, steps=17)
        assert set(tsched.state_dict()) == set(state)
        assert state["_last_lr"] == tsched.state_dict()["_last_lr"]
    rest = _run(opt, sched, steps=15)
    opt2, _ = _pair()
    resumed = build(lr_scheduler, opt2, name, kwargs)  # PyTorch's order: scheduler, then both states
    opt2.load_state_dict(opt_state)
    resumed.load_state_dict(state)
    assert _run(opt2, resumed, steps=15) == rest


@pytest.mark.parametrize("name,kwargs", [SCHEDULES[i] for i in (1, 5, 8, 11, 14)],
                         ids=[_id(SCHEDULES[i]) for i in (1, 5, 8, 11, 14)])
def test_last_epoch_resume(name, kwargs):
    """Built with last_epoch=9 on an optimizer restored at epoch 9, as PyTorch: the constructor's step is
    "initial" (chainable schedulers keep the restored lrs; CyclicLR's closed form gives epoch 10)."""
    ref = schedule(name, kwargs, list(LRS), 12)
    runs = []
    (opt_a, topt_a), (opt_b, topt_b) = _pair(), _pair()
    for module, (opt, fresh) in [(lr_scheduler, (opt_a, opt_b)), ("torch", (topt_a, topt_b))]:
        if opt is None:
            continue
        module = pytest.importorskip("torch").optim.lr_scheduler if module == "torch" else module
        _run(opt, build(module, opt, name, kwargs), steps=9)
        fresh.load_state_dict(opt.state_dict())
        sched = build(module, fresh, name, {**kwargs, "last_epoch": 9})
        assert sched.last_epoch == 10
        runs.append(_run(fresh, sched, steps=3))
    ours = runs[0]
    if name == "CyclicLR":
        for (lrs, _, _), (ref_lrs, _) in zip(ours, ref[10:13]):
            assert lrs == pytest.approx(ref_lrs, rel=1e-12)
    elif name != "CosineAnnealingWarmRestarts":
        assert ours[0][0] == pytest.approx(ref[9][0], rel=1e-12)
    if len(runs) == 2:
        assert runs[0] == runs[1]


def test_sequential_and_chained_step_with_warnings_free_order():
    opt, _ = _pair()
    warm = lr_scheduler.LinearLR(opt, start_factor=0.5, total_iters=2)
    decay = lr_scheduler.ExponentialLR(opt, gamma=0.5)
    seq = lr_scheduler.SequentialLR(opt, [warm, decay], milestones=[2])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(4):
            opt.step()
            seq.step()
    assert seq.get_last_lr() == pytest.approx([0.1 * 0.25, 0.02 * 0.25])
    assert seq.last_epoch == 4
