"""Public-style PyTorch programs, ported by changing only their imports.

With PyTorch installed, each program is built in both engines, PyTorch's
initial weights are copied into xpgrad's, and the loss, every gradient and
every parameter must agree after each of three training steps. Without
PyTorch, the xpgrad port trains a few steps and its loss must fall.
"""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from harness import DETERMINISTIC_DEMOS, PROGRAMS, copy_weights, load, named_parameters, to_numpy

STEPS = 3


def _close(got, expected, what, rtol):
    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    assert got.shape == expected.shape, f"{what}: shape {got.shape}, expected {expected.shape}"
    scale = max(float(np.abs(expected).max(initial=0.0)), 1e-3)
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=rtol * scale, err_msg=what)


@pytest.mark.parametrize("name", PROGRAMS)
def test_matches_pytorch(name):
    torch = pytest.importorskip("torch")
    ours, theirs = load(name, "xpgrad"), load(name, "torch")
    rtol = 1e-4 if getattr(theirs, "DTYPE", "float32") == "float32" else 1e-7
    torch.manual_seed(0)
    ag.manual_seed(0)
    t_state, a_state = theirs.build(), ours.build()
    copy_weights(theirs.modules(t_state), ours.modules(a_state), ag)
    t_params, a_params = named_parameters(theirs.modules(t_state)), named_parameters(ours.modules(a_state))
    assert list(a_params) == list(t_params)
    rounding_only = {}  # parameter -> mask of its elements whose gradient is only rounding noise
    for i, batch in enumerate(theirs.batches(np.random.default_rng(1), STEPS)):
        t_loss, a_loss = theirs.step(t_state, batch), ours.step(a_state, batch)
        _close(a_loss, t_loss, f"{name} step {i}: loss", rtol)
        largest = max(float(np.abs(to_numpy(p.grad)).max(initial=0.0)) for p in t_params.values()
                      if p.grad is not None)
        for k, tp in t_params.items():
            ap = a_params[k]
            if tp.grad is None:
                assert ap.grad is None or not np.any(to_numpy(ap.grad)), f"{name} step {i}: {k}.grad"
            else:
                _close(to_numpy(ap.grad), to_numpy(tp.grad), f"{name} step {i}: {k}.grad", rtol * 10)
                # zero but for rounding in both engines (a bias before a softmax, the key slice of
                # a fused in_proj_bias): Adam, being scale-free, turns rounding noise into a full
                # step, so those elements' values are not comparable
                noise = np.abs(to_numpy(tp.grad)) < 1e-6 * largest
                rounding_only[k] = rounding_only.get(k, False) | noise
            keep = ~np.broadcast_to(rounding_only.get(k, False), tp.shape)
            _close(to_numpy(ap)[keep], to_numpy(tp)[keep], f"{name} step {i}: {k}", rtol * 10)
    if hasattr(theirs, "demo"):
        got, expected = ours.demo(a_state), theirs.demo(t_state)
        assert got.shape == expected.shape
        if name in DETERMINISTIC_DEMOS:  # the others draw random numbers (the two RNGs differ)
            _close(got, expected, f"{name}: demo", rtol * 10)


@pytest.mark.parametrize("name", PROGRAMS)
def test_trains_without_pytorch(name):
    program = load(name, "xpgrad")
    ag.manual_seed(0)
    state = program.build()
    losses = [program.step(state, b) for b in program.batches(np.random.default_rng(2), 8)]
    assert all(np.isfinite(losses)), losses
    assert np.mean(losses[-3:]) < np.mean(losses[:3]), f"{name}: loss did not fall: {losses}"
    if hasattr(program, "demo"):
        assert np.all(np.isfinite(program.demo(state)))
