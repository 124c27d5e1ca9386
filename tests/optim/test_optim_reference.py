"""Every optimizer configuration against its NumPy reference (optim_reference.py): no PyTorch needed."""
from __future__ import annotations

import numpy as np
import pytest
from optim_reference import reference
from test_optimizers import CONFIGS, RPROP_CONFIGS, _ids, gradient_sequence, initial_weights

import autograd as ag
import optim

STEPS = 60
ALL = CONFIGS + RPROP_CONFIGS


@pytest.mark.parametrize("name,kwargs", ALL, ids=_ids(ALL))
def test_float64_matches_numpy_reference(name, kwargs, device):
    weights = initial_weights(np.float64)
    grads = gradient_sequence(np.float64)[:STEPS]
    params = [ag.tensor(w, device=device, requires_grad=True) for w in weights]
    opt = getattr(optim, name)(params, **kwargs)
    for step in grads:
        for p, g in zip(params, step):
            p.grad = ag.tensor(g, device=device)
        opt.step()
    # Rprop's sign tests and Adamax's max can flip on last-bit differences: compare with a looser bound
    rtol = 1e-8 if name in ("Rprop",) else 1e-10
    for p, r in zip(params, reference(name, weights, grads, kwargs)):
        np.testing.assert_allclose(p.detach().cpu().numpy(), r, rtol=rtol, atol=1e-12)


@pytest.mark.parametrize("name,kwargs", ALL[::4], ids=_ids(ALL[::4]))
def test_float32_stays_close_to_float64_reference(name, kwargs):
    weights = initial_weights(np.float32)
    grads = gradient_sequence(np.float32)[:20]
    params = [ag.tensor(w, requires_grad=True) for w in weights]
    opt = getattr(optim, name)(params, **kwargs)
    for step in grads:
        for p, g in zip(params, step):
            p.grad = ag.tensor(g)
        opt.step()
    for p, r in zip(params, reference(name, weights, grads, kwargs)):
        assert p.dtype == ag.float32
        np.testing.assert_allclose(p.detach().numpy(), r, rtol=1e-4, atol=1e-5)
