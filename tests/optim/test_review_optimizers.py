"""Review of the optimizers against PyTorch: a training loop with the awkward parts of real ones.

Each loop runs the same float64 gradients (varying sign and size, some
parameters without a gradient on some steps) through torch's and xpgrad's
optimizer, adds a parameter group with other hyper-parameters mid-training,
halves ``param_groups[0]['lr']`` between steps, and gives lr as a 0-d tensor;
the parameters are compared after every step.
"""
from __future__ import annotations

import copy

import numpy as np
import pytest

import autograd as ag
import optim

torch = pytest.importorskip("torch")

SHAPES = [(3, 4), (4,), (2,)]

# (name, kwargs, kwargs of the group added after step 8 or None)
CASES = [
    ("SGD", dict(lr=0.01, momentum=0.9, dampening=0.1, weight_decay=0.01),
     dict(lr=0.1, nesterov=True, momentum=0.5)),
    ("SGD", dict(lr=0.01, momentum=0.9, nesterov=True, weight_decay=0.1, maximize=True), dict(lr=0.03)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1, maximize=True), dict(lr=0.1, betas=(0.5, 0.9))),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True), dict(lr=0.1, eps=1e-3)),
    ("AdamW", dict(lr=0.01), dict(lr=0.1, weight_decay=0.5, amsgrad=True)),
    ("Adamax", dict(lr=0.01, weight_decay=0.1, maximize=True), dict(lr=0.1, betas=(0.5, 0.9))),
    ("NAdam", dict(lr=0.01, weight_decay=0.1), dict(lr=0.1, momentum_decay=0.1)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True), None),
    ("RAdam", dict(lr=0.01, betas=(0.9, 0.9), weight_decay=0.1), dict(lr=0.1, betas=(0.5, 0.6))),
    ("RAdam", dict(lr=0.01, betas=(0.9, 0.9), weight_decay=0.1, decoupled_weight_decay=True, maximize=True),
     None),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.5), dict(lr=0.2, eps=1e-3)),
    ("Adadelta", dict(lr=1.0, weight_decay=0.1, maximize=True), dict(lr=0.5, rho=0.5)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.9, weight_decay=0.1, maximize=True),
     dict(lr=0.1, alpha=0.5)),
    ("Rprop", dict(lr=0.01, maximize=True), dict(lr=0.1, etas=(0.3, 1.5), step_sizes=(1e-3, 1))),
    ("ASGD", dict(lr=0.01, t0=5, lambd=0.01, alpha=0.5, weight_decay=0.1), dict(lr=0.1, t0=3)),
    ("Adafactor", dict(lr=0.1, weight_decay=0.1), dict(lr=0.05, d=2.0)),
    ("Adafactor", dict(lr=0.01, maximize=True, eps=(1e-20, 1e-2), beta2_decay=-0.5, d=1.5), None),
]


def _grad(t, i, p):
    """A gradient that depends on the parameter, with a scale between 1e-3 and 1e2 and a flipping sign."""
    rng = np.random.default_rng(1000 * t + i)
    scale = 10.0 ** rng.uniform(-3, 2)
    return (0.5 * p + scale * rng.standard_normal(p.shape)) * (1 if (t + i) % 3 else -1)


class _Lib:
    """The few calls a training loop makes, for torch or for xpgrad."""

    def __init__(self, use_torch):
        self.torch = use_torch
        self.optim = torch.optim if use_torch else optim

    def tensor(self, a, requires_grad=False):
        if self.torch:
            return torch.tensor(a, dtype=torch.float64, requires_grad=requires_grad)
        return ag.tensor(a, dtype=ag.float64, requires_grad=requires_grad)

    @staticmethod
    def value(p):
        return np.array(p.detach().numpy(), dtype=np.float64)


def _loop(lib, name, kwargs, added, lr_tensor, steps=25, reload_at=None, shapes=SHAPES, extra_shape=(3,)):
    rng = np.random.default_rng(0)
    params = [lib.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes]
    extra = lib.tensor(rng.standard_normal(extra_shape), requires_grad=True)
    kwargs = dict(kwargs)
    if lr_tensor == "float32":  # the usual torch.tensor(0.01): the default dtype
        kwargs["lr"] = (torch.tensor if lib.torch else ag.tensor)(kwargs["lr"])
    elif lr_tensor:
        kwargs["lr"] = lib.tensor(kwargs["lr"])
    opt = getattr(lib.optim, name)(params, **kwargs)
    history = []
    for t in range(steps):
        live = params + ([extra] if added is not None and t >= 8 else [])
        for i, p in enumerate(live):
            p.grad = None if i > 0 and (t + i) % 5 == 3 else lib.tensor(_grad(t, i, lib.value(p)))
        opt.step()
        if t == 7 and added is not None:
            opt.add_param_group(dict(added, params=[extra]))
        if t == 12:
            opt.param_groups[0]["lr"] = opt.param_groups[0]["lr"] * 0.5
        if t == reload_at:  # a checkpoint round trip into a new optimizer
            saved = copy.deepcopy(opt.state_dict())
            groups = [list(g["params"]) for g in opt.param_groups]
            opt = getattr(lib.optim, name)(groups[0], **kwargs)
            for g in groups[1:]:
                opt.add_param_group(dict(added, params=g))
            opt.load_state_dict(saved)
        history.append([lib.value(p) for p in params + [extra]])
    return history


def _assert_same(expected, actual):
    for t, (want, got) in enumerate(zip(expected, actual, strict=True)):
        for i, (w, g) in enumerate(zip(want, got)):
            np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-13, err_msg=f"step {t}, parameter {i}")


@pytest.mark.parametrize("lr_tensor", [False, True, "float32"], ids=["lr_float", "lr_tensor", "lr_tensor32"])
@pytest.mark.parametrize(("name", "kwargs", "added"), CASES, ids=[c[0] for c in CASES])
def test_training_loop_matches_torch_step_by_step(name, kwargs, added, lr_tensor):
    # with a float32 lr tensor PyTorch computes lr / bias_correction, 1 - lr * weight_decay, ... in float32
    # (0-d tensor arithmetic); they were Python floats here, so Adam, AdamW, Adamax, NAdam, RAdam, Adagrad,
    # ASGD and Adafactor drifted from it (1e-9 to 4e-7)
    if lr_tensor == "float32" and name == "ASGD" and kwargs.get("alpha") == 0.5:
        pytest.xfail("PyTorch's float32 x ** 0.5 (a sqrt) is not correctly rounded on the CPU: eta "
                     "differs by one float32 rounding")
    _assert_same(_loop(_Lib(True), name, kwargs, added, lr_tensor),
                 _loop(_Lib(False), name, kwargs, added, lr_tensor))


@pytest.mark.parametrize(("name", "kwargs", "added"), CASES[::2], ids=[c[0] for c in CASES[::2]])
def test_state_dict_round_trip_mid_training_matches_torch(name, kwargs, added):
    _assert_same(_loop(_Lib(True), name, kwargs, added, False, reload_at=10),
                 _loop(_Lib(False), name, kwargs, added, False, reload_at=10))


def _to_xpgrad(obj):
    """A torch state dict with its tensors converted (the layout is PyTorch's own)."""
    if isinstance(obj, torch.Tensor):
        return ag.tensor(obj.numpy().copy(), dtype=getattr(ag, str(obj.dtype).split(".")[1]))
    if isinstance(obj, dict):
        return {k: _to_xpgrad(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_xpgrad(v) for v in obj)
    return obj


@pytest.mark.parametrize(("name", "kwargs"), [(c[0], c[1]) for c in CASES] + [("ASGD", dict(lr=0.01))])
def test_loading_a_state_dict_saved_by_torch_then_continuing(name, kwargs):
    # ASGD: loading casts eta and mu to float64 (as PyTorch does), after which PyTorch writes them through
    # a float32 torch.as_tensor(...), so their values stay float32-rounded; they were kept exact here
    t_params = [torch.tensor(np.random.default_rng(i).standard_normal(s), requires_grad=True)
                for i, s in enumerate(SHAPES)]
    t_opt = getattr(torch.optim, name)(t_params, **kwargs)
    for t in range(5):
        for i, p in enumerate(t_params):
            p.grad = torch.tensor(_grad(t, i, p.detach().numpy()))
        t_opt.step()
    x_params = [ag.tensor(p.detach().numpy().copy(), dtype=ag.float64, requires_grad=True) for p in t_params]
    x_opt = getattr(optim, name)(x_params, **kwargs)
    x_opt.load_state_dict(_to_xpgrad(copy.deepcopy(t_opt.state_dict())))
    t_params2 = [p.detach().clone().requires_grad_() for p in t_params]
    t_opt2 = getattr(torch.optim, name)(t_params2, **kwargs)
    t_opt2.load_state_dict(copy.deepcopy(t_opt.state_dict()))
    for t in range(5, 15):
        for i, (p, q) in enumerate(zip(t_params2, x_params)):
            g = _grad(t, i, p.detach().numpy())
            p.grad, q.grad = torch.tensor(g), ag.tensor(g, dtype=ag.float64)
        t_opt2.step()
        x_opt.step()
        for p, q in zip(t_params2, x_params):
            np.testing.assert_allclose(q.detach().numpy(), p.detach().numpy(), rtol=1e-10, atol=1e-13,
                                       err_msg=f"step {t}")


def test_state_tensors_have_torch_names_dtypes_and_values():
    for name, kwargs, _ in CASES:
        t_params = [torch.tensor(np.ones(s), requires_grad=True) for s in SHAPES]
        x_params = [ag.tensor(np.ones(s), dtype=ag.float64, requires_grad=True) for s in SHAPES]
        t_opt = getattr(torch.optim, name)(t_params, **kwargs)
        x_opt = getattr(optim, name)(x_params, **kwargs)
        for t in range(3):
            for i, (p, q) in enumerate(zip(t_params, x_params)):
                g = _grad(t, i, p.detach().numpy())
                p.grad, q.grad = torch.tensor(g), ag.tensor(g, dtype=ag.float64)
            t_opt.step()
            x_opt.step()
        want, got = t_opt.state_dict(), x_opt.state_dict()
        assert [sorted(g) for g in got["param_groups"]] == [sorted(g) for g in want["param_groups"]], name
        for k, state in want["state"].items():
            assert list(got["state"][k]) == list(state), name
            for key, v in state.items():
                assert isinstance(got["state"][k][key], ag.Tensor), (name, key)
                assert str(got["state"][k][key].dtype) == str(v.dtype).replace("torch.", ""), (name, key)
                np.testing.assert_allclose(got["state"][k][key].numpy(), v.numpy(), rtol=1e-10)


def _lbfgs_run(lib, kwargs, steps=2, reload_at=None):
    """L-BFGS on a small tanh network whose loss and gradient are computed the same way for both."""
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((20, 3)), rng.standard_normal((20, 1))
    w1, w2 = (lib.tensor(rng.standard_normal(s), requires_grad=True) for s in [(3, 5), (5, 1)])
    opt = lib.optim.LBFGS([w1, w2], **kwargs)

    def closure():
        opt.zero_grad()
        a1, a2 = lib.value(w1), lib.value(w2)
        h = np.tanh(x @ a1)
        r = h @ a2 - y
        dr = 2 * r / r.size
        w1.grad = lib.tensor(x.T @ (dr @ a2.T * (1 - h ** 2)) + 0.4 * a1 ** 3)
        w2.grad = lib.tensor(h.T @ dr)
        return lib.tensor((r ** 2).mean() + 0.1 * (a1 ** 4).sum())

    out = []
    for s in range(steps):
        loss = opt.step(closure)
        if s == reload_at:
            saved = copy.deepcopy(opt.state_dict()) if lib.torch else opt.state_dict()
            opt = lib.optim.LBFGS([w1, w2], **kwargs)
            opt.load_state_dict(saved)
        out.append([np.array(float(loss)), lib.value(w1), lib.value(w2)])
    return out, opt


@pytest.mark.parametrize("kwargs", [dict(max_iter=8), dict(lr=0.5, max_iter=4, history_size=3),
                                    dict(line_search_fn="strong_wolfe", max_iter=8),
                                    dict(lr=0.8, max_iter=5, history_size=2, line_search_fn="strong_wolfe")])
def test_lbfgs_matches_torch_with_and_without_line_search(kwargs):
    # the reductions (sums, dots) round differently from torch's at the last bit, and L-BFGS amplifies that
    # over many iterations: a few iterations per step keep the comparison at 1e-10
    want, t_opt = _lbfgs_run(_Lib(True), kwargs, steps=3, reload_at=1)
    got, x_opt = _lbfgs_run(_Lib(False), kwargs, steps=3, reload_at=1)
    _assert_same(want, got)
    assert x_opt.state_dict()["state"][0]["func_evals"] == t_opt.state_dict()["state"][0]["func_evals"]


def test_lbfgs_state_holds_tensors_where_torch_does():
    # ro, al and H_diag were NumPy float64 scalars in the state (torch: 0-d tensors)
    _, t_opt = _lbfgs_run(_Lib(True), dict(max_iter=4), steps=1)
    _, x_opt = _lbfgs_run(_Lib(False), dict(max_iter=4), steps=1)
    want, got = t_opt.state_dict()["state"][0], x_opt.state_dict()["state"][0]
    assert sorted(got) == sorted(want)
    for key, v in want.items():
        if isinstance(v, torch.Tensor):
            assert isinstance(got[key], ag.Tensor), key
        elif isinstance(v, list):
            assert len(got[key]) == len(v), key
            for a, b in zip(v, got[key]):
                assert isinstance(b, ag.Tensor) == isinstance(a, torch.Tensor), key
        else:
            assert type(got[key]) is type(v), key


def test_tensor_lr_must_have_one_element():
    p = ag.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="Tensor lr must be 1-element"):
        optim.Adam([p], lr=ag.tensor([0.1, 0.2]))


def test_zero_grad_and_closure():
    w = ag.tensor([1.0, -2.0], dtype=ag.float64, requires_grad=True)
    tw = torch.tensor([1.0, -2.0], dtype=torch.float64, requires_grad=True)
    opt, t_opt = optim.SGD([w], lr=0.1, momentum=0.9), torch.optim.SGD([tw], lr=0.1, momentum=0.9)
    for o, p in ((opt, w), (t_opt, tw)):
        for _ in range(3):
            loss = o.step(lambda o=o, p=p: (o.zero_grad(set_to_none=False), (p ** 4).sum().backward(),
                                            (p ** 4).sum().detach())[2])
        o.zero_grad(set_to_none=False)
        assert p.grad is not None and float(p.grad.abs().sum()) == 0.0
        o.zero_grad()
        assert p.grad is None
    np.testing.assert_allclose(w.detach().numpy(), tw.detach().numpy(), rtol=1e-12)
    assert float(loss) > 0


def _hook_log(lib, opt_mod, hooks_mod):
    log = []
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    opt = opt_mod.SGD([w], lr=0.1)
    pre = opt.register_step_pre_hook(lambda o, a, k: log.append(("pre", len(a), a[0] is o, dict(k))))
    opt.register_step_post_hook(lambda o, a, k: log.append(("post", len(a))))
    global_pre = hooks_mod.register_optimizer_step_pre_hook(lambda o, a, k: log.append("global pre"))
    global_post = hooks_mod.register_optimizer_step_post_hook(lambda o, a, k: log.append("global post"))
    w.grad = lib.ones(2)
    log.append(("returned", float(opt.step(lambda: lib.tensor(3.0)))))
    # a pre hook may replace the arguments
    opt.register_step_pre_hook(lambda o, a, k: (a, {"closure": lambda: lib.tensor(7.0)}))
    log.append(("returned", float(opt.step())))
    for handle in (pre, global_pre, global_post):
        handle.remove()
    opt.step()
    opt.register_state_dict_pre_hook(lambda o: log.append("state_dict pre"))
    opt.register_state_dict_post_hook(lambda o, sd: dict(sd, extra=1))
    opt.register_state_dict_post_hook(lambda o, sd: log.append(("first", "extra" in sd)), prepend=True)
    sd = opt.state_dict()
    log.append(sorted(sd))
    opt.register_load_state_dict_pre_hook(
        lambda o, sd: log.append(("load pre", sorted(sd))) or {k: v for k, v in sd.items() if k != "extra"})
    opt.register_load_state_dict_post_hook(lambda o: log.append("load post"))
    opt.load_state_dict(sd)
    copy.deepcopy(opt).step()  # a copy has no hooks
    log.append(len(log))
    bad = opt.register_step_pre_hook(lambda o, a, k: 5)
    with pytest.raises(RuntimeError, match="must return None or a tuple"):
        opt.step()
    bad.remove()
    return log


def test_optimizer_hooks_as_torch():
    # the register_*_hook methods and the global step hooks were missing
    import optim.optimizer as x_hooks
    import torch.optim.optimizer as t_hooks
    assert _hook_log(ag, optim, x_hooks) == _hook_log(torch, torch.optim, t_hooks)


def test_step_hooks_run_once_when_a_subclass_calls_super_step():
    # (PyTorch runs them twice here once an SGD has been created before: its patching is per class)
    class Clipped(optim.SGD):
        def step(self, closure=None):
            return super().step(closure)

    log = []
    opt = Clipped([ag.zeros(2, requires_grad=True)], lr=0.1)
    opt.register_step_pre_hook(lambda o, a, k: log.append("pre"))
    opt.register_step_post_hook(lambda o, a, k: log.append("post"))
    opt.step()
    assert log == ["pre", "post"]


@pytest.mark.parametrize(("name", "kwargs"), [(c[0], c[1]) for c in CASES], ids=[c[0] for c in CASES])
def test_zero_dim_and_batched_parameters(name, kwargs):
    # a 0-d parameter (a learnable scalar such as a temperature) raised TypeError in every optimizer but
    # plain SGD: NumPy's ufuncs return scalars for 0-d arrays, which the in-place updates cannot write to
    shapes = [(), (2, 3, 4), (1,)]
    _assert_same(_loop(_Lib(True), name, kwargs, None, False, steps=10, shapes=shapes),
                 _loop(_Lib(False), name, kwargs, None, False, steps=10, shapes=shapes))


def test_adafactor_validation_and_state_as_torch():
    # Adafactor was missing
    p = ag.zeros((2, 3), requires_grad=True)
    for kwargs, message in [(dict(lr=-1.0), "Learning rate should be >= 0 but is: -1.0"),
                            (dict(beta2_decay=0.5), "beta2_decay should be <= 0 but is: 0.5"),
                            (dict(eps=(-1.0, 1e-3)), "epsilon1 should be >= 0 but is: -1.0"),
                            (dict(eps=(None, -1.0)), "epsilon2 should be >= 0 but is: -1.0"),
                            (dict(d=0.5), "Clipping threshold d should be >= 1 but is: 0.5"),
                            (dict(weight_decay=-1.0), "weight_decay should be >= 0 but is: -1.0")]:
        with pytest.raises(ValueError, match=message.replace(".", "\\.")):
            optim.Adafactor([p], **kwargs)
        with pytest.raises(ValueError, match=message.replace(".", "\\.")):
            torch.optim.Adafactor([torch.zeros(2, 3, requires_grad=True)], **kwargs)
    p.grad = ag.ones((2, 3))
    opt = optim.Adafactor([p])
    opt.step()
    state = opt.state_dict()["state"][0]
    assert sorted(state) == ["col_var", "row_var", "step"]
    assert state["row_var"].shape == (2, 1) and state["col_var"].shape == (1, 3)


# (kwargs, added group, lr as a tensor, steps, reload_at): torch's bfloat16 steps are slow on CPU
MUON_CASES = [
    (dict(lr=0.01), dict(lr=0.05, nesterov=False), False, 10, 5),
    (dict(lr=0.02, weight_decay=0.1, momentum=0.9, adjust_lr_fn="match_rms_adamw"), None, True, 5, None),
    (dict(lr=0.01, ns_steps=3, eps=1e-3, ns_coefficients=(2.0, -1.5, 0.5)), None, False, 5, None)]


@pytest.mark.parametrize(("kwargs", "added", "lr_tensor", "steps", "reload_at"), MUON_CASES)
def test_muon_matches_torch_step_by_step(kwargs, added, lr_tensor, steps, reload_at):
    # Muon was missing. Its Newton-Schulz iterations run in bfloat16 in PyTorch, emulated here (float32
    # products rounded to bfloat16 once per operation): exact on small matrices
    run = dict(shapes=[(3, 4), (4, 2)], extra_shape=(2, 3), steps=steps, reload_at=reload_at)
    _assert_same(_loop(_Lib(True), "Muon", kwargs, added, lr_tensor, **run),
                 _loop(_Lib(False), "Muon", kwargs, added, lr_tensor, **run))


def test_muon_on_larger_matrices_within_a_bfloat16_rounding():
    # PyTorch's bfloat16 matrix products accumulate in another order: an element may differ by one rounding
    shapes = [(24, 16), (16, 32)]
    want = _loop(_Lib(True), "Muon", dict(lr=0.01), None, False, steps=4, shapes=shapes)
    got = _loop(_Lib(False), "Muon", dict(lr=0.01), None, False, steps=4, shapes=shapes)
    for w, g in zip(want, got):
        for a, b in zip(w, g):
            np.testing.assert_allclose(b, a, rtol=0, atol=0.01 * 2 ** -7)


def test_muon_validation_as_torch():
    for kwargs in [dict(lr=-1.0), dict(momentum=-1.0), dict(weight_decay=-1.0), dict(adjust_lr_fn="x")]:
        with pytest.raises(ValueError) as want:
            torch.optim.Muon([torch.zeros(2, 2, requires_grad=True)], **kwargs)
        with pytest.raises(ValueError, match=str(want.value)):
            optim.Muon([ag.zeros(2, 2, requires_grad=True)], **kwargs)
    with pytest.raises(ValueError, match="Muon only supports 2D parameters"):
        optim.Muon([ag.zeros(2, requires_grad=True)])


@pytest.mark.parametrize(("name", "kwargs"), [("Adafactor", dict(lr=0.1, weight_decay=0.1)),
                                              ("Muon", dict(lr=0.01)), ("ASGD", dict(lr=0.01, t0=2)),
                                              ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1))])
def test_new_and_zero_dim_updates_run_on_each_device(device, name, kwargs):
    # every update stays on the parameters' device (the shadow device refuses host arrays)
    shapes = [(3, 4), (2, 3)] if name == "Muon" else [(3, 4), (), (2, 3, 2)]
    rng = np.random.default_rng(0)
    inits = [rng.standard_normal(s) for s in shapes]
    results = []
    for dev in ("cpu", device):
        params = [ag.tensor(a, dtype=ag.float64, device=dev, requires_grad=True) for a in inits]
        opt = getattr(optim, name)(params, **kwargs)
        for t in range(4):
            for i, p in enumerate(params):
                p.grad = ag.tensor(_grad(t, i, inits[i]), dtype=ag.float64, device=dev)
            opt.step()
            if t == 1:
                opt.load_state_dict(opt.state_dict())
        results.append([p.detach().cpu().numpy() for p in params])
    for a, b in zip(*results):
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-15)


def _invalid_cases():
    return {
        "SGD": [dict(lr=-1.0), dict(momentum=-0.1), dict(weight_decay=-1.0), dict(nesterov=True),
                dict(nesterov=True, momentum=0.9, dampening=0.1)],
        "Adam": [dict(lr=-1.0), dict(eps=-1.0), dict(betas=(1.0, 0.9)), dict(betas=(0.9, -0.1)),
                 dict(weight_decay=-1.0)],
        "AdamW": [dict(lr=-1.0), dict(betas=(0.9, 1.0)), dict(weight_decay=-1.0)],
        "Adamax": [dict(lr=-1.0), dict(eps=-1.0), dict(betas=(1.0, 0.9)), dict(weight_decay=-1.0)],
        "NAdam": [dict(eps=-1.0), dict(betas=(0.9, 1.0)), dict(momentum_decay=-1.0)],
        "RAdam": [dict(eps=-1.0), dict(betas=(1.0, 0.9)), dict(weight_decay=-1.0)],
        "Adagrad": [dict(lr_decay=-1.0), dict(weight_decay=-1.0), dict(initial_accumulator_value=-1.0),
                    dict(eps=-1.0)],
        "Adadelta": [dict(rho=1.5), dict(eps=-1.0), dict(weight_decay=-1.0)],
        "RMSprop": [dict(eps=-1.0), dict(momentum=-1.0), dict(weight_decay=-1.0), dict(alpha=-1.0)],
        "Rprop": [dict(lr=-1.0), dict(etas=(1.5, 1.2)), dict(etas=(0.5, 0.9))],
        "ASGD": [dict(lr=-1.0), dict(weight_decay=-1.0)],
        "LBFGS": [dict(lr=-1.0)],
    }


def test_invalid_hyperparameters_raise_torchs_value_errors():
    for name, cases in _invalid_cases().items():
        for kwargs in cases:
            with pytest.raises(ValueError) as want:
                getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **kwargs)
            with pytest.raises(ValueError) as got:
                getattr(optim, name)([ag.zeros(2, requires_grad=True)], **kwargs)
            assert str(got.value) == str(want.value), (name, kwargs)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "Adagrad", "Adadelta",
                                  "RMSprop", "Rprop", "ASGD", "Adafactor"])
def test_foreach_and_fused_are_accepted_and_graph_flags_refused_clearly(name):
    import inspect
    signature = inspect.signature(getattr(optim, name))
    for flag in ("foreach", "fused"):
        if flag in signature.parameters:
            w = ag.tensor([1.0, -2.0], requires_grad=True)
            opt = getattr(optim, name)([w], **{flag: True})
            w.grad = ag.ones(2)
            opt.step()
    for flag in ("capturable", "differentiable"):
        if flag in signature.parameters:
            with pytest.raises(ValueError, match=f"{flag}=True is not supported"):
                getattr(optim, name)([ag.zeros(2, requires_grad=True)], **{flag: True})
