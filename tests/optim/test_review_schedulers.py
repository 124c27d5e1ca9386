"""Review of the learning-rate schedulers against PyTorch: the lr sequences over 60 steps, exactly.

Every scheduler runs on an optimizer with two param groups (different lrs);
the groups' lrs and ``get_last_lr()`` are compared after every step, also
across a ``state_dict`` round trip into a new scheduler, with the lr changed
by hand mid-training, with lr given as a Tensor, and with momentum cycling
driving SGD's momentum or Adam's beta1.
"""
from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest

import autograd as ag
import optim

torch = pytest.importorskip("torch")

def _swa(lr_scheduler_module):
    return torch.optim.swa_utils if lr_scheduler_module is torch.optim.lr_scheduler else optim.swa_utils


SCHEDULERS = {
    "StepLR": lambda L, o: L.StepLR(o, 7, gamma=0.5),
    "MultiStepLR": lambda L, o: L.MultiStepLR(o, [5, 5, 12, 30], gamma=0.3),
    "ExponentialLR": lambda L, o: L.ExponentialLR(o, 0.95),
    "CosineAnnealingLR": lambda L, o: L.CosineAnnealingLR(o, T_max=10, eta_min=0.001),
    "CosineAnnealingLR_no_min": lambda L, o: L.CosineAnnealingLR(o, T_max=13),
    "CosineAnnealingWarmRestarts": lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=2,
                                                                              eta_min=0.01),
    "OneCycleLR_cos": lambda L, o: L.OneCycleLR(o, max_lr=1.0, total_steps=61),
    "OneCycleLR_linear_three_phase": lambda L, o: L.OneCycleLR(
        o, max_lr=[1.0, 0.5], total_steps=61, anneal_strategy="linear", three_phase=True, pct_start=0.2,
        div_factor=10, final_div_factor=100),
    "OneCycleLR_epochs": lambda L, o: L.OneCycleLR(o, max_lr=1.0, epochs=7, steps_per_epoch=10,
                                                   cycle_momentum=False),
    "CyclicLR_triangular": lambda L, o: L.CyclicLR(o, 0.01, 0.1, step_size_up=4),
    "CyclicLR_triangular2": lambda L, o: L.CyclicLR(o, [0.01, 0.02], 0.1, step_size_up=4, step_size_down=6,
                                                    mode="triangular2"),
    "CyclicLR_exp_range": lambda L, o: L.CyclicLR(o, 0.01, 0.1, step_size_up=5, mode="exp_range", gamma=0.97),
    "CyclicLR_scale_fn": lambda L, o: L.CyclicLR(o, 0.01, 0.1, step_size_up=5, scale_fn=lambda x: 0.5 ** x,
                                                 scale_mode="iterations"),
    "LinearLR": lambda L, o: L.LinearLR(o, start_factor=0.25, end_factor=0.9, total_iters=13),
    "ConstantLR": lambda L, o: L.ConstantLR(o, factor=0.3, total_iters=9),
    "PolynomialLR": lambda L, o: L.PolynomialLR(o, total_iters=17, power=1.7),
    "LambdaLR": lambda L, o: L.LambdaLR(o, [lambda e: 0.9 ** e, lambda e: 1 / (e + 1)]),
    "MultiplicativeLR": lambda L, o: L.MultiplicativeLR(o, lambda e: 0.97),
    "SequentialLR": lambda L, o: L.SequentialLR(
        o, [L.LinearLR(o, 0.1, total_iters=5), L.ExponentialLR(o, 0.9), L.CosineAnnealingLR(o, 10)],
        milestones=[5, 20]),
    "ChainedScheduler": lambda L, o: L.ChainedScheduler(
        [L.StepLR(o, 3, 0.5), L.MultiStepLR(o, [10, 20], 0.1), L.CosineAnnealingLR(o, 8)]),
    "SWALR": lambda L, o: _swa(L).SWALR(o, swa_lr=[0.01, 0.2], anneal_epochs=5, anneal_strategy="linear"),
    "SWALR_cos": lambda L, o: _swa(L).SWALR(o, swa_lr=0.02, anneal_epochs=7),
}
CYCLING = [k for k in SCHEDULERS if k.startswith(("OneCycle", "CyclicLR"))]


def _optimizer(use_torch, name="SGD", lr=0.1, **kwargs):
    lib, opt = (torch, torch.optim) if use_torch else (ag, optim)
    params = [lib.zeros(2, requires_grad=True), lib.zeros(3, requires_grad=True)]
    if name == "SGD":
        kwargs.setdefault("momentum", 0.9)
    lr = lr(lib) if callable(lr) else lr
    return getattr(opt, name)([{"params": [params[0]]}, {"params": [params[1]], "lr": 0.05}], lr=lr, **kwargs)


def _flat(values):
    out = []
    for v in values:
        out.extend(_flat(v) if isinstance(v, (tuple, list)) else [float(v)])
    return out


def _run(use_torch, factory, steps=60, reload_at=None, manual_at=None, keys=("lr",), epochs=None,
         **opt_kwargs):
    opt = _optimizer(use_torch, **opt_kwargs)
    lib = torch.optim.lr_scheduler if use_torch else optim.lr_scheduler
    sched = factory(lib, opt)
    seen = [_flat([[g[k] for k in keys] for g in opt.param_groups] + sched.get_last_lr())]
    for i in range(steps):
        opt.step()
        if epochs is None:
            sched.step()
        else:
            sched.step(epochs[i])
        if i == reload_at:
            saved = copy.deepcopy(sched.state_dict())
            sched = factory(lib, opt)
            sched.load_state_dict(saved)
        if i == manual_at:
            for g in opt.param_groups:
                g["lr"] = g["lr"] * 0.5
        seen.append(_flat([[g[k] for k in keys] for g in opt.param_groups] + sched.get_last_lr()))
    return seen


def _compare(**kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want, got = _run(True, **kwargs), _run(False, **kwargs)
    for i, (w, g) in enumerate(zip(want, got, strict=True)):
        np.testing.assert_allclose(g, w, rtol=1e-13, atol=0, err_msg=f"after step {i}")


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_lr_sequence_matches_torch(name):
    _compare(factory=SCHEDULERS[name])
    _compare(factory=SCHEDULERS[name], reload_at=17)
    _compare(factory=SCHEDULERS[name], manual_at=10)


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_tensor_lr_is_filled_in_place_as_torch(name):
    # PyTorch fills a Tensor lr in place (so a float32 lr tensor holds float32-rounded values); the
    # cyclic schedulers, which compute from Python floats, wrote unrounded floats over it here
    _compare(factory=SCHEDULERS[name], name="Adam", lr=lambda lib: lib.tensor(0.1))


def test_tensor_lr_stays_the_same_tensor_and_is_never_aliased():
    lr = ag.tensor(0.1, dtype=ag.float64)
    opt = optim.SGD([ag.zeros(2, requires_grad=True)], lr=lr)
    sched = optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10)
    for _ in range(3):
        opt.step()
        sched.step()
    group = opt.param_groups[0]
    assert group["lr"] is lr
    assert group["initial_lr"] is not lr and float(group["initial_lr"]) == pytest.approx(0.04)
    last = sched.get_last_lr()[0]
    assert isinstance(last, ag.Tensor) and last is not lr
    last.fill_(123.0)  # changing what get_last_lr() returned changes nothing
    assert float(group["lr"]) != 123.0


def test_tensor_lr_with_reduce_lr_on_plateau_is_filled_in_place():
    for use_torch in (True, False):
        lib = torch if use_torch else ag
        lr = lib.tensor(0.1, dtype=lib.float64)
        mod = torch.optim if use_torch else optim
        opt = mod.SGD([lib.zeros(2, requires_grad=True)], lr=lr)
        sched = mod.lr_scheduler.ReduceLROnPlateau(opt, patience=0, factor=0.3)
        for metric in [1.0, 2.0, 3.0]:
            opt.step()
            sched.step(metric)
        assert opt.param_groups[0]["lr"] is lr
        assert float(lr) == pytest.approx(0.1 * 0.3 * 0.3, rel=1e-15)


@pytest.mark.parametrize("name", CYCLING)
@pytest.mark.parametrize(("opt_name", "key"), [("Adam", "betas"), ("SGD", "momentum"), ("NAdam", "betas")])
def test_momentum_cycling_matches_torch(name, opt_name, key):
    _compare(factory=SCHEDULERS[name], name=opt_name, keys=("lr", key))


@pytest.mark.parametrize("epochs", [[0.137 * i for i in range(1, 61)],
                                    [3, 1, 14.5, 2, 40, 0] + list(range(54))], ids=["fractional", "jumps"])
def test_warm_restarts_with_epochs_passed_to_step(epochs):
    _compare(factory=SCHEDULERS["CosineAnnealingWarmRestarts"], epochs=epochs)
    _compare(factory=lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=7), epochs=epochs)


def test_closed_form_when_an_epoch_is_passed():
    for name in ("CosineAnnealingLR", "StepLR", "MultiStepLR", "ExponentialLR", "LinearLR", "PolynomialLR"):
        _compare(factory=SCHEDULERS[name], steps=8, epochs=[3, 7, 12, 25, 4, 4, 9, 10])


@pytest.mark.parametrize("kwargs", [{}, dict(mode="max"), dict(patience=2, cooldown=3, factor=0.5),
                                    dict(threshold_mode="abs", threshold=0.01, patience=1),
                                    dict(min_lr=[0.01, 0.02], patience=0, factor=0.5),
                                    dict(eps=0.03, patience=0, factor=0.5),
                                    dict(mode="max", threshold_mode="abs", patience=1, cooldown=1)])
def test_reduce_lr_on_plateau_matches_torch(kwargs):
    def metric(i):
        return [5, 4, 4, 4, 4.0000001, 4, 4, 3.99, 3.98, 3.98][i % 10] - (0 if i < 30 else 1e-4 * i)

    def run(use_torch):
        opt = _optimizer(use_torch)
        lib = torch.optim.lr_scheduler if use_torch else optim.lr_scheduler
        sched = lib.ReduceLROnPlateau(opt, **kwargs)
        out = []
        for i in range(60):
            opt.step()
            sched.step(metric(i))
            if i == 11:
                saved = copy.deepcopy(sched.state_dict())
                sched = lib.ReduceLROnPlateau(opt, **kwargs)
                sched.load_state_dict(saved)
            out.append([g["lr"] for g in opt.param_groups] + sched.get_last_lr()
                       + [sched.num_bad_epochs, sched.cooldown_counter])
        return out

    assert run(False) == run(True)


def test_scheduler_step_before_optimizer_step_warns():
    opt = _optimizer(False)
    sched = optim.lr_scheduler.StepLR(opt, 2)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()
