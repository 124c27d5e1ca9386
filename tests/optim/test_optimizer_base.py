"""The Optimizer base class as PyTorch's: an explicit no-grad decorator on ``step``, lazy ``_init_group``."""
from __future__ import annotations

import copy
import warnings

import autograd as ag
import optim
from optim import lr_scheduler
from optim.optimizer import _use_grad_for_differentiable


class _Plain(optim.Optimizer):
    """A user-written optimizer whose step has no decorator: it runs in the caller's grad mode."""

    def __init__(self, params, lr=0.1):
        super().__init__(params, {"lr": lr})

    def step(self, closure=None):
        self.grad_enabled = ag.is_grad_enabled()


class _Decorated(_Plain):
    @_use_grad_for_differentiable
    def step(self, closure=None):
        self.grad_enabled = ag.is_grad_enabled()
        for group in self.param_groups:
            for p in group["params"]:
                p.sub_(p.grad * group["lr"])


def test_step_is_not_silently_wrapped():
    opt = _Plain([ag.ones(2, requires_grad=True)])
    opt.step()
    assert opt.grad_enabled  # no hidden wrapping of subclasses any more


def test_decorated_step_runs_without_grad():
    w = ag.ones(2, dtype=ag.float64, requires_grad=True)
    opt = _Decorated([w])
    w.grad = ag.ones(2, dtype=ag.float64)
    with ag.enable_grad():
        opt.step()
    assert not opt.grad_enabled and w.grad_fn is None and w.is_leaf
    assert w.tolist() == [0.9, 0.9]


def test_builtin_steps_carry_the_decorator():
    for name in ("SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Rprop"):
        assert getattr(optim, name).step.__wrapped__ is not None, name


def test_scheduler_tracks_step_of_any_optimizer():
    opt = _Plain([ag.ones(2, requires_grad=True)])
    sched = lr_scheduler.StepLR(opt, step_size=1)
    opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched.step()
    assert opt._opt_called


def test_optimizer_with_scheduler_copies():
    w = ag.ones(2, requires_grad=True)
    opt = optim.SGD([w], lr=0.1, momentum=0.9)
    lr_scheduler.StepLR(opt, step_size=1)
    w.grad = ag.ones(2)
    opt.step()
    state = opt.__getstate__()
    assert "step" not in state and "step" in opt.__dict__  # the scheduler's wrapper is not state
    for clone in (copy.deepcopy(opt),):
        assert "step" not in clone.__dict__
        assert clone.param_groups[0]["lr"] == 0.1
        assert list(clone.state.values())[0]["momentum_buffer"].tolist() == [1.0, 1.0]
