"""Grad modes: no_grad / enable_grad / set_grad_enabled as context managers, decorators, per thread."""
from __future__ import annotations

import threading

import pytest

import autograd as ag


def test_no_grad_context(device):
    x = ag.ones(2, device=device, requires_grad=True)
    with ag.no_grad():
        assert not ag.is_grad_enabled()
        y = x * 2
    assert ag.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert (x * 2).requires_grad


def test_enable_grad_inside_no_grad(device):
    x = ag.ones(2, device=device, requires_grad=True)
    with ag.no_grad():
        with ag.enable_grad():
            y = x * 2
        z = x * 2
    assert y.requires_grad and not z.requires_grad


def test_set_grad_enabled_as_context_and_call():
    with ag.set_grad_enabled(False):
        assert not ag.is_grad_enabled()
        with ag.set_grad_enabled(True):
            assert ag.is_grad_enabled()
        assert not ag.is_grad_enabled()
    assert ag.is_grad_enabled()
    ag.set_grad_enabled(False)  # a plain call switches the mode, as in PyTorch
    assert not ag.is_grad_enabled()
    ag.set_grad_enabled(True)
    assert ag.is_grad_enabled()


@pytest.mark.parametrize("decorator", [ag.no_grad(), ag.no_grad, ag.set_grad_enabled(False)],
                         ids=["no_grad()", "no_grad", "set_grad_enabled(False)"])
def test_decorators_disable(decorator):
    @decorator
    def f(x):
        return ag.is_grad_enabled(), x * 2

    assert ag.is_grad_enabled()  # decorating changes nothing
    enabled, y = f(ag.ones(1, requires_grad=True))
    assert not enabled and not y.requires_grad
    assert ag.is_grad_enabled()


def test_enable_grad_decorator_and_name():
    @ag.enable_grad()
    def f():
        """doc"""
        return ag.is_grad_enabled()

    with ag.no_grad():
        assert f()
        assert not ag.is_grad_enabled()
    assert f.__name__ == "f" and f.__doc__ == "doc"


def test_mode_restored_after_exception():
    with pytest.raises(ValueError):
        with ag.no_grad():
            raise ValueError("boom")
    assert ag.is_grad_enabled()

    @ag.no_grad()
    def f():
        raise ValueError("boom")

    with pytest.raises(ValueError):
        f()
    assert ag.is_grad_enabled()


def test_grad_mode_is_thread_local():
    seen = {}
    entered, release = threading.Event(), threading.Event()

    def worker():
        with ag.no_grad():
            entered.set()
            release.wait(5)
            seen["worker"] = ag.is_grad_enabled()

    t = threading.Thread(target=worker)
    t.start()
    entered.wait(5)
    seen["main"] = ag.is_grad_enabled()  # the worker's no_grad is not ours
    x = ag.ones(1, requires_grad=True)
    seen["records"] = (x * 2).requires_grad
    release.set()
    t.join()
    assert seen == {"worker": False, "main": True, "records": True}


def test_new_thread_starts_with_grad_enabled():
    seen = []
    with ag.no_grad():
        t = threading.Thread(target=lambda: seen.append(ag.is_grad_enabled()))
        t.start()
        t.join()
    assert seen == [True]


def test_backward_inside_no_grad_still_computes_gradients(device):
    x = ag.ones(2, device=device, requires_grad=True)
    y = (x * 3).sum()
    with ag.no_grad():
        y.backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_requires_grad_propagates(device):
    a = ag.ones(2, device=device, requires_grad=True)
    b = ag.ones(2, device=device)
    assert (a + b).requires_grad and not (b + b).requires_grad
    assert (a + b).grad_fn is not None and (a + b).is_leaf is False
    assert a.is_leaf and b.is_leaf


def test_requires_grad_only_for_floats(device):
    with pytest.raises(RuntimeError, match="floating point"):
        ag.ones(2, dtype=ag.int64, device=device, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        (ag.ones(1, requires_grad=True) * 2).requires_grad_(False)
