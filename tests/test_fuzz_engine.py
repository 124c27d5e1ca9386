"""Engine semantics compared with PyTorch 2.13 (found by a differential sweep of grad modes, hooks,
checkpoint and custom Functions)."""
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
