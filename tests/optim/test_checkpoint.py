"""Optimizer and scheduler state dicts: PyTorch's layout, validation, and exact resumption."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import optim
from optim import lr_scheduler


SHAPES = [(4, 3), (3,), (3, 2), (2,)]
CONFIGS = [
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("Adam", {"lr": 0.01, "amsgrad": True}),
    ("AdamW", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.001, "centered": True, "momentum": 0.5}),
    ("Adagrad", {"lr": 0.05, "lr_decay": 0.01}),
    ("Rprop", {"lr": 0.05}),
    ("Adadelta", {"lr": 0.5}),
    ("NAdam", {"lr": 0.01, "weight_decay": 0.1}),
    ("RAdam", {"lr": 0.01, "decoupled_weight_decay": True, "weight_decay": 0.1}),
    ("Adamax", {"lr": 0.01}),
    ("ASGD", {"lr": 0.05, "t0": 5}),
]
IDS = [c[0] for c in CONFIGS]
# a scheduler for each optimizer (OneCycleLR also rewrites momentum / betas in the groups)
SCHEDULERS = {
    "SGD": lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=30),
    "Adam": lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.02, total_steps=30, three_phase=True),
    "AdamW": lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=7, eta_min=1e-4),
    "RMSprop": lambda o: lr_scheduler.StepLR(o, step_size=3, gamma=0.7),
    "Adagrad": lambda o: lr_scheduler.MultiStepLR(o, milestones=[4, 12, 12], gamma=0.5),
    "Rprop": lambda o: lr_scheduler.ExponentialLR(o, gamma=0.95),
    "Adadelta": lambda o: lr_scheduler.LambdaLR(o, lambda e: 1 / (1 + e)),
    "NAdam": lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.02, total_steps=30),
    "RAdam": lambda o: lr_scheduler.StepLR(o, step_size=4, gamma=0.5),
    "Adamax": lambda o: lr_scheduler.ExponentialLR(o, gamma=0.9),
    "ASGD": lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=5),
}


def _weights(dtype=np.float32):
    rng = np.random.default_rng(0)
    return [rng.standard_normal(s).astype(dtype) for s in SHAPES]


def _grads(step, dtype=np.float32):
    rng = np.random.default_rng(100 + step)
    return [rng.standard_normal(s).astype(dtype) for s in SHAPES]


def _host(t):
    return t.detach().cpu().numpy()


def _build(name, kwargs, weights, device):
    params = [ag.tensor(w, device=device, requires_grad=True) for w in weights]
    opt = getattr(optim, name)([{"params": params[:2]}, {"params": params[2:], "lr": kwargs["lr"] / 2}],
                               **kwargs)
    return params, opt, SCHEDULERS[name](opt)


def _train(params, opt, sched, steps, start, device):
    trajectory = []
    for step in range(start, start + steps):
        for p, g in zip(params, _grads(step)):
            p.grad = ag.tensor(g, device=device)
        opt.step()
        sched.step()
        trajectory.append([_host(p).copy() for p in params])
    return trajectory


def _same(a, b):
    for step, (x, y) in enumerate(zip(a, b)):
        for i, (u, v) in enumerate(zip(x, y)):
            assert np.array_equal(u, v), f"parameter {i} differs at step {step}"


def _resume(name, kwargs, device, transfer):
    """Train 20 steps straight, and 10 + (checkpoint, fresh objects, 10): the same to the last bit."""
    ref_params, ref_opt, ref_sched = _build(name, kwargs, _weights(), device)
    reference = _train(ref_params, ref_opt, ref_sched, 20, 0, device)
    params, opt, sched = _build(name, kwargs, _weights(), device)
    first = _train(params, opt, sched, 10, 0, device)
    ckpt = transfer({"model": [p.detach() for p in params], "optim": opt.state_dict(),
                     "sched": sched.state_dict()})
    weights = [_host(w) for w in ckpt["model"]]
    params2, opt2, sched2 = _build(name, kwargs, weights, device)
    opt2.load_state_dict(ckpt["optim"])
    sched2.load_state_dict(ckpt["sched"])
    second = _train(params2, opt2, sched2, 10, 10, device)
    _same(reference, first + second)
    assert sched2.get_last_lr() == ref_sched.get_last_lr()
    for g, h in zip(ref_opt.param_groups, opt2.param_groups):
        assert {k: v for k, v in g.items() if k != "params"} == {k: v for k, v in h.items() if k != "params"}


@pytest.mark.parametrize("name,kwargs", CONFIGS, ids=IDS)
def test_resume_in_memory_is_bit_exact(name, kwargs, device):
    _resume(name, kwargs, device, lambda ckpt: ckpt)


@pytest.mark.parametrize("name,kwargs", CONFIGS, ids=IDS)
def test_resume_through_ag_save_is_bit_exact(name, kwargs, device, tmp_path):
    if not hasattr(ag, "save"):
        pytest.skip("ag.save is not available")
    path = tmp_path / "ckpt.safetensors"

    def through_file(ckpt):
        ag.save(ckpt, path)
        return ag.load(path, map_location=device)

    _resume(name, kwargs, device, through_file)


@pytest.mark.parametrize("name,kwargs", CONFIGS, ids=IDS)
def test_state_dict_layout_matches_torch(name, kwargs):
    torch = pytest.importorskip("torch")
    weights = _weights()
    ours = [ag.tensor(w, requires_grad=True) for w in weights]
    theirs = [torch.tensor(w, requires_grad=True) for w in weights]
    groups = lambda ps: [{"params": ps[:2]}, {"params": ps[2:], "lr": kwargs["lr"] / 2}]  # noqa: E731
    opt = getattr(optim, name)(groups(ours), **kwargs)
    topt = getattr(torch.optim, name)(groups(theirs), **kwargs)
    for step in range(3):
        for p, q, g in zip(ours, theirs, _grads(step)):
            if p is ours[1] and step == 0:
                continue  # one parameter without a gradient at first
            p.grad, q.grad = ag.tensor(g), torch.tensor(g)
        opt.step()
        topt.step()
    sd, tsd = opt.state_dict(), topt.state_dict()
    assert list(sd) == list(tsd) == ["state", "param_groups"]
    assert list(sd["state"]) == list(tsd["state"])
    for k in tsd["state"]:
        assert list(sd["state"][k]) == list(tsd["state"][k])
        for key, value in tsd["state"][k].items():
            ours_value = sd["state"][k][key]
            assert isinstance(ours_value, ag.Tensor), key
            assert ours_value.shape == tuple(value.shape), key
            if key == "step":
                assert ours_value.dtype == ag.float32 and ours_value.item() == value.item()
            else:
                np.testing.assert_allclose(_host(ours_value), value.numpy(), rtol=1e-5, atol=1e-6,
                                           err_msg=key)
    for g, tg in zip(sd["param_groups"], tsd["param_groups"]):
        assert list(g) == list(tg)
        assert g == tg


def test_torch_state_dict_loads_and_continues_like_torch():
    """A PyTorch optimizer's state (tensors converted) resumes here as it would in PyTorch."""
    torch = pytest.importorskip("torch")
    weights = _weights()
    theirs = [torch.tensor(w, requires_grad=True) for w in weights]
    topt = torch.optim.Adam(theirs, lr=0.01, amsgrad=True)
    for step in range(5):
        for q, g in zip(theirs, _grads(step)):
            q.grad = torch.tensor(g)
        topt.step()
    tsd = topt.state_dict()
    state = {k: {n: ag.tensor(v.numpy()) for n, v in s.items()} for k, s in tsd["state"].items()}
    converted = {"state": state, "param_groups": tsd["param_groups"]}
    ours = [ag.tensor(q.detach().numpy(), requires_grad=True) for q in theirs]
    opt = optim.Adam(ours, lr=0.5)
    opt.load_state_dict(converted)
    assert opt.param_groups[0]["lr"] == 0.01 and opt.param_groups[0]["params"][0] is ours[0]
    for step in range(5, 10):
        for p, q, g in zip(ours, theirs, _grads(step)):
            p.grad, q.grad = ag.tensor(g), torch.tensor(g)
        opt.step()
        topt.step()
        for p, q in zip(ours, theirs):
            np.testing.assert_allclose(_host(p), q.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_load_state_dict_validates_groups():
    a, b, c = (ag.ones(n, requires_grad=True) for n in (1, 2, 3))
    sd = optim.SGD([{"params": [a, b]}, {"params": [c]}], lr=0.1).state_dict()
    with pytest.raises(ValueError, match="different number of parameter groups"):
        optim.SGD([a, b, c], lr=0.1).load_state_dict(sd)
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        optim.SGD([{"params": [a]}, {"params": [b, c]}], lr=0.1).load_state_dict(sd)
    with pytest.raises(ValueError, match="missing the 'param_groups'"):
        optim.SGD([a], lr=0.1).load_state_dict({"state": {}})


def test_load_state_dict_copies_and_casts(device):
    w = ag.ones(3, device=device, requires_grad=True)
    opt = optim.SGD([w], lr=0.1, momentum=0.9)
    w.grad = ag.ones(3, device=device)
    opt.step()
    sd = opt.state_dict()
    assert sd["state"][0]["momentum_buffer"] is opt.state[w]["momentum_buffer"]  # live, as PyTorch
    w64 = ag.ones(3, dtype=ag.float64, device=device, requires_grad=True)
    opt64 = optim.SGD([w64], lr=1.0)
    opt64.load_state_dict(sd)
    buf = opt64.state[w64]["momentum_buffer"]
    assert buf.dtype == ag.float64 and buf.device == w64.device
    assert opt64.param_groups[0]["lr"] == 0.1 and opt64.param_groups[0]["momentum"] == 0.9
    same = optim.SGD([w], lr=1.0)
    same.load_state_dict(sd)
    assert same.state[w]["momentum_buffer"] is not opt.state[w]["momentum_buffer"]
    w.grad = ag.ones(3, device=device)
    opt.step()  # changes the original's buffer, not the loaded copy
    np.testing.assert_array_equal(_host(same.state[w]["momentum_buffer"]), np.ones(3, np.float32))
    sd["param_groups"][0]["lr"] = 123.0
    assert same.param_groups[0]["lr"] == 0.1


def test_load_state_dict_accepts_string_ids_and_listed_tuples():
    """What a JSON round trip makes of a state dict (string keys, lists for tuples) still loads."""
    w = ag.ones(2, requires_grad=True)
    opt = optim.Adam([w], lr=0.1)
    w.grad = ag.ones(2)
    opt.step()
    sd = opt.state_dict()
    mangled = {"state": {str(k): v for k, v in sd["state"].items()},
               "param_groups": [dict(g, betas=list(g["betas"]), params=[str(i) for i in g["params"]])
                                for g in sd["param_groups"]]}
    other = optim.Adam([w], lr=0.5)
    other.load_state_dict(mangled)
    assert other.param_groups[0]["betas"] == (0.9, 0.999)
    assert other.state[w]["step"].item() == 1.0


def test_adagrad_state_is_created_eagerly_as_torch():
    torch = pytest.importorskip("torch")
    w = ag.ones(2, requires_grad=True)
    sd = optim.Adagrad([w], initial_accumulator_value=0.5).state_dict()
    tsd = torch.optim.Adagrad([torch.ones(2, requires_grad=True)], initial_accumulator_value=0.5).state_dict()
    assert list(sd["state"][0]) == list(tsd["state"][0]) == ["step", "sum"]
    np.testing.assert_array_equal(_host(sd["state"][0]["sum"]), [0.5, 0.5])
