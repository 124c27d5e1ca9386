"""``diagonal`` and ``as_strided`` are views, as PyTorch's: writing into one writes its input, and a
recorded in-place op on one reaches the input's gradient (they were copies, so that both were
silently lost). Compared with PyTorch given the same numbers."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")

VIEWS = {
    "diagonal": lambda a: a.diagonal(),
    "diagonal_offset_dims": lambda a: a.diagonal(1, 2, 0),
    "linalg_diagonal": lambda a: (ag if isinstance(a, ag.Tensor) else torch).linalg.diagonal(a, offset=-1),
    "diagonal_of_transpose": lambda a: a.transpose(0, 1)[1:].diagonal(0, 0, 1),
    "as_strided": lambda a: a.as_strided((2, 3), (12, 2), 1),
    # PyTorch's storage_offset counts from the storage's start: a[1] starts at element 12
    "as_strided_windows_of_a_slice": lambda a: a[1].as_strided((3, 2), (3, 1), 14),
    "as_strided_default_offset_of_a_slice": lambda a: a[2:].as_strided((2, 2), (3, 1)),
}
INPLACE = {
    "mul_": lambda v: v.mul_(5),
    "add_": lambda v: v.add_(v.detach() * 0 + 1),
    "zero_": lambda v: v.zero_(),
    "copy_": lambda v: v.copy_(v.detach() * 2),
    "exp_": lambda v: v.exp_(),
}


def _grad(lib, view, inplace):
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((4, 4, 3)), requires_grad=True)
    w = lib.tensor(rng.standard_normal((4, 4, 3)))
    a = x * w
    inplace(view(a))
    (a * a).sum().backward()
    return a.detach().numpy(), x.grad.numpy()


@pytest.mark.parametrize("inplace", INPLACE)
@pytest.mark.parametrize("view", VIEWS)
def test_recorded_inplace_through_the_view_reaches_the_input(view, inplace):
    (a, g), (ta, tg) = _grad(ag, VIEWS[view], INPLACE[inplace]), _grad(torch, VIEWS[view], INPLACE[inplace])
    np.testing.assert_allclose(a, ta, rtol=1e-12)
    np.testing.assert_allclose(g, tg, rtol=1e-12)


def test_jitter_added_to_a_covariance_diagonal_under_no_grad():
    rng = np.random.default_rng(1)
    m = rng.standard_normal((2, 3, 3))
    out = {}
    for lib in (ag, torch):
        k = lib.tensor(m @ m.transpose(0, 2, 1))
        with lib.no_grad():
            k.diagonal(dim1=-2, dim2=-1).add_(1e-3)
        d = k.diagonal(dim1=-2, dim2=-1)
        k.mul_(2)  # the view sees its input's later writes
        out[lib] = k.numpy().copy(), d.numpy().copy()
    for a, b in zip(out[ag], out[torch]):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_diag_of_a_matrix_is_a_copy_as_pytorchs():
    for lib in (ag, torch):
        k = lib.ones(3, 3)
        lib.diag(k).zero_()
        assert float(k.sum()) == 9.0


def test_overlapping_windows_sum_their_gradients():
    x0 = np.random.default_rng(2).standard_normal(10)
    grads = []
    for lib in (ag, torch):
        x = lib.tensor(x0, requires_grad=True)
        y = x * 1
        windows = y.as_strided((4, 3), (2, 1))
        (windows ** 2 * lib.tensor(np.arange(12.0).reshape(4, 3))).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)


@pytest.mark.parametrize("offset, dim1, dim2", [(0, 0, 1), (1, 2, 0), (-2, 1, 2), (5, 0, 1)])
def test_diagonal_scatter(offset, dim1, dim2):
    rng = np.random.default_rng(3)
    a0 = rng.standard_normal((3, 4, 5))
    src0 = rng.standard_normal(np.diagonal(a0, offset, dim1, dim2).shape)
    res = []
    for lib in (ag, torch):
        a, src = lib.tensor(a0, requires_grad=True), lib.tensor(src0, requires_grad=True)
        out = lib.diagonal_scatter(a, src, offset, dim1, dim2)
        (out * lib.tensor(np.arange(60.0).reshape(3, 4, 5))).sum().backward()
        res.append((out.detach().numpy(), a.grad.numpy(), src.grad.numpy()))
    for x, y in zip(*res):
        np.testing.assert_allclose(x, y, rtol=1e-12)
    with pytest.raises(RuntimeError, match="size equal to the slice"):
        ag.diagonal_scatter(ag.tensor(a0), ag.ones(2), offset, dim1, dim2)


def test_as_strided_before_the_inputs_first_element_raises_clearly():
    a = ag.arange(24.0).reshape(2, 12)
    assert a[1].as_strided((2,), (1,), 13).tolist() == [13.0, 14.0]
    with pytest.raises(RuntimeError, match="before the input's first element"):
        a[1].as_strided((2,), (1,), 2)
