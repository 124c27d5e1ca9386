"""The engine's node observers (autograd/observers.py) and lazy provenance (function.record_site)."""
from __future__ import annotations

import sys
import threading

import autograd as ag
import nn
from autograd import observers
from autograd.grad_mode import state


def test_record_and_backward_observers_see_every_node_until_removed():
    seen, grads = [], []
    h1 = observers.observe_record(seen.append)
    h2 = observers.observe_backward(lambda node, g: grads.append((node, len(g))))
    try:
        x = ag.ones(3, requires_grad=True)
        y = (x * 2).exp().sum()
        y.backward()
    finally:
        h1.remove()
        h2.remove()
        h2.remove()  # idempotent
    assert [n.name() for n in seen] == ["MulBackward", "ExpBackward", "SumBackward"]
    assert [n for n, _ in grads] == seen[::-1]
    (x * 2).sum().backward()
    assert len(seen) == 3 and len(grads) == 3


def test_grad_mode_state_carries_no_nn_or_viz_fields():
    assert not hasattr(state, "module_path") and not hasattr(state, "record_grad_norms")


def test_nn_observes_only_while_a_module_runs():
    m = nn.Sequential(nn.Linear(2, 2), nn.Tanh())
    assert observers.on_record == []
    out = m(ag.ones(1, 2))
    assert observers.on_record == []
    assert out.grad_fn._module == "1"


def test_grad_norms_are_recorded_for_this_thread_only():
    x = ag.ones(3, requires_grad=True)
    other = (x * 3).sum()
    with ag.viz.record_grad_norms():
        t = threading.Thread(target=other.backward)
        t.start()
        t.join()
        y = (x * 2).sum()
        y.backward()
    assert y.grad_fn._grad_norm == 1.0
    assert getattr(other.grad_fn, "_grad_norm", None) is None


def test_provenance_resolves_to_the_users_line():
    x = ag.ones(2, requires_grad=True)
    line = sys._getframe().f_lineno + 1
    y = (x *
         2).exp()
    assert y.grad_fn._site == (__file__, line + 1)  # the exp call
    assert y.grad_fn.next_functions[0][0]._site == (__file__, line)
    assert f"{__file__}:{line + 1}" in y.grad_fn.where()
