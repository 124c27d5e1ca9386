"""Max pooling where a window's real elements are all -inf: PyTorch picks the window's first
element inside the input (never padding), so its index is a valid input position and the gradient
reaches the input; compared with PyTorch 2.13 (values, indices, gradients)."""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd as ag
import nn

torch = pytest.importorskip("torch")
NINF = -math.inf

CASES = [  # (nd, shape, kwargs)
    (2, (1, 1, 2, 2), {"kernel_size": 2, "stride": 1, "padding": 1}),
    (2, (1, 2, 3, 4), {"kernel_size": 3, "stride": 2, "padding": 1}),
    (2, (1, 1, 5, 5), {"kernel_size": 3, "stride": 1, "padding": 1, "dilation": 2}),
    (2, (1, 1, 3, 3), {"kernel_size": 2, "stride": 2, "padding": 1, "ceil_mode": True}),
    (1, (1, 1, 3), {"kernel_size": 3, "stride": 1, "padding": 1, "dilation": 2}),
    (1, (2, 1, 5), {"kernel_size": 2, "stride": 2, "padding": 1}),
    (3, (1, 1, 2, 3, 3), {"kernel_size": 2, "stride": 1, "padding": 1}),
]


@pytest.mark.parametrize("fill", ["all", "some"])
@pytest.mark.parametrize("nd,shape,kw", CASES, ids=str)
def test_max_pool_over_windows_of_negative_infinity_as_torch(nd, shape, kw, fill, device):
    a = np.full(shape, NINF)
    if fill == "some":
        a.reshape(-1)[::3] = np.arange(a.size)[::3] * 0.5
    results = []
    for m, f, dev in ((ag, nn.functional, device), (torch, torch.nn.functional, "cpu")):
        x = m.tensor(a, dtype=m.float64, device=dev, requires_grad=True)
        y, idx = getattr(f, f"max_pool{nd}d")(x, return_indices=True, **kw)
        w = m.arange(1.0, y.numel() + 1.0, dtype=m.float64, device=dev).reshape(y.shape)
        g, = m.autograd.grad(y, x, w)
        results.append([t.detach().cpu().numpy() for t in (y, idx, g)])
    for ours, theirs, what in zip(*results, ("values", "indices", "gradient")):
        np.testing.assert_array_equal(ours, theirs, err_msg=what)
