"""ag.linalg decompositions beyond the op table: errors as PyTorch's, unitriangular solves, logdet's
sign handling, and the Cholesky backward on a non-symmetric upstream gradient (PyTorch's formula)."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag


def test_cholesky_not_positive_definite_raises_linalg_error():
    with pytest.raises(ag.linalg.LinAlgError, match="not positive-definite"):
        ag.linalg.cholesky(ag.tensor([[1.0, 2.0], [2.0, 1.0]]))
    assert issubclass(ag.linalg.LinAlgError, RuntimeError)
    with pytest.raises(RuntimeError, match="batches of square matrices"):
        ag.linalg.cholesky(ag.ones(2, 3))
    with pytest.raises(ag.linalg.LinAlgError, match="singular"):
        ag.linalg.solve(ag.zeros(2, 2), ag.ones(2))
    with pytest.raises(RuntimeError, match="Incompatible shapes of A and B"):
        ag.linalg.solve_triangular(ag.eye(2), ag.ones(3, 1), upper=True)


def test_unitriangular_solve_ignores_diagonal_and_other_triangle():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((3, 3)), rng.standard_normal((3, 2))
    A, B = ag.tensor(a, requires_grad=True), ag.tensor(b, requires_grad=True)
    x = ag.linalg.solve_triangular(A, B, upper=True, unitriangular=True)
    unit = np.triu(a, 1) + np.eye(3)
    np.testing.assert_allclose(x.detach().numpy(), np.linalg.solve(unit, b), rtol=1e-12)
    x.sum().backward()
    ga = A.grad.numpy()
    assert np.all(np.tril(ga) == 0)  # no gradient to the diagonal or the ignored triangle
    assert ag.gradcheck(lambda p, q: ag.linalg.solve_triangular(p, q, upper=False, unitriangular=True),
                        (A.detach().requires_grad_(), B.detach().requires_grad_()))
    torch = pytest.importorskip("torch")
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    torch.linalg.solve_triangular(ta, tb, upper=True, unitriangular=True).sum().backward()
    np.testing.assert_allclose(ga, ta.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(B.grad.numpy(), tb.grad.numpy(), rtol=1e-10)


def test_logdet_sign_and_slogdet():
    neg = ag.tensor([[0.0, 1.0], [1.0, 0.0]])
    assert np.isnan(ag.logdet(neg).item())
    sign, logabs = ag.linalg.slogdet(neg)
    assert sign.item() == -1.0 and abs(logabs.item()) < 1e-12
    assert ag.linalg.det(ag.tensor([[2.0, 1.0], [1.0, 3.0]])).item() == pytest.approx(5.0)
    np.testing.assert_allclose(ag.linalg.inv(ag.tensor([[2.0, 0.0], [0.0, 4.0]])).numpy(),
                               [[0.5, 0.0], [0.0, 0.25]])


def test_cholesky_backward_matches_torch_formula_on_raw_input():
    """The gradient w.r.t. A itself (not through a symmetrising composite) is PyTorch's (not symmetric)."""
    rng = np.random.default_rng(1)
    m = rng.standard_normal((3, 3))
    a = m @ m.T + 3 * np.eye(3)
    g = rng.standard_normal((3, 3))
    A = ag.tensor(a, requires_grad=True)
    ag.linalg.cholesky(A).backward(ag.tensor(g))
    low = np.linalg.cholesky(a)
    phi = np.tril(low.T @ g)
    phi = 0.5 * (phi + np.tril(phi, -1).T)
    inv = np.linalg.inv(low)
    np.testing.assert_allclose(A.grad.numpy(), inv.T @ phi @ inv, rtol=1e-10)
    torch = pytest.importorskip("torch")
    ta = torch.tensor(a, requires_grad=True)
    torch.linalg.cholesky(ta).backward(torch.tensor(g))
    np.testing.assert_allclose(A.grad.numpy(), ta.grad.numpy(), rtol=1e-10)


SINGULAR = {  # exact zero pivots (no rounding involved), so LAPACK's info is the same everywhere
    "rank1": [[1.0, 2.0], [2.0, 4.0]],
    "zeros": [[0.0, 0.0], [0.0, 0.0]],
    "last_pivot": [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]],
    "batch": [[[0.0, 1.0], [1.0, 0.0]], [[1.0, 0.0], [0.0, 1.0]], [[1.0, 1.0], [1.0, 1.0]]],
}
INVERSES = {"linalg.inv": lambda m, a: m.linalg.inv(a), "inverse": lambda m, a: m.inverse(a),
            "Tensor.inverse": lambda m, a: a.inverse()}


@pytest.mark.parametrize("call", list(INVERSES))
@pytest.mark.parametrize("name", list(SINGULAR))
def test_inverse_of_a_singular_matrix_names_inv_as_torch(name, call):
    torch = pytest.importorskip("torch")
    with pytest.raises(ag.linalg.LinAlgError) as ours:
        INVERSES[call](ag, ag.tensor(SINGULAR[name], dtype=ag.float64))
    with pytest.raises(torch.linalg.LinAlgError) as theirs:
        INVERSES[call](torch, torch.tensor(SINGULAR[name], dtype=torch.float64))
    assert str(ours.value) == str(theirs.value)


def test_tensor_inverse_and_other_linalg_methods_as_torch():
    torch = pytest.importorskip("torch")
    a = [[2.0, 1.0], [1.0, 3.0]]
    x, t = ag.tensor(a, dtype=ag.float64), torch.tensor(a, dtype=torch.float64)
    for method in ("inverse", "pinverse", "logdet", "cholesky"):
        np.testing.assert_allclose(getattr(x, method)().numpy(), getattr(t, method)().numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.slogdet()[1].numpy(), t.slogdet()[1].numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.cholesky(upper=True).numpy(), t.cholesky(upper=True).numpy(), rtol=1e-12)
