"""hsplit / vsplit / dsplit: PyTorch's checks (an int must divide the dimension; enough dimensions)
and pieces that are views (an in-place op on one reaches the input's gradient)."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")

CASES = [("hsplit", (4,), 2), ("hsplit", (2, 6), 3), ("hsplit", (2, 5), [1, 3]), ("vsplit", (4, 2), 2),
         ("vsplit", (3, 2), [2]), ("dsplit", (2, 2, 6), 2), ("dsplit", (2, 2, 5), [1, 3])]
ERRORS = [("hsplit", (2, 4), 3, "not divisible by the split_size 3"),
          ("hsplit", (), 2, "at least 1 dimension"),
          ("vsplit", (4,), 2, "at least 2 dimension"),
          ("vsplit", (3, 2), 2, "not divisible"),
          ("dsplit", (2, 2), 2, "at least 3 dimension"),
          ("dsplit", (2, 2, 5), 2, "not divisible")]


@pytest.mark.parametrize("name, shape, sections", CASES)
def test_pieces_and_gradient_through_an_inplace_piece(name, shape, sections):
    x0 = np.random.default_rng(0).standard_normal(shape)
    res = []
    for lib in (ag, torch):
        x = lib.tensor(x0, requires_grad=True)
        a = x * 2
        pieces = getattr(lib, name)(a, sections)
        shapes = [tuple(p.shape) for p in pieces]
        getattr(a, name)(sections)[-1].mul_(3)  # the method, and a view of a
        (a * a).sum().backward()
        res.append((shapes, a.detach().numpy(), x.grad.numpy()))
    assert res[0][0] == res[1][0]
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-12)
    np.testing.assert_allclose(res[0][2], res[1][2], rtol=1e-12)


@pytest.mark.parametrize("name, shape, sections, message", ERRORS)
def test_errors_as_pytorchs(name, shape, sections, message):
    with pytest.raises(RuntimeError, match=message):
        getattr(torch, name)(torch.ones(shape), sections)
    with pytest.raises(RuntimeError, match=message):
        getattr(ag, name)(ag.ones(shape), sections)
