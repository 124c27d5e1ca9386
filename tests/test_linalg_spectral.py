"""ag.linalg's spectral and least-squares functions beyond the op table: result fields, modes and
drivers, errors as PyTorch's, and realistic programs (PCA, low-rank approximation, whitening, a least
squares fit, the pseudo-inverse of a rank-deficient matrix) compared with PyTorch in float64, values
and gradients, on every test device."""
from __future__ import annotations

import doctest
import os
import subprocess
import sys

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")


def _pair(a, device="cpu"):
    """The same float64 array as an autograd leaf on ``device`` and a torch leaf, both requiring grad."""
    return ag.tensor(a, requires_grad=True, device=device), torch.tensor(a, requires_grad=True)


def _close(x, t, rtol=1e-9, atol=1e-10):
    got = x.detach().cpu().numpy() if isinstance(x, ag.Tensor) else np.asarray(x)
    np.testing.assert_allclose(got, t.detach().numpy(), rtol=rtol, atol=atol)


# ---------------------------------------------------------------- fields, modes, drivers
def test_named_fields_and_shapes_match_torch():
    a = np.random.default_rng(0).standard_normal((2, 5, 3))
    A, T = ag.tensor(a), torch.tensor(a)
    for full in (True, False):
        U, S, Vh = ag.linalg.svd(A, full_matrices=full)
        res = ag.linalg.svd(A, full_matrices=full)
        assert (res.U.shape, res.S.shape, res.Vh.shape) == (U.shape, S.shape, Vh.shape)
        t = torch.linalg.svd(T, full_matrices=full)
        assert (U.shape, S.shape, Vh.shape) == (t.U.shape, t.S.shape, t.Vh.shape)
        _close((U[..., :3] * S[..., None, :]) @ Vh[..., :3, :], T)
    for mode in ("reduced", "complete", "r"):
        q, t = ag.linalg.qr(A, mode=mode), torch.linalg.qr(T, mode=mode)
        assert (q.Q.shape, q.R.shape) == (t.Q.shape, t.R.shape)
        _close(q.R, t.R)
        if mode != "r":
            _close(q.Q, t.Q)
    sym = a[0, :3] @ a[0, :3].T
    e, te = ag.linalg.eigh(ag.tensor(sym)), torch.linalg.eigh(torch.tensor(sym))
    _close(e.eigenvalues, te.eigenvalues)
    _close(e.eigenvectors.abs(), te.eigenvectors.abs())
    _close(ag.linalg.eigvalsh(ag.tensor(sym), UPLO="U"), torch.linalg.eigvalsh(torch.tensor(sym), UPLO="U"))
    _close(ag.linalg.svdvals(A), torch.linalg.svdvals(T))


def test_legacy_svd_and_qr_and_tensor_methods():
    a = np.random.default_rng(1).standard_normal((4, 3))
    A, T = ag.tensor(a), torch.tensor(a)
    for some in (True, False):
        u, s, v = A.svd(some=some)
        tu, ts, tv = T.svd(some=some)
        assert (u.shape, v.shape) == (tu.shape, tv.shape)
        _close(s, ts)
        _close(u[:, :3].abs(), tu[:, :3].abs())
        _close(v.abs(), tv.abs())  # V, not Vh
    res = ag.svd(A, compute_uv=False)
    t = torch.svd(T, compute_uv=False)
    assert res.V.shape == t.V.shape and res.U.shape == t.U.shape and not res.U.numpy().any()
    _close(res.S, t.S)
    for some in (True, False):
        q, r = A.qr(some=some)
        tq, tr = torch.linalg.qr(T, "reduced" if some else "complete")  # torch.qr warns it is deprecated
        _close(q, tq)
        _close(r, tr)
    assert ag.qr(A).R.shape == (3, 3)


@pytest.mark.parametrize("driver", [None, "gelsy", "gelsd", "gelss", "gels"])
def test_lstsq_fills_fields_as_torch_on_cpu(driver):
    rng = np.random.default_rng(2)
    for a_shape, b_shape in (((5, 3), (5, 2)), ((3, 5), (3, 2)), ((2, 5, 3), (2, 5, 2)), ((5, 3), (5,))):
        a, b = rng.standard_normal(a_shape), rng.standard_normal(b_shape)
        got = ag.linalg.lstsq(ag.tensor(a), ag.tensor(b), driver=driver)
        want = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), driver=driver)
        assert got._fields == ("solution", "residuals", "rank", "singular_values")
        for g, w in zip(got, want):
            assert g.shape == tuple(w.shape) and str(g.dtype) == str(w.dtype).replace("torch.", "")
            _close(g, w)


def test_lstsq_rank_deficient_gives_the_minimum_norm_solution():
    # rank 2: the third column is the sum of the first two
    a = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
    b = np.arange(8.0).reshape(4, 2)
    for driver in (None, "gelsd"):
        got = ag.linalg.lstsq(ag.tensor(a), ag.tensor(b), driver=driver)
        want = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), driver=driver)
        _close(got.solution, want.solution, rtol=1e-8)
        assert int(got.rank) == int(want.rank) == 2
        assert got.residuals.shape == tuple(want.residuals.shape) == (0,)


def test_matrix_rank_and_cond(device):
    rng = np.random.default_rng(3)
    low = rng.standard_normal((2, 5, 2)) @ rng.standard_normal((2, 2, 4))
    low[1, :, 0] = 0  # still rank 2
    on = (lambda a: ag.tensor(a, device=device))
    for kw in ({}, {"atol": 1.0}, {"rtol": 0.5}, {"atol": 0.1, "rtol": 0.0}):
        _close(ag.linalg.matrix_rank(on(low), **kw), torch.linalg.matrix_rank(torch.tensor(low), **kw))
    rtol = np.array([1e-3, 0.9])  # one tolerance per matrix of the batch
    tl, trtol = torch.tensor(low), torch.tensor(rtol)
    _close(ag.linalg.matrix_rank(on(low), rtol=on(rtol)), torch.linalg.matrix_rank(tl, rtol=trtol))
    _close(ag.linalg.pinv(on(low), rtol=on(rtol)), torch.linalg.pinv(tl, rtol=trtol))
    sym = low[0] @ low[0].T
    _close(ag.linalg.matrix_rank(on(sym), hermitian=True),
           torch.linalg.matrix_rank(torch.tensor(sym), hermitian=True))
    _close(ag.linalg.matrix_rank(on(low), tol=0.5),
           torch.linalg.matrix_rank(torch.tensor(low), tol=0.5))
    sq = rng.standard_normal((2, 3, 3))
    for p in (None, 2, -2, "fro", "nuc", 1, -1, float("inf"), float("-inf")):
        _close(ag.linalg.cond(on(sq), p), torch.linalg.cond(torch.tensor(sq), p))
    singular = np.stack([np.eye(2), np.zeros((2, 2))])
    _close(ag.linalg.cond(on(singular), 1), torch.linalg.cond(torch.tensor(singular), 1))


def test_matrix_norm_spectral_orders_and_dtype():
    a = np.random.default_rng(4).standard_normal((3, 2, 4))
    A, T = _pair(a)
    for ord_ in (2, -2, "nuc"):
        for dim in ((-2, -1), (0, 2), (2, 0)):
            for keepdim in (False, True):
                _close(ag.linalg.matrix_norm(A, ord_, dim, keepdim),
                       torch.linalg.matrix_norm(T, ord_, dim, keepdim))
        _close(ag.linalg.norm(A[0], ord_), torch.linalg.norm(T[0], ord_))
    out = ag.linalg.matrix_norm(A.float(), "nuc", dtype=ag.float64)  # widening only, as PyTorch
    assert out.dtype == ag.float64
    (ag.linalg.matrix_norm(A, 2).sum() + ag.linalg.matrix_norm(A, "nuc").sum()).backward()
    (torch.linalg.matrix_norm(T, 2).sum() + torch.linalg.matrix_norm(T, "nuc").sum()).backward()
    _close(A.grad, T.grad)


def test_float32_stays_float32():
    A = ag.randn(4, 3)
    for out in (*ag.linalg.svd(A), *ag.linalg.qr(A), ag.linalg.pinv(A), *ag.linalg.eigh(A[:3]),
                ag.linalg.lstsq(A, ag.randn(4, 2)).solution, ag.linalg.cond(A)):
        assert out.dtype == ag.float32


# ---------------------------------------------------------------- errors as PyTorch's
def _same_error(fn):
    """``fn(ag)`` and ``fn(torch)`` raise the same exception type with the same message."""
    with pytest.raises(Exception) as want:
        fn(torch)
    with pytest.raises(type(want.value)) as got:
        fn(ag)
    assert str(got.value) == str(want.value)


@pytest.mark.parametrize("call", [
    lambda m: m.linalg.eigh(m.ones(4, 3, dtype=m.float64)),
    lambda m: m.linalg.eigvalsh(m.ones(2, 3, dtype=m.float64)),
    lambda m: m.linalg.eigh(m.ones(3, dtype=m.float64)),
    lambda m: m.linalg.svd(m.ones(3, dtype=m.float64)),
    lambda m: m.linalg.svdvals(m.ones(3, dtype=m.float64)),
    lambda m: m.linalg.qr(m.ones(3, dtype=m.float64)),
    lambda m: m.linalg.svd(m.ones(2, 2, dtype=m.int64)),
    lambda m: m.linalg.eigh(m.eye(2, dtype=m.float64), UPLO="X"),
    lambda m: m.linalg.qr(m.eye(2, dtype=m.float64), mode="x"),
    lambda m: m.linalg.pinv(m.ones(3)),
    lambda m: m.linalg.pinv(m.ones(2, 3, dtype=m.int64)),
    lambda m: m.linalg.lstsq(m.ones(3), m.ones(3)),
    lambda m: m.linalg.lstsq(m.ones(4, 3), m.ones(3, 2)),
    lambda m: m.linalg.lstsq(m.ones(4, 3), m.ones(4, 2, dtype=m.float64)),
    lambda m: m.linalg.lstsq(m.ones(4, 3), m.ones(2, 4, 2)),
    lambda m: m.linalg.lstsq(m.ones(4, 3), m.ones(4, 2), driver="foo"),
    lambda m: m.linalg.matrix_rank(m.ones(3)),
    lambda m: m.linalg.cond(m.ones(3)),
    lambda m: m.linalg.cond(m.ones(4, 3), 1),
    lambda m: m.linalg.cond(m.eye(3), 3),
])
def test_bad_inputs_raise_as_torch(call):
    _same_error(call)


def test_backward_errors_as_torch():
    a = np.random.default_rng(5).standard_normal((4, 3))
    for fn in (lambda m, x: m.linalg.qr(x, mode="r").R.sum(),
               lambda m, x: m.linalg.qr(x, mode="complete").R.sum()):
        A, T = _pair(a)
        with pytest.raises(RuntimeError) as want:
            fn(torch, T).backward()
        with pytest.raises(RuntimeError) as got:
            fn(ag, A).backward()
        assert str(got.value) == str(want.value)


def test_full_matrices_gradient_uses_the_first_columns_as_torch():
    # PyTorch does not raise here: the gradient of the extra columns of U is dropped
    a = np.random.default_rng(6).standard_normal((5, 3))
    A, T = _pair(a)
    (ag.linalg.svd(A).U[:, :3] ** 3).sum().backward()
    (torch.linalg.svd(T).U[:, :3] ** 3).sum().backward()
    _close(A.grad, T.grad)
    A, T = _pair(a)
    ag.linalg.svd(A).U[:, 3:].sum().backward()
    torch.linalg.svd(T).U[:, 3:].sum().backward()
    _close(A.grad, T.grad)


# ---------------------------------------------------------------- realistic programs vs PyTorch
def test_pca_projection_and_its_gradient(device):
    x = np.random.default_rng(7).standard_normal((20, 5)) @ np.diag([5.0, 3.0, 2.0, 0.5, 0.1])
    X, T = _pair(x, device)

    def pca(m, data):
        centered = data - data.mean(0, keepdim=True)
        _, s, vh = m.linalg.svd(centered, full_matrices=False)
        proj = centered @ vh[:2].mT
        explained = (s[:2] ** 2).sum() / (s ** 2).sum()
        return ((proj @ vh[:2] - centered) ** 2).sum() + explained

    out, tout = pca(ag, X), pca(torch, T)
    _close(out, tout)
    out.backward()
    tout.backward()
    _close(X.grad, T.grad, rtol=1e-8)


def test_low_rank_approximation_double_backward(device):
    a = np.random.default_rng(8).standard_normal((6, 4))
    A, T = _pair(a, device)

    def approx_err(m, x):
        u, s, vh = m.linalg.svd(x, full_matrices=False)
        low = (u[:, :2] * s[:2]) @ vh[:2]
        return ((x - low) ** 2).sum() + m.linalg.matrix_norm(x, "nuc")

    g, = ag.grad(approx_err(ag, A), A, create_graph=True)
    tg, = torch.autograd.grad(approx_err(torch, T), T, create_graph=True)
    _close(g, tg, rtol=1e-8)
    gg, = ag.grad((g ** 2).sum(), A)
    tgg, = torch.autograd.grad((tg ** 2).sum(), T)
    _close(gg, tgg, rtol=1e-6, atol=1e-8)


def test_whitening_with_eigh(device):
    x = np.random.default_rng(9).standard_normal((30, 3)) @ np.array([[2.0, 0.3, 0.0], [0.0, 1.0, 0.5],
                                                                        [0.0, 0.0, 0.2]])
    X, T = _pair(x, device)

    def whiten(m, data):
        c = data - data.mean(0)
        cov = c.mT @ c / (c.shape[0] - 1)
        lam, v = m.linalg.eigh(cov)
        w = (v / lam.sqrt()) @ v.mT  # ZCA: V diag(1/sqrt(lambda)) V^T
        z = c @ w
        return (z[:, 0] * (1 + z[:, 1]) ** 2).sum(), z

    (out, z), (tout, tz) = whiten(ag, X), whiten(torch, T)
    _close(z, tz, rtol=1e-8)
    np.testing.assert_allclose((z.mT @ z / 29).detach().cpu().numpy(), np.eye(3), atol=1e-10)
    out.backward()
    tout.backward()
    _close(X.grad, T.grad, rtol=1e-7, atol=1e-9)


def test_least_squares_fit(device):
    rng = np.random.default_rng(10)
    feats = rng.standard_normal((50, 3))
    design = np.concatenate([feats, np.ones((50, 1))], 1)
    y = design @ np.array([[1.5], [-2.0], [0.5], [3.0]]) + 0.01 * rng.standard_normal((50, 1))
    A, TA = _pair(design, device)
    B, TB = _pair(y, device)
    sol, tsol = ag.linalg.lstsq(A, B).solution, torch.linalg.lstsq(TA, TB).solution
    _close(sol, tsol, rtol=1e-8)
    loss = ((A @ sol - B) ** 2).mean() + sol.pow(2).sum()
    tloss = ((TA @ tsol - TB) ** 2).mean() + tsol.pow(2).sum()
    loss.backward()
    tloss.backward()
    _close(A.grad, TA.grad, rtol=1e-7, atol=1e-10)
    _close(B.grad, TB.grad, rtol=1e-7, atol=1e-10)


def test_pinv_of_a_rank_deficient_matrix(device):
    rng = np.random.default_rng(11)
    a = rng.standard_normal((5, 2)) @ rng.standard_normal((2, 4))  # rank 2
    A, T = _pair(a, device)
    p, tp = ag.linalg.pinv(A), torch.linalg.pinv(T)
    _close(p, tp, rtol=1e-8)
    _close(A @ p @ A, T.detach(), rtol=1e-8)  # the Moore-Penrose conditions hold
    w = rng.standard_normal((4, 5))
    g, = ag.grad((p * ag.tensor(w, device=device)).sum(), A, create_graph=True)
    tg, = torch.autograd.grad((tp * torch.tensor(w)).sum(), T, create_graph=True)
    assert np.isfinite(g.detach().cpu().numpy()).all()
    _close(g, tg, rtol=1e-7, atol=1e-9)
    gg, = ag.grad(g.pow(2).sum(), A)
    tgg, = torch.autograd.grad(tg.pow(2).sum(), T)
    _close(gg, tgg, rtol=1e-6, atol=1e-8)
    sym = a @ a.T  # rank 2, symmetric: the hermitian path
    _close(ag.linalg.pinv(ag.tensor(sym, device=device), hermitian=True),
           torch.linalg.pinv(torch.tensor(sym), hermitian=True), rtol=1e-7, atol=1e-10)
    _close(ag.linalg.pinv(A, atol=1.0, rtol=0.1), torch.linalg.pinv(T, atol=1.0, rtol=0.1), rtol=1e-8)


def test_svdvals_of_a_rank_deficient_matrix_has_a_finite_gradient(device):
    a = np.array([[1.0, 2.0], [2.0, 4.0], [0.0, 0.0]])
    A, T = _pair(a, device)
    ag.linalg.svdvals(A).sum().backward()
    torch.linalg.svdvals(T).sum().backward()
    _close(A.grad, T.grad)


# ---------------------------------------------------------------- docs and the API contract
def test_docstring_examples():
    from autograd.ops import linalg_norm, linalg_pinv, linalg_spectral

    for mod in (linalg_spectral, linalg_pinv, linalg_norm):
        result = doctest.testmod(mod, extraglobs={"ag": ag}, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0, mod.__name__


def test_api_coverage_reports_nothing_missing():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    tool = os.path.join(root, "..", "shared", "tools", "api_coverage.py")
    if not os.path.exists(tool):
        pytest.skip("../shared/tools/api_coverage.py is not present")
    out = subprocess.run([sys.executable, tool, "--missing"], cwd=root, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "missing:" not in out.stdout, out.stdout
