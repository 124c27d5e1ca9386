"""Optimizers against PyTorch, step by step, and their contracts (validation, dtypes, no graph)."""
from __future__ import annotations

import functools

import numpy as np
import pytest

import autograd as ag
import optim

try:  # PyTorch is the oracle of the comparisons here; the other tests run without it
    import torch
except ImportError:
    torch = None

SHAPES = [(4, 3), (3,), (3, 2), (2,)]  # two weight matrices and their biases
STEPS = 100

# (name, kwargs): every optimizer and each of its main options
CONFIGS = [
    ("SGD", {"lr": 0.05}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.05, "momentum": 0.5, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.05, "maximize": True}),
    ("Adam", {}),
    ("Adam", {"lr": 0.01, "amsgrad": True}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.01, "betas": (0.3, 0.9), "eps": 1e-4, "maximize": True}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True, "decoupled_weight_decay": True}),
    ("AdamW", {}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.2, "amsgrad": True}),
    ("AdamW", {"lr": 0.01, "betas": (0.8, 0.99), "maximize": True}),
    ("RMSprop", {}),
    ("RMSprop", {"lr": 0.001, "alpha": 0.9, "centered": True}),
    ("RMSprop", {"lr": 0.001, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.001, "centered": True, "momentum": 0.5, "weight_decay": 0.1, "eps": 1e-4}),
    ("RMSprop", {"lr": 0.001, "maximize": True}),
    ("Adagrad", {}),
    ("Adagrad", {"lr": 0.05, "lr_decay": 0.01}),
    ("Adagrad", {"lr": 0.05, "weight_decay": 0.1, "initial_accumulator_value": 0.1, "eps": 1e-5}),
    ("Adagrad", {"lr": 0.05, "maximize": True}),
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5, "rho": 0.5, "weight_decay": 0.1}),
    ("Adadelta", {"lr": 0.5, "eps": 1e-4, "maximize": True}),
    ("NAdam", {}),
    ("NAdam", {"lr": 0.01, "momentum_decay": 0.01, "weight_decay": 0.1}),
    ("NAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True}),
    ("RAdam", {}),
    ("RAdam", {"lr": 0.01, "betas": (0.8, 0.9), "weight_decay": 0.1}),
    ("RAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True}),
    ("Adamax", {}),
    ("Adamax", {"lr": 0.01, "betas": (0.5, 0.9), "weight_decay": 0.1, "eps": 1e-3}),
    ("Adamax", {"lr": 0.01, "maximize": True}),
    ("ASGD", {}),
    ("ASGD", {"lr": 0.05, "lambd": 0.01, "alpha": 0.5, "t0": 10, "weight_decay": 0.1}),
    ("ASGD", {"lr": 0.05, "t0": 0, "maximize": True}),
]
RPROP_CONFIGS = [
    ("Rprop", {}),
    ("Rprop", {"lr": 0.05, "etas": (0.3, 1.5), "step_sizes": (1e-4, 0.1)}),
    ("Rprop", {"lr": 0.05, "maximize": True}),
]


def _ids(configs):
    return [f"{name}-{'-'.join(f'{k}={v}' for k, v in kw.items()) or 'defaults'}" for name, kw in configs]


def initial_weights(dtype, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(dtype) for s in SHAPES]


@functools.lru_cache(maxsize=None)
def gradient_sequence(dtype, steps=STEPS, seed=1):
    """Deterministic gradients: random directions at varying scales, some exact zeros, a few large steps."""
    rng = np.random.default_rng(seed)
    seq = []
    for t in range(steps):
        scale = 1.0 / (1 + t / 10) if t % 7 else 3.0
        grads = []
        for s in SHAPES:
            g = (rng.standard_normal(s) * scale).astype(dtype)
            g[rng.random(s) < 0.1] = 0
            grads.append(g)
        seq.append(grads)
    return seq


def _host(t):
    return t.detach().cpu().numpy()


def make_pair(name, kwargs, dtype, device, weights=None):
    weights = initial_weights(dtype) if weights is None else weights
    ours = [ag.tensor(w, device=device, requires_grad=True) for w in weights]
    theirs = [torch.tensor(w, requires_grad=True) for w in weights]
    opt, topt = getattr(optim, name)(ours, **kwargs), getattr(torch.optim, name)(theirs, **kwargs)
    return (ours, opt), (theirs, topt)


def tensor_grads(dtype, device, steps=STEPS):
    """The gradient sequence as (ours, torch's) tensors; optimizers never write into a gradient."""
    return [([ag.tensor(g, device=device) for g in grads], [torch.tensor(g) for g in grads])
            for grads in gradient_sequence(dtype, steps)]


def feed(ours, theirs, grads):
    for p, q, g, h in zip(ours, theirs, *grads):
        p.grad, q.grad = g, h


def assert_close(ours, theirs, rtol, atol, step):
    a = np.concatenate([_host(p).ravel() for p in ours])
    b = np.concatenate([q.detach().numpy().ravel() for q in theirs])
    if not (np.abs(a - b) <= atol + rtol * np.abs(b)).all():  # the cheap check first; details on failure
        for i, (p, q) in enumerate(zip(ours, theirs)):
            np.testing.assert_allclose(_host(p), q.detach().numpy(), rtol=rtol, atol=atol,
                                       err_msg=f"parameter {i} after step {step}")


def run_against_torch(name, kwargs, dtype, device, rtol, atol):
    (ours, opt), (theirs, topt) = make_pair(name, kwargs, dtype, device)
    for step, grads in enumerate(tensor_grads(dtype, device)):
        feed(ours, theirs, grads)
        opt.step()
        topt.step()
        assert_close(ours, theirs, rtol, atol, step)
    return (ours, opt), (theirs, topt)


def run_against_reference(name, kwargs, dtype, device, rtol, atol):
    """Without PyTorch: the final parameters against the float64 NumPy reference (optim_reference.py)."""
    from optim_reference import reference

    weights = initial_weights(dtype)
    ours = [ag.tensor(w, device=device, requires_grad=True) for w in weights]
    opt = getattr(optim, name)(ours, **kwargs)
    grads = gradient_sequence(dtype)
    for step in grads:
        for p, g in zip(ours, step):
            p.grad = ag.tensor(g, device=device)
        opt.step()
    for i, (p, r) in enumerate(zip(ours, reference(name, weights, grads, kwargs))):
        np.testing.assert_allclose(_host(p), r, rtol=rtol, atol=atol, err_msg=f"parameter {i}")
    return ours, opt


@pytest.mark.parametrize("name,kwargs", CONFIGS, ids=_ids(CONFIGS))
def test_matches_torch_float32(name, kwargs, device):
    """PyTorch's trajectory step by step (without PyTorch: the float64 NumPy reference's end point)."""
    if torch is None:
        ours, opt = run_against_reference(name, kwargs, np.float32, device, rtol=2e-4, atol=2e-5)
        for p in ours:
            assert p.dtype == ag.float32
            assert "step" not in opt.state[p] or opt.state[p]["step"].item() == STEPS
            for key, value in opt.state[p].items():
                assert value.dtype == ag.float32, key
                assert value.dim() == 0 or value.device == p.device, key
        return
    (ours, opt), (theirs, topt) = run_against_torch(name, kwargs, np.float32, device, rtol=1e-5, atol=1e-6)
    # the state buffers too, and they stay float32 on the parameter's device
    for p, q in zip(ours, theirs):
        assert p.dtype == ag.float32
        for key, value in topt.state[q].items():
            ours_value = opt.state[p][key]
            if key == "step":
                assert ours_value.item() == value.item() == STEPS
                continue
            if value.dim() == 0:  # scalar state (NAdam's mu_product, ASGD's eta, mu) lives on the host
                assert ours_value.dtype == ag.float32, key
                assert ours_value.item() == pytest.approx(value.item(), rel=1e-5), key
                continue
            assert ours_value.dtype == ag.float32 and ours_value.device == p.device, key
            np.testing.assert_allclose(_host(ours_value), value.numpy(), rtol=1e-4, atol=1e-6, err_msg=key)
        assert set(opt.state[p]) == set(topt.state[q])


F64_CONFIGS = RPROP_CONFIGS + CONFIGS[:2] + CONFIGS[6:7] + CONFIGS[27:39:2]


@pytest.mark.parametrize("name,kwargs", F64_CONFIGS, ids=_ids(F64_CONFIGS))
def test_matches_torch_float64(name, kwargs, device):
    if torch is None:
        ours, opt = run_against_reference(name, kwargs, np.float64, device, rtol=1e-8, atol=1e-12)
    else:
        (ours, opt), _ = run_against_torch(name, kwargs, np.float64, device, rtol=1e-10, atol=1e-12)
    for p in ours:
        assert p.dtype == ag.float64
        for key, value in opt.state[p].items():
            if key != "step" and value.dim() > 0:  # scalar state keeps the step's dtype, as PyTorch's
                assert value.dtype == ag.float64, key


def _loss(ws, x, lib):
    """A small two-layer model's loss, written once for both libraries (elementwise ops and sums)."""
    w1, b1, w2, b2 = ws
    h = lib.tanh((x.unsqueeze(2) * w1).sum(1) + b1)
    out = (h.unsqueeze(2) * w2).sum(1) + b2
    return ((out - 0.5) ** 2).sum() * 0.1


@pytest.mark.parametrize("name,kwargs", [CONFIGS[1], CONFIGS[7], CONFIGS[12], CONFIGS[17], CONFIGS[21],
                                         CONFIGS[24]], ids=lambda v: str(v))
def test_training_with_backward_matches_torch(name, kwargs, device):
    pytest.importorskip("torch")
    x = np.random.default_rng(5).standard_normal((6, 4)).astype(np.float32)
    (ours, opt), (theirs, topt) = make_pair(name, kwargs, np.float32, device)
    xo, xt = ag.tensor(x, device=device), torch.tensor(x)
    for step in range(50):
        opt.zero_grad()
        topt.zero_grad()
        loss = opt.step(lambda: _backward(_loss(ours, xo, ag)))
        tloss = topt.step(lambda: _backward(_loss(theirs, xt, torch)))
        np.testing.assert_allclose(loss.item(), tloss.item(), rtol=1e-4)
        assert_close(ours, theirs, rtol=1e-4, atol=1e-5, step=step)


def _backward(loss):
    loss.backward()
    return loss


def test_param_groups_with_their_own_hyperparameters(device):
    pytest.importorskip("torch")
    weights = initial_weights(np.float32)
    ours = [ag.tensor(w, device=device, requires_grad=True) for w in weights]
    theirs = [torch.tensor(w, requires_grad=True) for w in weights]
    opt = optim.SGD([{"params": ours[:2]}, {"params": ours[2:], "lr": 0.01, "nesterov": True}], lr=0.1,
                    momentum=0.9)
    topt = torch.optim.SGD([{"params": theirs[:2]}, {"params": theirs[2:], "lr": 0.01, "nesterov": True}],
                           lr=0.1, momentum=0.9)
    assert opt.param_groups[1]["lr"] == 0.01 and opt.param_groups[0]["lr"] == 0.1
    for step, grads in enumerate(tensor_grads(np.float32, device, steps=20)):
        feed(ours, theirs, grads)
        opt.step()
        topt.step()
        assert_close(ours, theirs, 1e-5, 1e-6, step)


def test_add_param_group(device):
    a = ag.ones(2, device=device, requires_grad=True)
    b = ag.ones(3, device=device, requires_grad=True)
    opt = optim.Adam([a], lr=0.1)
    opt.add_param_group({"params": b, "lr": 0.01})
    assert len(opt.param_groups) == 2
    assert opt.param_groups[1]["params"] == [b] or opt.param_groups[1]["params"][0] is b
    assert opt.param_groups[1]["lr"] == 0.01 and opt.param_groups[1]["betas"] == (0.9, 0.999)
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(TypeError, match="ordered collections"):
        opt.add_param_group({"params": {ag.ones(1, requires_grad=True)}})


def test_params_argument_errors():
    w = ag.ones(2, requires_grad=True)
    with pytest.raises(TypeError, match="iterable of Tensors"):
        optim.SGD(w, lr=0.1)
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="can only optimize Tensors"):
        optim.SGD([w, 3.0], lr=0.1)
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([w * 2], lr=0.1)


def test_named_parameters_give_param_names():
    pytest.importorskip("torch")
    a, b = ag.ones(2, requires_grad=True), ag.ones(3, requires_grad=True)
    opt = optim.SGD([("a", a), ("b", b)], lr=0.1)
    ta, tb = torch.ones(2, requires_grad=True), torch.ones(3, requires_grad=True)
    topt = torch.optim.SGD([("a", ta), ("b", tb)], lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["a", "b"]
    names = topt.state_dict()["param_groups"][0]["param_names"]
    assert opt.state_dict()["param_groups"][0]["param_names"] == names


BAD = [
    ("SGD", {"lr": -0.1}, "Invalid learning rate: -0.1"),
    ("SGD", {"lr": float("nan")}, "Invalid learning rate: nan"),
    ("SGD", {"lr": 0.1, "momentum": -0.5}, "Invalid momentum value: -0.5"),
    ("SGD", {"lr": 0.1, "weight_decay": -1e-3}, "Invalid weight_decay value"),
    ("SGD", {"lr": 0.1, "dampening": float("nan")}, "Invalid dampening value: nan"),
    ("SGD", {"lr": 0.1, "nesterov": True}, "Nesterov momentum requires a momentum"),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "nesterov": True}, "zero dampening"),
    ("Adam", {"lr": -1e-3}, "Invalid learning rate"),
    ("Adam", {"betas": (1.0, 0.999)}, "Invalid beta parameter at index 0: 1.0"),
    ("Adam", {"betas": (0.9, -0.1)}, "Invalid beta parameter at index 1: -0.1"),
    ("Adam", {"betas": (0.9, float("nan"))}, "Invalid beta parameter at index 1: nan"),
    ("Adam", {"eps": -1e-8}, "Invalid epsilon value"),
    ("Adam", {"weight_decay": -0.1}, "Invalid weight_decay value"),
    ("AdamW", {"betas": (0.9, 1.5)}, "Invalid beta parameter at index 1"),
    ("AdamW", {"weight_decay": float("nan")}, "Invalid weight_decay value: nan"),
    ("RMSprop", {"alpha": -0.1}, "Invalid alpha value"),
    ("RMSprop", {"momentum": -0.1}, "Invalid momentum value"),
    ("RMSprop", {"eps": -1.0}, "Invalid epsilon value"),
    ("Adagrad", {"lr_decay": -0.1}, "Invalid lr_decay value"),
    ("Adagrad", {"initial_accumulator_value": -0.1}, "Invalid initial_accumulator_value value"),
    ("Rprop", {"etas": (1.2, 0.5)}, "Invalid eta values"),
    ("Rprop", {"step_sizes": (1.0, 0.1)}, "Invalid step_sizes values"),
    ("Adadelta", {"rho": 1.5}, "Invalid rho value: 1.5"),
    ("Adadelta", {"lr": -1.0}, "Invalid learning rate"),
]


@pytest.mark.parametrize("name,kwargs,message", BAD, ids=[f"{n}-{m}" for n, _, m in BAD])
def test_bad_hyperparameters_raise_value_error(name, kwargs, message):
    w = ag.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        getattr(optim, name)([w], **kwargs)


SOME = CONFIGS[::3] + RPROP_CONFIGS[:1]


@pytest.mark.parametrize("name,kwargs", SOME, ids=_ids(SOME))
def test_step_records_no_graph_and_bumps_versions(name, kwargs, device):
    ws = [ag.tensor(w, device=device, requires_grad=True) for w in initial_weights(np.float32)]
    opt = getattr(optim, name)(ws, **kwargs)
    before = [w._version_value for w in ws]
    data_ids = [id(w._data) for w in ws]
    for grads in gradient_sequence(np.float32, steps=3):
        for w, g in zip(ws, grads):
            w.grad = ag.tensor(g, device=device)
        opt.step()
    for w, v, i in zip(ws, before, data_ids):
        assert w.grad_fn is None and w.is_leaf and w.requires_grad
        assert w._version_value == v + 3
        assert id(w._data) == i  # updated in place, not replaced
        assert w.dtype == ag.float32
    for state in opt.state.values():
        for value in state.values():
            assert value.grad_fn is None and not value.requires_grad


def test_step_inside_enable_grad_records_nothing(device):
    w = ag.ones(3, device=device, requires_grad=True)
    opt = optim.Adam([w], lr=0.1)
    w.grad = ag.ones(3, device=device)
    with ag.enable_grad():
        opt.step()
    assert w.grad_fn is None and w.is_leaf


@pytest.mark.parametrize("name,kwargs", SOME, ids=_ids(SOME))
def test_params_without_grad_are_skipped(name, kwargs, device):
    a = ag.ones(3, device=device, requires_grad=True)
    b = ag.ones(2, device=device, requires_grad=True)
    opt = getattr(optim, name)([a, b], **kwargs)
    a.grad = ag.full((3,), 0.5, device=device)
    opt.step()
    opt.step()
    np.testing.assert_array_equal(_host(b), np.ones(2, np.float32))
    assert b._version_value == 0
    assert not (_host(a) == 1).all()
    if name != "Adagrad":  # Adagrad creates its state eagerly, as PyTorch does
        assert b not in opt.state


def test_float64_step_does_not_touch_float32(device):
    """A float32 model stays float32 even with float64-looking hyperparameters (numpy scalars)."""
    w = ag.ones(3, device=device, requires_grad=True)
    opt = optim.Adam([w], lr=np.float64(0.1), betas=(np.float64(0.9), 0.999), eps=np.float64(1e-8))
    w.grad = ag.ones(3, device=device)
    opt.step()
    assert w.dtype == ag.float32 and opt.state[w]["exp_avg"].dtype == ag.float32
    group = opt.param_groups[0]
    assert type(group["lr"]) is float and type(group["eps"]) is float
    assert [type(b) for b in group["betas"]] == [float, float]
    opt = optim.SGD([w], lr=np.float32(0.5), momentum=np.float64(0.9), weight_decay=np.float64(0.1))
    opt.step()
    assert type(opt.param_groups[0]["momentum"]) is float and w.dtype == ag.float32


def test_closure_loss_is_returned_and_evaluated_with_grad(device):
    w = ag.tensor([1.0, 2.0], device=device, requires_grad=True)
    opt = optim.SGD([w], lr=0.1)

    def closure():
        opt.zero_grad()
        assert ag.is_grad_enabled()
        loss = (w * w).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert loss.item() == pytest.approx(5.0)
    np.testing.assert_allclose(_host(w), [0.8, 1.6], rtol=1e-6)
    assert opt.step() is None


def test_zero_grad(device):
    w = ag.ones(3, device=device, requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    w.grad = ag.ones(3, device=device)
    g = w.grad
    opt.zero_grad(set_to_none=False)
    assert w.grad is g
    np.testing.assert_array_equal(_host(w.grad), np.zeros(3))
    opt.zero_grad()
    assert w.grad is None


def test_repr_lists_groups():
    opt = optim.SGD([ag.ones(2, requires_grad=True)], lr=0.1, momentum=0.9)
    text = repr(opt)
    assert text.startswith("SGD (") and "Parameter Group 0" in text and "momentum: 0.9" in text


def test_unsupported_pytorch_flags_raise():
    w = ag.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="differentiable=True"):
        optim.Adam([w], differentiable=True)
    with pytest.raises(ValueError, match="capturable=True"):
        optim.RMSprop([w], capturable=True)
    optim.Adam([w], foreach=True, fused=False)  # performance hints are accepted


@pytest.mark.parametrize("module", ["optim", "optim.optimizer", "optim.sgd", "optim.adam", "optim.adamw",
                                    "optim.rmsprop", "optim.adagrad", "optim.rprop", "optim.adadelta",
                                    "optim.nadam", "optim.radam", "optim.adamax", "optim.asgd", "optim.lbfgs",
                                    "optim.lr_scheduler"])
def test_docstring_examples(module):
    import doctest
    import importlib

    mod = importlib.import_module(module)
    result = doctest.testmod(mod, extraglobs={"ag": ag, "optim": optim}, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
