"""Custom ``autograd.Function`` API that real code uses and xpgrad lacked: ``ctx.set_materialize_grads``,
the ``setup_context`` style (``forward`` without ``ctx``), ``@once_differentiable`` and the
``torch.autograd.function`` module path (AttributeError / TypeError / ModuleNotFoundError before).
Checked against PyTorch: values, what ``backward`` receives, gradients, double backward."""
import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")


def _functions(lib):
    from importlib import import_module

    once = import_module(lib.__name__ + ".autograd.function").once_differentiable
    F = lib.autograd.Function
    seen = []

    class TwoOut(F):
        @staticmethod
        def forward(ctx, x, materialize):
            ctx.set_materialize_grads(materialize)
            ctx.save_for_backward(x)
            return x * 2, x.sin()

        @staticmethod
        def backward(ctx, g1, g2):
            seen.append((g1 is None, g2 is None))
            (x,) = ctx.saved_tensors
            r = 0
            if g1 is not None:
                r = r + g1 * 2
            if g2 is not None:
                r = r + g2 * x.cos()
            return r, None

    class Cube(F):  # setup_context style
        @staticmethod
        def forward(x, k):
            return x ** 3 * k

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, k = inputs
            ctx.save_for_backward(x)
            ctx.k = k

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x ** 2 * ctx.k, None

    class Square(F):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @once
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    return TwoOut, Cube, Square, seen


@pytest.mark.parametrize("materialize", [True, False])
def test_set_materialize_grads(materialize):
    res = []
    for lib in (torch, ag):
        TwoOut, _, _, seen = _functions(lib)
        x = lib.tensor([0.3, -1.2], requires_grad=True)
        a, _ = TwoOut.apply(x, materialize)
        (a * 3).sum().backward()
        res.append((seen, x.grad.numpy()))
    assert res[0][0] == res[1][0] == [(False, not materialize)]
    np.testing.assert_allclose(res[1][1], res[0][1])


def test_setup_context_style_with_double_backward():
    res = []
    for lib in (torch, ag):
        _, Cube, _, _ = _functions(lib)
        x = lib.tensor([0.5, -2.0, 1.5], dtype=lib.float64, requires_grad=True)
        y = Cube.apply(x, 0.5)
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        (g * g).sum().backward()
        res.append((y.detach().numpy(), g.detach().numpy(), x.grad.numpy()))
    for got, exp in zip(res[1], res[0]):
        np.testing.assert_allclose(got, exp, rtol=1e-14)


def test_once_differentiable():
    msgs = []
    for lib in (torch, ag):
        _, _, Square, _ = _functions(lib)
        x = lib.tensor([1.5, -0.5], requires_grad=True)
        Square.apply(x).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), [3.0, -1.0])
        (g,) = lib.autograd.grad(Square.apply(x).sum(), x, create_graph=True)
        np.testing.assert_allclose(g.detach().numpy(), [3.0, -1.0])
        with pytest.raises(RuntimeError) as e:  # no input of the backward required grad: no graph
            g.sum().backward()
        msgs.append(str(e.value))
        v = lib.tensor([1.0, 2.0], requires_grad=True)  # now one does: differentiating it raises
        (g,) = lib.autograd.grad(Square.apply(x), x, grad_outputs=v, create_graph=True)
        np.testing.assert_allclose(g.detach().numpy(), [3.0, -2.0])
        assert g.requires_grad
        with pytest.raises(RuntimeError) as e:
            g.sum().backward()
        msgs.append(str(e.value))
    assert msgs[0] == msgs[2]
    assert "once_differentiable" in msgs[1] and msgs[1] == msgs[3]


def test_function_module_path():
    from autograd.autograd.function import Function, once_differentiable

    assert Function is ag.Function and callable(once_differentiable)
    assert ag.autograd.function.Function is ag.autograd.Function
