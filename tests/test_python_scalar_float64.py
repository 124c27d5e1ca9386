"""A Python float operand next to a float64 tensor keeps double precision, as PyTorch's scalars.

Ops that wrapped the number into a tensor (``as_tensor_like``) made it float32 first (the default
dtype) and only then promoted it to float64, so ``xlogy(x64, 0.7)`` computed with
0.699999988...: values and gradients silently off by ~1e-8 relative. Compared with PyTorch at
1e-14.
"""
import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")

S = 0.7123456789012345
X = np.array([0.3, 1.1, 2.5])

CASES = {
    "xlogy": lambda L, x: L.xlogy(x, S),
    "xlogy_scalar_first": lambda L, x: L.xlogy(S, x),
    "special.xlogy": lambda L, x: L.special.xlogy(x, S),
    "special.xlog1py": lambda L, x: L.special.xlog1py(x, S),
    "special.xlog1py_scalar_first": lambda L, x: L.special.xlog1py(S, x),
    "special.zeta": lambda L, x: L.special.zeta(x + 1.5, S),
    "special.zeta_scalar_first": lambda L, x: L.special.zeta(3.3, x),
    "Tensor.xlogy": lambda L, x: x.xlogy(S),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_values_and_gradients_keep_double_precision(name):
    res = []
    for L in (torch, ag):
        x = L.tensor(X, dtype=L.float64, requires_grad=True)
        y = CASES[name](L, x)
        assert y.dtype == L.float64
        try:
            y.sum().backward()
            g = x.grad.numpy()
        except RuntimeError:  # zeta has no gradient for its first argument in PyTorch
            g = None
        res.append((y.detach().numpy(), g))
    np.testing.assert_allclose(res[1][0], res[0][0], rtol=1e-14)
    if res[0][1] is not None and res[1][1] is not None:
        np.testing.assert_allclose(res[1][1], res[0][1], rtol=1e-13)


def test_searchsorted_scalar_value_is_not_rounded():
    seq = [S - 1e-12, S, S + 1e-12]
    for right in (False, True):
        got = ag.searchsorted(ag.tensor(seq, dtype=ag.float64), S, right=right)
        exp = torch.searchsorted(torch.tensor(seq, dtype=torch.float64), S, right=right)
        assert int(got) == int(exp)


def test_maximum_minimum_with_a_number_are_exact():
    # PyTorch wants a Tensor here; xpgrad also takes a number, and must not round it
    x = ag.tensor(X, dtype=ag.float64)
    np.testing.assert_array_equal(ag.maximum(x, S).numpy(), np.maximum(X, S))
    np.testing.assert_array_equal(ag.minimum(x, S).numpy(), np.minimum(X, S))


def test_float32_operands_stay_float32():
    x = ag.tensor(X, dtype=ag.float32)
    for name, f in CASES.items():
        assert f(ag, x).dtype == ag.float32, name
