"""torch.linalg's matrix functions and LU family against PyTorch in float64: values, batched
gradients (second order where PyTorch has them), the ``*_ex`` info tensors and the error messages."""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(7)
A = RNG.standard_normal((2, 3, 3))
G = RNG.standard_normal((2, 3, 3))
SINGULAR = np.array([[1.0, 2, 3], [2, 4, 6], [1, 1, 1]])  # LAPACK's first zero pivot: U[2, 2]


def pair(x):
    return ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)


def close(ours, theirs, tol=1e-10):
    theirs = theirs.detach().numpy()
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours.detach().numpy(), theirs, rtol=tol, atol=tol)


def grads(out, inputs, seed, create_graph=False):
    lib = ag if isinstance(out, ag.Tensor) else torch
    return lib.autograd.grad(out, inputs, lib.tensor(seed), create_graph=create_graph)


@pytest.mark.parametrize("scale", [0.1, 1.0, 12.0])
def test_matrix_exp_values_and_two_orders_of_gradient(scale):
    x, t = pair(A * scale)
    ours, theirs = ag.linalg.matrix_exp(x), torch.linalg.matrix_exp(t)
    close(ours, theirs, 1e-9 * max(1.0, float(theirs.detach().abs().max())))
    (gx,), (gt,) = grads(ours, [x], G, True), grads(theirs, [t], G, True)
    close(gx, gt, 1e-8 * max(1.0, float(gt.detach().abs().max())))
    close(ag.autograd.grad((gx ** 2).sum(), x)[0], torch.autograd.grad((gt ** 2).sum(), t)[0],
          1e-7 * max(1.0, float(gt.detach().abs().max()) ** 2))
    close(x.matrix_exp(), t.matrix_exp(), 1e-9 * max(1.0, float(theirs.detach().abs().max())))


@pytest.mark.parametrize("n", [-3, -1, 0, 1, 2, 5])
def test_matrix_power(n):
    x, t = pair(A + 4 * np.eye(3))
    ours, theirs = ag.linalg.matrix_power(x, n), torch.linalg.matrix_power(t, n)
    close(ours, theirs)
    if n:
        close(grads(ours, [x], G)[0], grads(theirs, [t], G)[0])
    ints = [[1, 1], [0, 1]]
    close(ag.matrix_power(ag.tensor(ints), 3), torch.matrix_power(torch.tensor(ints), 3))


def test_lu_factor_lu_and_their_gradients():
    x, t = pair(A)
    (lu, piv), (lut, pivt) = ag.linalg.lu_factor(x), torch.linalg.lu_factor(t)
    close(lu, lut)
    assert piv.dtype == ag.int32 and np.array_equal(piv.numpy(), pivt.numpy())
    (gx,), (gt,) = grads(lu, [x], G, True), grads(lut, [t], G, True)
    close(gx, gt)
    close(ag.autograd.grad((gx ** 2).sum(), x)[0], torch.autograd.grad((gt ** 2).sum(), t)[0], 1e-8)
    x, t = pair(A)
    ours, theirs = ag.linalg.lu(x), torch.linalg.lu(t)
    for a, b in zip(ours, theirs):
        close(a, b)
    seed = sum((o * ag.tensor(s)).sum() for o, s in zip(ours[1:], (G, G[::-1].copy())))
    tseed = sum((o * torch.tensor(s)).sum() for o, s in zip(theirs[1:], (G, G[::-1].copy())))
    close(ag.autograd.grad(seed, x)[0], torch.autograd.grad(tseed, t)[0])
    for shape in [(3, 5), (5, 3), (2, 0, 0)]:
        m = RNG.standard_normal(shape)
        for a, b in zip(ag.linalg.lu(ag.tensor(m)), torch.linalg.lu(torch.tensor(m))):
            close(a, b)


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("adjoint", [False, True])
def test_lu_solve(left, adjoint):
    b = RNG.standard_normal((2, 3, 2) if left else (2, 2, 3))
    (x, bx), (t, bt) = zip(pair(A), pair(b))
    ours = ag.linalg.lu_solve(*ag.linalg.lu_factor(x), bx, left=left, adjoint=adjoint)
    theirs = torch.linalg.lu_solve(*torch.linalg.lu_factor(t), bt, left=left, adjoint=adjoint)
    close(ours, theirs)
    expected = torch.autograd.grad((theirs ** 2).sum(), [t, bt])
    for a, c in zip(ag.autograd.grad((ours ** 2).sum(), [x, bx]), expected):
        close(a, c, 1e-9)


def test_ex_functions_report_singular_matrices_in_info_and_raise_only_when_asked():
    batch = np.stack([A[0], SINGULAR])
    for name, args in [("inv_ex", ()), ("lu_factor_ex", ()), ("solve_ex", (np.ones(3),))]:
        ours = getattr(ag.linalg, name)(ag.tensor(batch), *map(ag.tensor, args))
        theirs = getattr(torch.linalg, name)(torch.tensor(batch), *map(torch.tensor, args))
        assert ours[-1].dtype == ag.int32 and ours[-1].tolist() == theirs[-1].tolist() == [0, 3]
        close(ours[0][0], theirs[0][0])
    not_pd = np.array([[4.0, 2, 0], [2, 1, 0], [0, 0, 1]])
    spd = A @ np.swapaxes(A, -1, -2) + 3 * np.eye(3)
    low, info = ag.linalg.cholesky_ex(ag.tensor(np.stack([spd[0], not_pd])), upper=True)
    tlow, tinfo = torch.linalg.cholesky_ex(torch.tensor(np.stack([spd[0], not_pd])), upper=True)
    assert info.tolist() == tinfo.tolist() == [0, 2]
    close(low[0], tlow[0])
    x, t = pair(spd)
    close(grads(ag.linalg.cholesky_ex(x)[0], [x], G)[0], grads(torch.linalg.cholesky_ex(t)[0], [t], G)[0])
    x, t = pair(A)
    close(grads(ag.linalg.inv_ex(x)[0], [x], G)[0], grads(torch.linalg.inv_ex(t)[0], [t], G)[0])
    with pytest.raises(ag.linalg.LinAlgError, match=r"^torch.linalg.solve_ex: \(Batch element 1\): The "
                       "solver failed because the input matrix is singular.$"):
        ag.linalg.solve_ex(ag.tensor(batch), ag.ones(3, dtype=ag.float64), check_errors=True)
    with pytest.raises(ag.linalg.LinAlgError, match=r"^linalg.inv_ex: The diagonal element 3 is zero, the "
                       "inversion could not be completed because the input matrix is singular.$"):
        ag.linalg.inv_ex(ag.tensor(SINGULAR), check_errors=True)
    with pytest.raises(ag.linalg.LinAlgError, match=r"the leading minor of order 2 is not positive-definite"):
        ag.linalg.cholesky_ex(ag.tensor(not_pd), check_errors=True)
    with pytest.raises(RuntimeError, match=r"^torch.linalg.lu_factor: U\[3,3\] is zero and using it on "):
        ag.linalg.lu_factor(ag.tensor(SINGULAR))


def test_products_vectors_and_shapes():
    v, w = RNG.standard_normal(3), RNG.standard_normal(5)
    mats = [RNG.standard_normal(s) for s in [(3, 4), (4, 2), (2, 5)]]
    ours = [ag.tensor(m, requires_grad=True) for m in [v, *mats, w]]
    theirs = [torch.tensor(m, requires_grad=True) for m in [v, *mats, w]]
    out, tout = ag.linalg.multi_dot(ours), torch.linalg.multi_dot(theirs)
    close(out, tout)
    for a, b in zip(ag.autograd.grad(out, ours), torch.autograd.grad(tout, theirs)):
        close(a, b)
    with pytest.warns(UserWarning):
        expected = torch.chain_matmul(*theirs[1:4])
    close(ag.chain_matmul(*ours[1:4]), expected)
    a, ta = ag.tensor(A), torch.tensor(A)
    close(ag.linalg.vecdot(a, a[0], dim=-2), torch.linalg.vecdot(ta, ta[0], dim=-2))
    close(ag.linalg.cross(a, a[:1]), torch.linalg.cross(ta, ta[:1]))
    close(ag.linalg.diagonal(ag.tensor(A), offset=1), torch.linalg.diagonal(torch.tensor(A), offset=1))
    close(ag.ger(ag.tensor(v), ag.tensor(w)), torch.ger(torch.tensor(v), torch.tensor(w)))
    close(ag.tensor(v).ger(ag.tensor(w)), torch.tensor(v).ger(torch.tensor(w)))
    t3 = RNG.standard_normal((4, 6, 8, 3))
    close(ag.linalg.tensorinv(ag.tensor(t3)), torch.linalg.tensorinv(torch.tensor(t3)))
    t2, b = RNG.standard_normal((6, 2, 3)), RNG.standard_normal((2, 3))
    close(ag.linalg.tensorsolve(ag.tensor(t2), ag.tensor(b), dims=(0,)),
          torch.linalg.tensorsolve(torch.tensor(t2), torch.tensor(b), dims=(0,)))


def test_vander_forms_and_gradient_at_zero():
    x, t = pair(np.array([0.0, -1.5, 2.0]))
    for ours, theirs in [(ag.vander(x), torch.vander(t)),
                         (ag.vander(x, N=4, increasing=True), torch.vander(t, N=4, increasing=True)),
                         (ag.linalg.vander(x), torch.linalg.vander(t)),
                         (ag.vander(x, N=0), torch.vander(t, N=0))]:
        close(ours, theirs)
    out, tout = ag.linalg.vander(x, N=4), torch.linalg.vander(t, N=4)
    (gx,), (gt,) = grads(out, [x], np.ones((3, 4)), True), grads(tout, [t], np.ones((3, 4)), True)
    close(gx, gt)
    close(ag.autograd.grad(gx.sum(), x)[0], torch.autograd.grad(gt.sum(), t)[0])
    assert ag.vander(ag.tensor([1, 2, 3])).tolist() == torch.vander(torch.tensor([1, 2, 3])).tolist()


@pytest.mark.parametrize("p, dim", [(2, 1), (1, 0), (3, -1)])
def test_renorm_values_and_gradient(p, dim):
    a = A.copy()
    a[0, 1] = 0.0  # a zero slice keeps a finite gradient
    x, t = pair(a)
    ours, theirs = ag.renorm(x, p, dim, 1.5), torch.renorm(t, p, dim, 1.5)
    close(ours, theirs)
    (gx,), (gt,) = grads(ours, [x], G, True), grads(theirs, [t], G, True)
    close(gx, gt)
    close(ag.autograd.grad((gx ** 2).sum(), x)[0], torch.autograd.grad((gt ** 2).sum(), t)[0], 1e-8)
    close(x.renorm(p, dim, 1.5), t.renorm(p, dim, 1.5))
    (x, t), g = pair(a), RNG.standard_normal(a.shape)
    y, ty = x * 2, t * 2
    assert y.renorm_(p, dim, 1.5) is y and ty.renorm_(p, dim, 1.5) is ty
    close(y, ty)
    close(grads(y, [x], g)[0], grads(ty, [t], g)[0])


@pytest.mark.parametrize("p", [1, 2, 3, math.inf])
@pytest.mark.parametrize("dim", [0, 1])
def test_renorm_gradient_of_a_slice_holding_nan_or_inf_as_torch(p, dim):
    # a NaN norm is not above maxnorm: PyTorch's renorm_backward passes the gradient through there
    nan, inf = math.nan, math.inf
    for a in ([[nan, 1.0, 2.0], [0.1, 0.2, 0.1]], [[nan, 0.0, 0.0], [-inf, 1.0, 1.0]],
              [[inf, 1.0, 2.0], [3.0, 4.0, 0.0]]):
        results = []
        for m in (ag, torch):
            with np.errstate(all="ignore"):
                x = m.tensor(a, dtype=m.float64, requires_grad=True)
                y = m.renorm(x, p, dim, 1.0)
                g, = m.autograd.grad(y, x, m.arange(1.0, 7.0, dtype=m.float64).reshape(2, 3))
            results.append((y.detach().numpy(), g.numpy()))
        np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12, err_msg=str(a))
        np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-12, atol=1e-12, err_msg=str(a))

def _message(fn, lib):
    with pytest.raises(Exception) as info:
        fn(lib)
    return type(info.value).__name__.lstrip("_"), str(info.value)


@pytest.mark.parametrize("fn", [
    lambda m: m.linalg.multi_dot([m.ones(2, 3)]),
    lambda m: m.linalg.multi_dot([m.ones(2, 3, 3), m.ones(3, 3)]),
    lambda m: m.linalg.multi_dot([m.ones(2, 3), m.ones(3, 3, 3), m.ones(3)]),
    lambda m: m.linalg.multi_dot([m.ones(2, 3), m.ones(4, 3)]),
    lambda m: m.linalg.matrix_power(m.ones(2, 3), 2),
    lambda m: m.linalg.matrix_exp(m.ones(2, 3)),
    lambda m: m.linalg.matrix_exp(m.ones(3, 3, dtype=m.int64)),
    lambda m: m.linalg.cross(m.ones(2, 3), m.ones(2, 2)),
    lambda m: m.linalg.cross(m.ones(2, 3), m.ones(3)),
    lambda m: m.linalg.vander(m.ones(3), N=1),
    lambda m: m.vander(m.ones(3, 2)),
    lambda m: m.vander(m.ones(3), N=-1),
    lambda m: m.linalg.tensorinv(m.ones(2, 3), ind=0),
    lambda m: m.linalg.tensorinv(m.ones(2, 3, 4), ind=1),
    lambda m: m.renorm(m.ones(3), 2, 0, 1),
    lambda m: m.renorm(m.ones(3, 3), -1, 0, 1),
    lambda m: m.renorm(m.ones(3, 3), 2, 0, -1),
    lambda m: m.linalg.lu_factor(m.eye(3, dtype=m.float64), pivot=False),
    lambda m: m.linalg.lu_factor_ex(m.zeros(2, 3, 3, dtype=m.float64), check_errors=True),
    lambda m: m.linalg.lu_solve(m.eye(3, dtype=m.float64), m.ones(3, dtype=m.int32),
                                m.ones(3, dtype=m.float64)),
])
def test_errors_as_torch(fn):
    assert _message(fn, ag) == _message(fn, torch)


@pytest.mark.parametrize("shape", [(2, 3, 5), (2, 5, 3)])
def test_rectangular_lu_gradients(shape):
    x, t = pair(RNG.standard_normal(shape))
    (_, low, up), (_, tlow, tup) = ag.linalg.lu(x), torch.linalg.lu(t)
    g1, g2 = RNG.standard_normal(low.shape), RNG.standard_normal(up.shape)
    (gx,) = ag.autograd.grad((low * ag.tensor(g1)).sum() + (up ** 2 * ag.tensor(g2)).sum(), x,
                             create_graph=True)
    (gt,) = torch.autograd.grad((tlow * torch.tensor(g1)).sum() + (tup ** 2 * torch.tensor(g2)).sum(), t,
                                create_graph=True)
    close(gx, gt)
    close(ag.autograd.grad((gx ** 2).sum(), x)[0], torch.autograd.grad((gt ** 2).sum(), t)[0], 1e-8)
    y = ag.tensor(RNG.standard_normal(shape[1:]), requires_grad=True)
    assert ag.gradcheck(lambda a: ag.linalg.lu_factor(a)[0], (y,))


def test_householder_product_and_orgqr():
    (x, tau), (t, ttau) = zip(pair(RNG.standard_normal((2, 5, 3))), pair(RNG.standard_normal((2, 2))))
    ours, theirs = ag.linalg.householder_product(x, tau), torch.linalg.householder_product(t, ttau)
    close(ours, theirs)
    g = RNG.standard_normal(ours.shape)
    for a, b in zip(grads(ours, [x, tau], g), grads(theirs, [t, ttau], g)):
        close(a, b, 1e-9)
    close(x.orgqr(tau), ag.orgqr(x, tau))
    for shape, tau_shape, tau_dtype in [((2, 3), (1,), "float64"), ((3, 2), (1, 1), "float64"),
                                        ((3, 2), (1,), "float32")]:
        def fn(m):
            return m.linalg.householder_product(m.ones(shape, dtype=m.float64),
                                                m.ones(tau_shape, dtype=getattr(m, tau_dtype)))
        assert _message(fn, ag) == _message(fn, torch)


def test_named_results_lu_unpack_and_singular_powers():
    x, t = pair(A)
    lu, piv = ag.linalg.lu_factor(x)
    ours, theirs = ag.lu_unpack(lu, piv), torch.lu_unpack(*torch.linalg.lu_factor(t))
    for a, b in zip(ours, theirs):
        close(a, b)
    close(grads(ours.U, [x], G)[0], grads(theirs.U, [t], G)[0])
    assert ag.lu_unpack(lu, piv, unpack_data=False).L.shape == (0,)
    assert ag.linalg.lu(x).L.shape == ag.linalg.lu_factor_ex(x).LU.shape == (2, 3, 3)
    assert ag.linalg.solve_ex(x, x).info.tolist() == [0, 0]
    assert ag.linalg.inv_ex(x).inverse.shape == ag.linalg.cholesky_ex(x @ x.mT).L.shape == (2, 3, 3)
    for fn in [lambda m: m.linalg.matrix_power(m.zeros(2, 3, 3, dtype=m.float64), -1),
               lambda m: m.linalg.matrix_power(m.ones(3, 3, dtype=m.int64), -1),
               lambda m: m.linalg.lu_factor(m.ones(3, 3, dtype=m.int64)),
               lambda m: m.lu_unpack(m.eye(3), m.ones(3, dtype=m.int64))]:
        assert _message(fn, ag) == _message(fn, torch)


def test_legacy_lu_and_lu_solve():
    x, t = pair(A)
    b = RNG.standard_normal((2, 3, 1))
    with pytest.warns(UserWarning, match="torch.lu is deprecated"):
        ours = ag.lu(x, get_infos=True)
    with pytest.warns(UserWarning):
        theirs = torch.lu(t, get_infos=True)
    for a, c in zip(ours, theirs):
        close(a, c)
    with pytest.warns(UserWarning, match="torch.lu_solve is deprecated"):
        solved = ag.tensor(b).lu_solve(*ours[:2])
    with pytest.warns(UserWarning):
        expected = torch.lu_solve(torch.tensor(b), *theirs[:2])
    close(solved, expected)
    close(grads(solved, [x], np.ones((2, 3, 1)))[0], grads(expected, [t], np.ones((2, 3, 1)))[0])
    with pytest.warns(UserWarning), pytest.raises(RuntimeError, match=r"U\[3,3\] is zero"):
        ag.tensor(SINGULAR).lu()
