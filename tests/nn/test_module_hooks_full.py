"""Module backward hooks (full, pre, old-style, global) and forward hook keywords, against PyTorch."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag
import nn
from nn.modules import module as module_mod

torch = pytest.importorskip("torch")


def _np(t):
    return None if t is None else t.detach().cpu().numpy()


def _twin_linear(i, o):
    """An xpgrad and a torch Linear with the same float64 weights."""
    rng = np.random.default_rng(0)
    w, b = rng.standard_normal((o, i)), rng.standard_normal(o)
    ours = nn.Linear(i, o).double()
    theirs = torch.nn.Linear(i, o).double()
    with ag.no_grad():
        ours.weight.copy_(ag.tensor(w))
        ours.bias.copy_(ag.tensor(b))
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(w))
        theirs.bias.copy_(torch.tensor(b))
    return ours, theirs


def _recorder(log, tag):
    def hook(module, grad_input, grad_output):
        log.append((tag, [_np(g) for g in grad_input], [_np(g) for g in grad_output]))
    return hook


def _same_log(a, b):
    assert [e[0] for e in a] == [e[0] for e in b]
    for (_, gi_a, go_a), (_, gi_b, go_b) in zip(a, b):
        for xs, ys in ((gi_a, gi_b), (go_a, go_b)):
            assert len(xs) == len(ys)
            for x, y in zip(xs, ys):
                assert (x is None) == (y is None)
                if x is not None:
                    np.testing.assert_allclose(x, y, rtol=1e-12)


def _pair(shape, seed=1, requires_grad=True):
    x = np.random.default_rng(seed).standard_normal(shape)
    return (ag.tensor(x, requires_grad=requires_grad), torch.tensor(x, requires_grad=requires_grad))


def test_linear_full_backward_hook_and_pre_hook_match_torch():
    (ours, theirs), logs = _twin_linear(3, 2), ([], [])
    for m, log in ((ours, logs[0]), (theirs, logs[1])):
        m.register_full_backward_pre_hook(
            lambda mod, go, log=log: log.append(("pre", [], [_np(g) for g in go])))
        m.register_full_backward_hook(_recorder(log, "full"))
    (x, tx) = _pair((4, 3))
    (ours(x) ** 2).sum().backward()
    (theirs(tx) ** 2).sum().backward()
    _same_log(*logs)
    np.testing.assert_allclose(_np(x.grad), _np(tx.grad))


class Two(nn.Module):
    def forward(self, x, y, scale=1.0):
        return x * y * scale, x + 1


class TTwo(torch.nn.Module):
    def forward(self, x, y, scale=1.0):
        return x * y * scale, x + 1


@pytest.mark.parametrize("y_grad", [False, True])
@pytest.mark.parametrize("use", ["first", "second", "both"])
def test_two_inputs_tuple_output(y_grad, use):
    """grad_input: zeros for an input that gets no gradient; grad_output: None for an unused output."""
    logs = ([], [])
    results = []
    for m, log, k in ((Two(), logs[0], 0), (TTwo(), logs[1], 1)):
        m.register_full_backward_hook(_recorder(log, "two"))
        x, y = _pair((3,), 1)[k], _pair((3,), 2, y_grad)[k]
        a, b = m(x, y, scale=2.0)
        loss = {"first": a.sum(), "second": (b * b).sum(), "both": a.sum() + (b * b).sum()}[use]
        loss.backward()
        results.append((_np(x.grad), _np(y.grad)))
    _same_log(*logs)
    for g, tg in zip(*results):
        assert (g is None) == (tg is None)
        if g is not None:
            np.testing.assert_allclose(g, tg)


def test_double_backward_through_a_hooked_module_as_torch():
    """A gradient penalty: the hook fires in both backwards, with PyTorch's arguments."""
    logs, grads = ([], []), []
    for k, (m, log) in enumerate(zip(_twin_linear(3, 2), logs)):
        m.register_full_backward_hook(_recorder(log, "lin"))
        x = _pair((2, 3))[k]
        grad = (ag, torch)[k].autograd.grad(m(x).tanh().sum(), x, create_graph=True)[0]
        (grad ** 2).sum().backward()
        grads.append(_np(m.weight.grad))
    assert len(logs[0]) == 2
    _same_log(*logs)
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)


def test_returned_replacements_change_gradients_as_torch():
    grads = []
    for k, m in enumerate(_twin_linear(3, 2)):
        m.register_full_backward_pre_hook(lambda mod, go: (go[0] * 2,))
        m.register_full_backward_hook(lambda mod, gi, go: (gi[0] * 10,))
        m.register_full_backward_hook(lambda mod, gi, go: (gi[0] + 1,))
        x = _pair((2, 3))[k]
        m(x).sum().backward()
        grads.append((_np(x.grad), _np(m.weight.grad), _np(m.bias.grad)))
    for a, b in zip(*grads):
        np.testing.assert_allclose(a, b)


def test_module_used_twice_fires_per_call_in_backward_order():
    logs = ([], [])
    for k, (m, log) in enumerate(zip(_twin_linear(3, 3), logs)):
        m.register_full_backward_hook(_recorder(log, "twice"))
        x = _pair((2, 3))[k]
        m(m(x)).tanh().sum().backward()
    assert len(logs[0]) == 2
    _same_log(*logs)


def test_hooked_sequential_with_inplace_relu_inside():
    """An in-place ReLU on a tensor made inside the hooked module is fine (as PyTorch)."""
    logs = ([], [])
    for k, log in enumerate(logs):
        lib = (nn, torch.nn)[k]
        seq = lib.Sequential(_twin_linear(3, 3)[k], lib.ReLU(inplace=True))
        seq.register_full_backward_hook(_recorder(log, "seq"))
        seq(_pair((2, 3))[k]).sum().backward()
    _same_log(*logs)


def test_nested_hooks_order():
    order = ([], [])
    for k, log in enumerate(order):
        lib = (nn, torch.nn)[k]
        inner = _twin_linear(3, 3)[k]
        seq = lib.Sequential(inner, lib.ReLU(), _twin_linear(3, 2)[k])
        for name, mod in (("seq", seq), ("inner", inner)):
            mod.register_full_backward_pre_hook(lambda m, go, n=name, log=log: log.append("pre-" + n))
            mod.register_full_backward_hook(lambda m, gi, go, n=name, log=log: log.append(n))
        seq(_pair((2, 3))[k]).sum().backward()
    assert order[0] == order[1]


def test_no_input_requires_grad_warns_and_passes_none():
    logs = ([], [])
    for k, (m, log) in enumerate(zip(_twin_linear(3, 2), logs)):
        m.register_full_backward_hook(_recorder(log, "noreq"))
        x = _pair((4, 3), requires_grad=False)[k]
        with pytest.warns(UserWarning, match="no inputs require gradients"):
            m(x).sum().backward()
    _same_log(*logs)
    assert logs[0][0][1] == [None]
    ours = _twin_linear(3, 2)[0]
    ours.register_full_backward_hook(lambda m, gi, go: (ag.ones(4, 3),))
    with pytest.warns(UserWarning), pytest.raises(RuntimeError, match="no input requires gradient"):
        ours(ag.ones(4, 3, dtype=ag.float64)).sum().backward()


def test_errors_as_torch():
    m = _twin_linear(3, 2)[0]
    m.register_full_backward_hook(lambda mod, gi, go: (gi[0], gi[0]))
    with pytest.raises(RuntimeError, match="invalid number of grad_input, got 2, but expected 1"):
        m(_pair((2, 3))[0]).sum().backward()
    m = _twin_linear(3, 2)[0]
    m.register_full_backward_pre_hook(lambda mod, go: (go[0], go[0]))
    with pytest.raises(RuntimeError, match="invalid number of grad_output, got 2, but expected 1"):
        m(_pair((2, 3))[0]).sum().backward()
    m = nn.Linear(2, 2)
    m.register_backward_hook(lambda *a: None)
    with pytest.raises(RuntimeError, match="Cannot use both regular backward hooks and full"):
        m.register_full_backward_hook(lambda *a: None)


def test_dict_output_warns_and_hook_does_not_fire():
    class D(nn.Module):
        def forward(self, x):
            return {"a": x * 2}

    calls = []
    d = D()
    d.register_full_backward_hook(lambda *a: calls.append(a))
    with pytest.warns(UserWarning, match="module output should be a Tensor or a tuple of Tensors"):
        out = d(ag.ones(2, requires_grad=True))
    out["a"].sum().backward()
    assert calls == []


def test_kwarg_tensors_are_not_grad_inputs_and_handles_remove():
    class K(nn.Module):
        def forward(self, x, y=None):
            return x * y

    seen = []
    k = K()
    h = k.register_full_backward_hook(lambda m, gi, go: seen.append(len(gi)))
    hp = k.register_full_backward_pre_hook(lambda m, go: seen.append("pre"))
    k(ag.ones(2, requires_grad=True), y=ag.ones(2, requires_grad=True)).sum().backward()
    assert seen == ["pre", 1]
    h.remove()
    hp.remove()
    k(ag.ones(2, requires_grad=True), y=ag.ones(2)).sum().backward()
    assert seen == ["pre", 1]
    assert not k._backward_hooks and not k._backward_pre_hooks


def test_no_grad_forward_is_not_wrapped_and_inplace_after_hooked_module():
    m = _twin_linear(2, 2)[0]
    m.register_full_backward_hook(lambda *a: None)
    with ag.no_grad():
        assert m(ag.ones(2, dtype=ag.float64)).grad_fn is None
    out = m(ag.ones(2, dtype=ag.float64, requires_grad=True))
    assert out.grad_fn.name() == "BackwardHookFunctionBackward"
    out.detach().add_(1)  # allowed, as PyTorch
    # an in-place change of the hooked output while a node still needs the module's result raises
    s = nn.Sequential(nn.Linear(2, 2).double(), nn.Sigmoid())
    s.register_full_backward_hook(lambda *a: None)
    y = s(ag.ones(2, dtype=ag.float64, requires_grad=True))
    y.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_old_backward_hook_runs_as_full_hook():
    seen = []
    m = _twin_linear(3, 2)[0]
    m.register_backward_hook(lambda mod, gi, go: seen.append((len(gi), len(go))))
    m(_pair((2, 3))[0]).sum().backward()
    assert seen == [(1, 1)]


def test_global_backward_and_forward_hooks():
    seen = []
    h1 = module_mod.register_module_full_backward_hook(
        lambda m, gi, go: seen.append(("bw", type(m).__name__)))
    h2 = module_mod.register_module_forward_hook(lambda m, a, o: seen.append(("fw", type(m).__name__)))
    h3 = module_mod.register_module_forward_pre_hook(lambda m, a: seen.append(("pre", type(m).__name__)))
    try:
        nn.Sequential(nn.Linear(2, 2), nn.Tanh())(ag.ones(1, 2, requires_grad=True)).sum().backward()
    finally:
        h1.remove(), h2.remove(), h3.remove()
    assert seen == [("pre", "Sequential"), ("pre", "Linear"), ("fw", "Linear"), ("pre", "Tanh"),
                    ("fw", "Tanh"), ("fw", "Sequential"), ("bw", "Tanh"), ("bw", "Linear"),
                    ("bw", "Sequential")]
    nn.Linear(2, 2)(ag.ones(2))
    assert len(seen) == 9


# ---------------------------------------------------------------- forward hook keywords
def test_forward_hooks_with_kwargs_and_always_call_as_torch():
    def run(lib, fail):
        calls = []

        class M(lib.nn.Module if lib is torch else nn.Module):
            def forward(self, x, bias=0.0):
                if fail:
                    raise ValueError("boom")
                return x + bias

        m = M()
        m.register_forward_pre_hook(lambda mod, a, kw: (a, {"bias": kw.get("bias", 0.0) + 1}),
                                    with_kwargs=True)
        m.register_forward_hook(lambda mod, a, kw, out: calls.append(("kw", sorted(kw))) or out * 2,
                                with_kwargs=True)
        m.register_forward_hook(lambda mod, a, out: calls.append(("always", out is None)), always_call=True)
        m.register_forward_hook(lambda mod, a, out: calls.append("plain"), prepend=True)
        x = (ag if lib is not torch else torch).ones(2)
        try:
            out = m(x, bias=1.0)
        except ValueError:
            return calls, None
        return calls, list(out.tolist())

    for fail in (False, True):
        assert run(ag, fail) == run(torch, fail)


def test_always_call_hook_error_is_silenced_with_a_warning():
    m = nn.Linear(2, 2)
    m.register_forward_hook(lambda *a: 1 / 0, always_call=True)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        with pytest.raises(RuntimeError):
            m(ag.ones(3))
    assert any("always_call=True" in str(x.message) for x in w)
    assert list(m._forward_hooks_always_called)
    m._forward_hooks.clear()
