"""MaxUnpool1d/2d/3d and F.max_unpool*: NumPy reference and PyTorch."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F


@pytest.mark.parametrize("shape,output_size", [((2, 3, 6, 6), None), ((2, 3, 7, 7), (7, 7)),
                                               ((3, 6, 8), None)])
def test_max_unpool2d_inverts_max_pool(device, shape, output_size):
    x = np.random.default_rng(0).standard_normal(shape)
    y, i = F.max_pool2d(ag.tensor(x, device=device), 2, return_indices=True)
    y.requires_grad_(True)
    out = nn.MaxUnpool2d(2)(y, i, output_size=output_size)
    h, w = output_size or (shape[-2] // 2 * 2, shape[-1] // 2 * 2)
    ref = np.zeros(shape[:-2] + (h * w,))  # each pooled value at its argmax, zeros elsewhere
    np.put_along_axis(ref, i.cpu().numpy().reshape(*shape[:-2], -1), y.detach().cpu().numpy().reshape(
        *shape[:-2], -1), -1)
    np.testing.assert_array_equal(out.detach().cpu().numpy(), ref.reshape(shape[:-2] + (h, w)))
    g = np.random.default_rng(1).standard_normal(out.shape)
    out.backward(ag.tensor(g, device=device))
    gref = np.take_along_axis(g.reshape(*shape[:-2], -1), i.cpu().numpy().reshape(*shape[:-2], -1), -1)
    np.testing.assert_allclose(y.grad.cpu().numpy(), gref.reshape(y.shape))
    torch = pytest.importorskip("torch")
    ty, ti = torch.nn.functional.max_pool2d(torch.tensor(x), 2, return_indices=True)
    tout = torch.nn.MaxUnpool2d(2)(ty, ti, output_size=output_size)
    np.testing.assert_array_equal(out.detach().cpu().numpy(), tout.numpy())


def test_max_unpool_1d_3d_repr_and_errors():
    x = ag.tensor(np.random.default_rng(2).standard_normal((1, 2, 4, 4, 4)))
    y, i = F.max_pool3d(x, 2, return_indices=True)
    u = nn.MaxUnpool3d(2)(y, i)
    assert u.shape == (1, 2, 4, 4, 4) and float((u != 0).sum()) == 16
    y1, i1 = F.max_pool1d(ag.tensor([[[1.0, 5.0, 2.0, 0.0]]]), 2, return_indices=True)
    assert nn.MaxUnpool1d(2)(y1, i1).tolist() == [[[0.0, 5.0, 2.0, 0.0]]]
    assert repr(nn.MaxUnpool2d(2)) == "MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))"
    with pytest.raises(RuntimeError, match="invalid max index"):
        F.max_unpool1d(y1, i1 + 3, 2)
    with pytest.raises(ValueError, match="invalid output_size"):
        F.max_unpool1d(y1, i1, 2, output_size=(9,))
    torch = pytest.importorskip("torch")
    assert repr(torch.nn.MaxUnpool2d(2)) == repr(nn.MaxUnpool2d(2))
    assert repr(torch.nn.MaxUnpool3d(2, 1, (0, 1, 0))) == repr(nn.MaxUnpool3d(2, 1, (0, 1, 0)))
    assert repr(torch.nn.MaxUnpool1d(2)) == repr(nn.MaxUnpool1d(2))
