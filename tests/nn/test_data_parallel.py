"""nn.DataParallel: a one-device wrapper with PyTorch's module attribute and state-dict keys."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn


def test_wraps_module_outputs_grads_and_keys():
    inner = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    dp = nn.DataParallel(inner, device_ids=[0], output_device=0)
    assert dp.module is inner and nn.parallel.DataParallel is nn.DataParallel
    assert list(dp.state_dict()) == ["module." + k for k in inner.state_dict()]
    x = ag.tensor(np.random.default_rng(0).standard_normal((5, 3)), dtype=ag.float32)
    np.testing.assert_array_equal(dp(x).detach().numpy(), inner(x).detach().numpy())
    dp(x).sum().backward()
    assert all(p.grad is not None for p in inner.parameters())
    assert [id(p) for p in dp.parameters()] == [id(p) for p in inner.parameters()]
    with pytest.raises(TypeError, match="nn.Module"):
        nn.DataParallel(lambda t: t)


def test_state_dict_loads_into_torch_dataparallel():
    torch = pytest.importorskip("torch")
    tdp = torch.nn.DataParallel(torch.nn.Linear(3, 2))
    dp = nn.DataParallel(nn.Linear(3, 2))
    assert list(dp.state_dict()) == list(tdp.state_dict())
    dp.load_state_dict({k: ag.tensor(v.detach().numpy()) for k, v in tdp.state_dict().items()})
    xs = np.ones((2, 3), dtype=np.float32)
    np.testing.assert_allclose(dp(ag.tensor(xs)).detach().numpy(), tdp(torch.tensor(xs)).detach().numpy(),
                               rtol=1e-6)
