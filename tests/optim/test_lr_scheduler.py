"""Learning-rate schedulers: the lr (and momentum) sequences equal PyTorch's, step for step."""
from __future__ import annotations

import math
import warnings

import pytest
from sched_reference import schedule

import autograd as ag
import optim
from optim import lr_scheduler

try:  # PyTorch is the oracle of the exact comparisons; without it, closed forms are the reference
    import torch
except ImportError:
    torch = None

STEPS = 50
LRS = (0.1, 0.02)  # two param groups with their own learning rates


def _pair(opt_name="SGD", **opt_kwargs):
    """Our optimizer with two param groups, and PyTorch's twin (None without PyTorch)."""
    opt_kwargs.setdefault("lr", LRS[0])
    if opt_name == "SGD":
        opt_kwargs.setdefault("momentum", 0.9)
    ours = [ag.ones(2, requires_grad=True), ag.ones(3, requires_grad=True)]
    opt = getattr(optim, opt_name)([{"params": ours[:1]}, {"params": ours[1:], "lr": LRS[1]}], **opt_kwargs)
    if torch is None:
        return opt, None
    theirs = [torch.ones(2, requires_grad=True), torch.ones(3, requires_grad=True)]
    topt = getattr(torch.optim, opt_name)([{"params": theirs[:1]}, {"params": theirs[1:], "lr": LRS[1]}],
                                          **opt_kwargs)
    return opt, topt


def _momenta(opt):
    return [g["betas"][0] if "betas" in g else g.get("momentum") for g in opt.param_groups]


def _run(opt, sched, metrics=None, steps=STEPS):
    """The lr and momentum after construction and after each of ``steps`` epochs."""
    seq = [(sched.get_last_lr(), [g["lr"] for g in opt.param_groups], _momenta(opt))]
    for i in range(steps):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[i])
        seq.append((list(sched.get_last_lr()), [g["lr"] for g in opt.param_groups], _momenta(opt)))
    return seq


def build(module, opt, name, kwargs):
    """``module.name(opt, **kwargs)``; SequentialLR, ChainedScheduler take ``schedulers=[(name, kwargs)]``."""
    if name in ("SequentialLR", "ChainedScheduler"):
        children = [getattr(module, n)(opt, **kw) for n, kw in kwargs["schedulers"]]
        if name == "ChainedScheduler":
            return module.ChainedScheduler(children)
        return module.SequentialLR(opt, children, milestones=kwargs["milestones"])
    if name == "SWALR":  # in swa_utils, beside lr_scheduler
        module = torch.optim.swa_utils if module.__name__.startswith("torch") else optim.swa_utils
    return getattr(module, name)(opt, **kwargs)


def _compare(name, kwargs, opt_name="SGD", metrics=None, steps=STEPS, opt_kwargs=None):
    """Our schedule equals PyTorch's to the last bit, and its closed form to 1e-12 (without PyTorch too)."""
    opt, topt = _pair(opt_name, **(opt_kwargs or {}))
    ours = _run(opt, build(lr_scheduler, opt, name, kwargs), metrics, steps)
    for epoch, ((last, lrs, momenta), (ref_lrs, ref_momenta)) in enumerate(
            zip(ours, schedule(name, kwargs, list(LRS), steps, metrics))):
        assert last == lrs and lrs == pytest.approx(ref_lrs, rel=1e-12, abs=1e-15), f"epoch {epoch}"
        if ref_momenta is not None:
            assert momenta == pytest.approx(ref_momenta, rel=1e-12), f"momentum, epoch {epoch}"
    if topt is not None:
        theirs = _run(topt, build(torch.optim.lr_scheduler, topt, name, kwargs), metrics, steps)
        for epoch, (a, b) in enumerate(zip(ours, theirs)):
            assert a == b, f"epoch {epoch}: ours {a}, PyTorch {b}"
    return opt, topt


SCHEDULES = [
    ("StepLR", {"step_size": 7, "gamma": 0.5}),
    ("StepLR", {"step_size": 1, "gamma": 0.9}),
    ("MultiStepLR", {"milestones": [5, 12, 12, 30], "gamma": 0.3}),
    ("MultiStepLR", {"milestones": [40, 10]}),
    ("ExponentialLR", {"gamma": 0.93}),
    ("ExponentialLR", {"gamma": 1.05}),
    ("CosineAnnealingLR", {"T_max": 20}),
    ("CosineAnnealingLR", {"T_max": 50, "eta_min": 0.001}),
    ("CosineAnnealingLR", {"T_max": 7, "eta_min": 0.01}),
    ("LambdaLR", {"lr_lambda": lambda e: 0.95 ** e}),
    ("LambdaLR", {"lr_lambda": [lambda e: 1 / (1 + e), lambda e: 0.5 if e > 10 else 1.0]}),
    ("OneCycleLR", {"max_lr": 0.5, "total_steps": STEPS}),
    ("OneCycleLR", {"max_lr": 0.5, "total_steps": STEPS, "anneal_strategy": "linear"}),
    ("OneCycleLR", {"max_lr": [0.5, 0.05], "total_steps": STEPS, "three_phase": True}),
    ("OneCycleLR", {"max_lr": 0.3, "total_steps": STEPS, "three_phase": True, "anneal_strategy": "linear",
                    "base_momentum": 0.8, "max_momentum": 0.9}),
    ("OneCycleLR", {"max_lr": 0.5, "epochs": 5, "steps_per_epoch": 10, "pct_start": 0.25, "div_factor": 10.0,
                    "final_div_factor": 100.0}),
    ("OneCycleLR", {"max_lr": 0.5, "total_steps": 60, "cycle_momentum": False}),
]


def _id(config):
    name, kw = config
    return name + "-" + "-".join(f"{k}={v if not callable(v) and not isinstance(v, list) else len(str(v))}"
                                 for k, v in kw.items())


@pytest.mark.parametrize("name,kwargs", SCHEDULES, ids=[_id(c) for c in SCHEDULES])
def test_schedule_matches_torch(name, kwargs):
    opt, topt = _compare(name, kwargs)
    expected = topt.param_groups[0]["initial_lr"] if topt is not None else LRS[0]
    assert opt.param_groups[0]["initial_lr"] == expected or name == "OneCycleLR" and topt is None


@pytest.mark.parametrize("anneal", ["cos", "linear"])
@pytest.mark.parametrize("three_phase", [False, True])
def test_one_cycle_cycles_adam_beta1(anneal, three_phase):
    opt, topt = _compare("OneCycleLR", {"max_lr": 0.01, "total_steps": STEPS, "anneal_strategy": anneal,
                                        "three_phase": three_phase}, opt_name="Adam")
    if topt is not None:
        assert opt.param_groups[0]["betas"] == topt.param_groups[0]["betas"]
    assert isinstance(opt.param_groups[0]["betas"], tuple)


def test_one_cycle_errors():
    opt, _ = _pair()
    with pytest.raises(ValueError, match="total_steps OR"):
        lr_scheduler.OneCycleLR(opt, max_lr=0.1)
    with pytest.raises(ValueError, match="positive integer total_steps"):
        lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=0)
    with pytest.raises(ValueError, match="pct_start"):
        lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=10, pct_start=1.5)
    with pytest.raises(ValueError, match="anneal_strategy"):
        lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=10, anneal_strategy="step")
    with pytest.raises(ValueError, match="max_lr must have the same length"):
        lr_scheduler.OneCycleLR(opt, max_lr=[0.1], total_steps=10)
    sched = lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=3)
    for _ in range(3):
        opt.step()
        sched.step()
    with pytest.raises(ValueError, match="Tried to step 4 times"):
        sched.step()
    adagrad = optim.Adagrad([ag.ones(1, requires_grad=True)])
    with pytest.raises(ValueError, match="momentum or beta1"):
        lr_scheduler.OneCycleLR(adagrad, max_lr=0.1, total_steps=10)


# A validation loss that improves, plateaus with noise, improves a little, then rises.
METRIC = ([1.0 - 0.05 * i for i in range(10)] + [0.55, 0.56, 0.549, 0.55, 0.551, 0.5499, 0.55, 0.56, 0.57]
          + [0.5 - 0.001 * i for i in range(6)] + [0.6 + 0.01 * i for i in range(15)]
          + [0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3])
PLATEAUS = [
    {},
    {"patience": 2},
    {"patience": 1, "factor": 0.5, "cooldown": 2},
    {"patience": 0, "factor": 0.5, "min_lr": 0.004},
    {"patience": 1, "factor": 0.5, "min_lr": [0.01, 0.001]},
    {"mode": "max", "patience": 2, "factor": 0.7},
    {"patience": 1, "threshold": 0.01, "threshold_mode": "abs"},
    {"mode": "max", "patience": 1, "threshold": 0.05, "threshold_mode": "abs", "cooldown": 1},
    {"patience": 0, "factor": 0.9, "eps": 0.005},
]


@pytest.mark.parametrize("kwargs", PLATEAUS, ids=[str(k) for k in PLATEAUS])
def test_reduce_lr_on_plateau_matches_torch(kwargs):
    assert len(METRIC) == STEPS
    opt, topt = _compare("ReduceLROnPlateau", kwargs, metrics=METRIC)
    assert opt.param_groups[0]["lr"] < LRS[0] or kwargs.get("mode") == "max"


def test_reduce_lr_on_plateau_accepts_tensor_metric_and_validates():
    opt, _ = _pair()
    sched = lr_scheduler.ReduceLROnPlateau(opt, patience=0)
    sched.step(ag.tensor(1.0))
    sched.step(ag.tensor(2.0))
    assert sched.get_last_lr() == [LRS[0] * 0.1, LRS[1] * 0.1]
    with pytest.raises(ValueError, match="Factor should be < 1.0"):
        lr_scheduler.ReduceLROnPlateau(opt, factor=1.0)
    with pytest.raises(ValueError, match="mode sideways is unknown"):
        lr_scheduler.ReduceLROnPlateau(opt, mode="sideways")
    with pytest.raises(ValueError, match="threshold mode"):
        lr_scheduler.ReduceLROnPlateau(opt, threshold_mode="pct")
    with pytest.raises(ValueError, match="expected 2 min_lrs"):
        lr_scheduler.ReduceLROnPlateau(opt, min_lr=[0.1])


# PyTorch 2.13's scheduler state_dict keys (recorded), beyond the base class's
_BASE_KEYS = {"_get_lr_called_within_step", "_is_initial", "_last_lr", "_step_count", "base_lrs",
              "last_epoch"}
_ONE_CYCLE_KEYS = {"_anneal_func_type", "_schedule_phases", "cycle_momentum", "total_steps"}
TORCH_KEYS = {"StepLR": {"gamma", "step_size"}, "MultiStepLR": {"gamma", "milestones"},
              "ExponentialLR": {"gamma"}, "CosineAnnealingLR": {"T_max", "eta_min"},
              "LambdaLR": {"lr_lambdas"}, "OneCycleLR": _ONE_CYCLE_KEYS}
PLATEAU_KEYS = {"_last_lr", "last_epoch", "best", "cooldown", "cooldown_counter", "default_min_lr", "eps",
                "factor", "min_lrs", "mode", "mode_worse", "num_bad_epochs", "patience", "threshold",
                "threshold_mode"}


def _expected_keys(name, kwargs):
    if name == "ReduceLROnPlateau":
        return PLATEAU_KEYS
    extra = {"use_beta1"} if name == "OneCycleLR" and kwargs.get("cycle_momentum", True) else set()
    return _BASE_KEYS | TORCH_KEYS[name] | extra


@pytest.mark.parametrize("name,kwargs", SCHEDULES[::2] + [("ReduceLROnPlateau", {"patience": 1})],
                         ids=[_id(c) for c in SCHEDULES[::2]] + ["ReduceLROnPlateau"])
def test_state_dict_keys_match_torch(name, kwargs):
    opt, topt = _pair()
    sched = getattr(lr_scheduler, name)(opt, **kwargs)
    tsched = getattr(torch.optim.lr_scheduler, name)(topt, **kwargs) if topt is not None else None
    args = (1.0,) if name == "ReduceLROnPlateau" else ()
    for _ in range(3):
        opt.step()
        sched.step(*args)
        if tsched is not None:
            topt.step()
            tsched.step(*args)
    ours = sched.state_dict()
    assert set(ours) == _expected_keys(name, kwargs)
    assert ours["last_epoch"] == 3 and ours["_last_lr"] == sched.get_last_lr()
    if tsched is not None:
        theirs = tsched.state_dict()
        assert set(ours) == set(theirs)
        for key in ("last_epoch", "base_lrs", "_last_lr", "_step_count"):
            if key in theirs:
                assert ours[key] == theirs[key], key


def test_base_lrs_initial_lr_and_resume():
    opt, _ = _pair()
    sched = lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    assert sched.base_lrs == list(LRS) and sched.last_epoch == 0
    assert [g["initial_lr"] for g in opt.param_groups] == list(LRS)
    for _ in range(5):
        opt.step()
        sched.step()
    assert sched.last_epoch == 5 and sched.get_last_lr() == [0.1 * 0.25, 0.02 * 0.25]
    fresh, _ = _pair()
    with pytest.raises(KeyError, match="initial_lr"):
        lr_scheduler.StepLR(fresh, step_size=2, last_epoch=4)


def test_cosine_closed_form_with_epoch_argument_matches_torch():
    pytest.importorskip("torch")
    opt, topt = _pair()
    sched = lr_scheduler.CosineAnnealingLR(opt, T_max=10, eta_min=0.001)
    tsched = torch.optim.lr_scheduler.CosineAnnealingLR(topt, T_max=10, eta_min=0.001)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in (3, 7, 15):
            opt.step()
            topt.step()
            sched.step(epoch)
            tsched.step(epoch)
            assert sched.get_last_lr() == tsched.get_last_lr()
    assert math.isclose(sched.get_last_lr()[0], 0.001 + (0.1 - 0.001) * (1 + math.cos(math.pi * 1.5)) / 2)


def test_warnings_like_torch():
    opt, _ = _pair()
    sched = lr_scheduler.ExponentialLR(opt, gamma=0.9)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()
    with pytest.warns(UserWarning, match="get_last_lr"):
        sched.get_lr()
    opt, _ = _pair()
    sched = lr_scheduler.ExponentialLR(opt, gamma=0.9)
    opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched.step()


def test_lambda_lr_errors_and_state_of_callable_objects():
    opt, _ = _pair()
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        lr_scheduler.LambdaLR(opt, [lambda e: 1.0])
    with pytest.raises(TypeError, match="lr_lambda should be a function"):
        lr_scheduler.LambdaLR(opt, 0.5)

    class Decay:
        def __init__(self, rate):
            self.rate = rate

        def __call__(self, epoch):
            return self.rate ** epoch

    sched = lr_scheduler.LambdaLR(opt, [Decay(0.9), lambda e: 1.0])
    state = sched.state_dict()
    assert state["lr_lambdas"] == [{"rate": 0.9}, None]
    other = lr_scheduler.LambdaLR(_pair()[0], [Decay(0.5), lambda e: 1.0])
    other.load_state_dict(state)
    assert other.lr_lambdas[0].rate == 0.9


def test_scheduler_needs_an_optimizer():
    with pytest.raises(TypeError, match="is not an Optimizer"):
        lr_scheduler.StepLR(object(), step_size=1)
