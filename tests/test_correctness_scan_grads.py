"""Gradients of scans and reductions at NaN, infinite and zero inputs, compared with PyTorch 2.13.

PyTorch's cumprod has two backward formulas when the input holds a zero: an O(n) one when the
backward is not itself recorded (``create_graph=False``), which gives 0 after the first zero even
where a NaN or inf sits earlier, and an O(n²) one under ``create_graph=True``; xpgrad's
``raw_backward`` and ``backward`` follow each."""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")
NAN, INF = math.nan, math.inf

CUMPROD_ROWS = [
    [NAN, 0.0, 2.0], [0.0, NAN, 2.0], [1.0, 0.0, NAN, 0.0, 3.0], [2.0, 0.0, 3.0, 0.0, 4.0],
    [0.0, 0.0, 0.0], [NAN, 2.0, 0.0], [INF, 0.0, 2.0], [3.0, INF, 0.0, 2.0, 0.0], [NAN, 2.0, 3.0],
    [-0.0, 2.0, -3.0], [1e200, 0.0, 1e200, 1e-200], [NAN], [0.0], [INF],
]


def _grads(m, values, dim, dtype, create_graph, fn):
    with np.errstate(all="ignore"):
        x = m.tensor(values, dtype=dtype, requires_grad=True)
        y = fn(x, dim)
        g = m.arange(1.0, y.numel() + 1.0, dtype=dtype).reshape(y.shape)
        gx, = m.autograd.grad(y, x, g, create_graph=create_graph)
    return gx.detach().numpy()


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("row", CUMPROD_ROWS, ids=str)
def test_cumprod_gradient_at_nan_inf_and_zeros_as_torch(row, create_graph):
    for dtype in ("float64", "float32"):
        got = _grads(ag, row, 0, getattr(ag, dtype), create_graph, lambda x, d: x.cumprod(d))
        want = _grads(torch, row, 0, getattr(torch, dtype), create_graph, lambda x, d: x.cumprod(d))
        np.testing.assert_array_equal(got, want, err_msg=f"{dtype}")


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cumprod_gradient_of_a_matrix_with_nan_and_zeros_as_torch(dim, create_graph):
    a = [[NAN, 0.0, 2.0, 3.0], [1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 5.0, NAN], [2.0, INF, 0.0, 1.0]]
    got = _grads(ag, a, dim, ag.float64, create_graph, lambda x, d: ag.cumprod(x, d))
    want = _grads(torch, a, dim, torch.float64, create_graph, lambda x, d: torch.cumprod(x, d))
    np.testing.assert_array_equal(got, want)


def test_cumprod_of_a_scalar_passes_the_gradient():
    for v in (NAN, 0.0, INF, 2.0):
        got = _grads(ag, v, 0, ag.float64, False, lambda x, d: x.cumprod(d))
        want = _grads(torch, v, 0, torch.float64, False, lambda x, d: x.cumprod(d))
        np.testing.assert_array_equal(got, want)


def test_cumprod_gradient_with_nan_and_zeros_on_each_device(device):
    a = [[NAN, 0.0, 2.0, 3.0], [1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 5.0, NAN]]
    with np.errstate(all="ignore"):
        x = ag.tensor(a, dtype=ag.float64, device=device, requires_grad=True)
        x.cumprod(1).backward(ag.ones(3, 4, dtype=ag.float64, device=device))
        t = torch.tensor(a, dtype=torch.float64, requires_grad=True)
        t.cumprod(1).backward(torch.ones(3, 4, dtype=torch.float64))
    np.testing.assert_array_equal(x.grad.cpu().numpy(), t.grad.numpy())


PROD_ROWS = [
    [INF, 0.0, 1.0], [0.0, 0.0, INF], [NAN, 0.0, 2.0], [0.0, 2.0, NAN], [0.0, 0.0, 3.0], [-INF, 0.0, 2.0],
    [1.0, 2.0, 3.0], [NAN, 2.0, 3.0], [0.0, -0.0, 0.0], [2.0, 0.0, 3.0],
]


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("row", PROD_ROWS, ids=str)
def test_prod_gradient_at_nan_inf_and_zeros_as_torch(row, create_graph):
    for dim in (None, 0):
        def fn(x, d):
            return x.prod() if d is None else x.prod(d)
        got = _grads(ag, row, dim, ag.float64, create_graph, fn)
        want = _grads(torch, row, dim, torch.float64, create_graph, fn)
        np.testing.assert_array_equal(got, want, err_msg=f"dim={dim}")


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("dim", [None, 0, 1])
def test_prod_gradient_of_a_matrix_with_nan_inf_and_zeros_as_torch(dim, create_graph):
    for a in ([[NAN, 1.0, 2.0], [0.0, 3.0, -1.0]], [[0.0, 0.0, 2.0], [INF, 3.0, 0.0]],
              [[-INF, 1.0, 2.0], [0.0, 0.0, 0.0]], [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]):
        def fn(x, d):
            return x.prod() if d is None else x.prod(d)
        got = _grads(ag, a, dim, ag.float64, create_graph, fn)
        want = _grads(torch, a, dim, torch.float64, create_graph, fn)
        np.testing.assert_array_equal(got, want, err_msg=str(a))


def test_prod_of_a_scalar_passes_the_gradient():
    for v in (NAN, 0.0, INF, 2.0):
        got = _grads(ag, v, None, ag.float64, False, lambda x, d: x.prod())
        want = _grads(torch, v, None, torch.float64, False, lambda x, d: x.prod())
        np.testing.assert_array_equal(got, want)


SPREAD_CASES = [  # (values, correction): no degrees of freedom left, NaN and inf entries
    ([NAN], 1), ([INF], 1), ([0.0], 1), ([2.0], 1), ([1.0, 3.0], 2), ([1.0, 1.0], 2), ([1.0, NAN], 2),
    ([1.0, 3.0], 5), ([[1.0, 3.0], [2.0, NAN]], 2), ([[1.0, 1.0], [2.0, INF]], 2),
    ([[1.0, 2.0], [3.0, 5.0]], 1), ([], 0), ([], 1),
]


@pytest.mark.filterwarnings("ignore:.*degrees of freedom is <= 0")
@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("dim", [None, -1])
@pytest.mark.parametrize("name", ["var", "std"])
@pytest.mark.parametrize("values,correction", SPREAD_CASES, ids=str)
def test_var_and_std_without_degrees_of_freedom_as_torch(values, correction, name, dim, create_graph):
    results = []
    for m in (ag, torch):
        with np.errstate(all="ignore"):
            x = m.tensor(values, dtype=m.float64, requires_grad=True)
            y = getattr(m, name)(x, dim=dim, correction=correction)
            g, = m.autograd.grad(y, x, -2 * m.ones_like(y), create_graph=create_graph)
        results.append((y.detach().numpy(), g.detach().numpy()))
    np.testing.assert_array_equal(results[0][0], results[1][0], err_msg="value")
    np.testing.assert_array_equal(results[0][1], results[1][1], err_msg="gradient")


@pytest.mark.parametrize("name", ["median", "nanmedian"])
@pytest.mark.parametrize("row", [[1e308, 1e308, 1.0], [INF, INF, 1.0], [-INF, -INF, -INF], [NAN, 2.0, 2.0],
                                 [3.0, NAN, NAN], [0.1, 0.1, 0.1, 5.0], [-0.0, 0.0, 1.0]], ids=str)
def test_median_of_all_elements_with_ties_at_inf_or_huge_values_as_torch(name, row):
    # the value is the picked element exactly, also when recorded (a spread of inf - inf was NaN)
    results = []
    for m in (ag, torch):
        with np.errstate(all="ignore"):
            x = m.tensor(row, dtype=m.float64, requires_grad=True)
            y = getattr(m, name)(x)
            g, = m.autograd.grad(y, x, m.tensor(3.0, dtype=m.float64), create_graph=True)
            gg, = m.autograd.grad(g.sum(), x, allow_unused=True) if g.requires_grad else (None,)
        results.append((y.item(), g.detach().numpy(), gg))
    np.testing.assert_array_equal(results[0][0], results[1][0], err_msg="value")
    np.testing.assert_array_equal(results[0][1], results[1][1], err_msg="gradient")
    assert results[0][2] is None or not results[0][2].numpy().any()
