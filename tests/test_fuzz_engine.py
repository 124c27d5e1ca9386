"""Engine semantics compared with PyTorch 2.13 (found by a differential sweep of grad modes, hooks,
checkpoint and custom Functions)."""
import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")


def test_inference_mode_false_enables_grad_like_torch():
    out = {}
    for lib in (torch, ag):
        x = lib.ones(2, requires_grad=True)
        with lib.no_grad():
            with lib.inference_mode(False):
                a = (x * 2).requires_grad
        with lib.inference_mode():
            with lib.inference_mode(False):
                b = ((x * 2).requires_grad, lib.is_grad_enabled(), lib.is_inference_mode_enabled())

        @lib.inference_mode(False)
        def f():
            return (x * 2).requires_grad

        with lib.no_grad():
            c = f()
        out[lib] = (a, b, c, lib.is_grad_enabled())
    assert out[ag] == out[torch] == (True, (True, True, False), True, True)


@pytest.mark.parametrize("change", ["shape", "dtype"])
@pytest.mark.parametrize("leaf", [True, False])
def test_tensor_hook_may_not_change_shape_or_dtype(change, leaf):
    # was: a leaf hook returning g[0] or g.float() silently gave x.grad of shape (3,) / float32
    def hook(g):
        return g[0] if change == "shape" else g.float()

    for lib in (torch, ag):
        x = lib.ones(2, 3, dtype=lib.float64, requires_grad=True)
        y = x if leaf else x * 1
        y.register_hook(hook)
        with pytest.raises(RuntimeError, match="hook 'hook' has changed the"):
            (y * 2).sum().backward()


def test_tensor_hook_same_shape_result_still_used():
    x = ag.ones(2, 3, requires_grad=True)
    x.register_hook(lambda g: g * 3)
    (x * 2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.full((2, 3), 6.0))


def _node_hook_program(lib):
    x = lib.tensor([[0.5, -1.2, 2.0], [1.5, 0.3, -0.7]], dtype=lib.float64, requires_grad=True)
    b = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
    y = (x * b).exp()
    log = []
    y.register_hook(lambda g: (log.append("tensor"), g * 2)[1])
    y.grad_fn.register_prehook(
        lambda go: (log.append(("pre", go[0].detach().numpy().copy())), (go[0] * 3,))[1])
    y.grad_fn.register_hook(lambda gi, go: log.append(("post", gi[0].detach().numpy().copy())))
    m = y.grad_fn.next_functions[0][0]  # the Mul node: grad_inputs reduced to b's shape (3,)
    m.register_hook(lambda gi, go: (log.append(("mul", [None if g is None else tuple(g.shape) for g in gi])),
                                    (gi[0], None if gi[1] is None else gi[1] * 0))[1])
    g, gb = lib.autograd.grad(y.sum(), [x, b], create_graph=True)
    gg, = lib.autograd.grad((g * g).sum(), x)
    return [g.detach().numpy(), gb.detach().numpy(), gg.numpy()], log


def test_node_hooks_and_prehooks_like_torch():
    # was: grad_fn.register_hook(fn) raised TypeError and grad_fn.register_prehook did not exist
    want, want_log = _node_hook_program(torch)
    got, got_log = _node_hook_program(ag)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    assert [e if isinstance(e, str) else e[0] for e in got_log] == [
        e if isinstance(e, str) else e[0] for e in want_log]
    assert got_log[3] == want_log[3] == ("mul", [(2, 3), (3,)])
    np.testing.assert_allclose(got_log[1][1], want_log[1][1])
    np.testing.assert_allclose(got_log[2][1], want_log[2][1])


def _checkpoint_program(lib, nn_mod, cp):
    rng = np.random.default_rng(0)
    w, b, xs = rng.standard_normal((3, 3)), rng.standard_normal(3), rng.standard_normal((2, 3))
    lin = nn_mod.Linear(3, 3).double()
    with lib.no_grad():
        lin.weight.copy_(lib.tensor(w))
        lin.bias.copy_(lib.tensor(b))
    x = lib.tensor(xs, requires_grad=True)
    out = []
    y = cp(lambda a: lin(a).tanh() * a, x.sin(), use_reentrant=False)
    g, = lib.autograd.grad(y.sum(), x)  # must leave lin's .grad alone
    out += [g.numpy(), lin.weight.grad is None]
    y = cp(lambda a, k: lin(a).tanh() * a * k, x.sin() * 1.5, 2.0, use_reentrant=False)
    g, = lib.autograd.grad(y.sum(), x, create_graph=True)  # gradient penalty through a checkpoint
    ((g ** 2).sum() + y.pow(2).sum()).backward()
    return out + [g.detach().numpy(), x.grad.numpy(), lin.weight.grad.numpy(), lin.bias.grad.numpy()]


def test_checkpoint_grad_and_create_graph_like_torch():
    # was: ag.grad through a checkpoint also wrote the inner Linear's .grad (torch leaves it None),
    # and create_graph=True raised "element 0 of tensors does not require grad"
    import nn as xnn
    from autograd.utils.checkpoint import checkpoint
    from torch.utils.checkpoint import checkpoint as tcheckpoint
    want = _checkpoint_program(torch, torch.nn, tcheckpoint)
    got = _checkpoint_program(ag, xnn, checkpoint)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_enable_grad_inside_inference_mode_records_nothing():
    # was: enable_grad() / set_grad_enabled(True) inside inference_mode() recorded (y.requires_grad
    # True); PyTorch 2.13 keeps inference mode on there and y is an inference tensor without grad
    for lib in (torch, ag):
        x = lib.ones(2, requires_grad=True)

        @lib.enable_grad()
        def f():
            return (x * 2).requires_grad

        with lib.inference_mode():
            with lib.enable_grad():
                a = (x * 2).requires_grad
            with lib.set_grad_enabled(True):
                b = (x * 2).requires_grad
            c = f()
        assert (a, b, c, (x * 2).requires_grad) == (False, False, False, True)
