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
