"""ctx.mark_dirty in custom Functions, as PyTorch's: the modified input is the output, with history."""
import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")


def _relu_(lib):
    class InplaceReLU(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.clamp_(min=0)
            ctx.mark_dirty(x)
            ctx.save_for_backward(x)
            return x

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * (y > 0)

    return InplaceReLU


def _scale_(lib):
    class ScaleInplace(lib.autograd.Function):  # modifies its first input, returns it and a new one
        @staticmethod
        def forward(ctx, x, w):
            ctx.save_for_backward(w)
            x.mul_(w)
            ctx.mark_dirty(x)
            return x, w * 2

        @staticmethod
        def backward(ctx, gx, gw2):
            (w,) = ctx.saved_tensors
            return gx * w, gw2 * 2

    return ScaleInplace


def _run(lib, data, use_input_name):
    a = lib.tensor(data, requires_grad=True)
    h = a * 3
    y = _relu_(lib).apply(h)
    z = (h if use_input_name else y) * lib.tensor([1.0, 2.0, 3.0, 4.0])
    z.sum().backward()
    return y is h, y.grad_fn is not None and y.grad_fn.name(), a.grad.numpy().copy(), h.detach().numpy()


@pytest.mark.parametrize("use_input_name", [False, True])
def test_inplace_relu_gradient_flows_through_the_function_as_pytorch(use_input_name):
    # using the modified input by its old name must go through the Function's backward too
    data = np.array([1.0, -2.0, 0.5, -0.1])
    same_o, name_o, grad_o, val_o = _run(ag, data, use_input_name)
    same_t, name_t, grad_t, val_t = _run(torch, data, use_input_name)
    assert same_o and same_t
    assert name_o == name_t == "InplaceReLUBackward"
    np.testing.assert_allclose(grad_o, grad_t)
    np.testing.assert_allclose(val_o, val_t)


def test_dirty_input_among_several_outputs():
    data = np.array([1.0, -2.0, 3.0])
    res = []
    for lib in (ag, torch):
        a = lib.tensor(data, requires_grad=True)
        w = lib.tensor([0.5, 2.0, -1.0], requires_grad=True)
        x = a.clone()
        x2, w2 = _scale_(lib).apply(x, w)
        assert x2 is x
        (x * lib.tensor([1.0, 2.0, 3.0])).sum().add(w2.sum()).backward()
        res.append((x.detach().numpy(), a.grad.numpy(), w.grad.numpy()))
    for o, t in zip(*res):
        np.testing.assert_allclose(o, t)


def test_using_a_value_saved_before_the_inplace_function_raises():
    for lib in (ag, torch):
        a = lib.tensor([1.0, -2.0], requires_grad=True)
        h = a * 1
        s = h.sin()  # saves h
        _relu_(lib).apply(h)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            s.sum().backward()


def test_misuse_raises_as_pytorch():
    class NotReturned(ag.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(RuntimeError, match="not returned as output"):
        NotReturned.apply(ag.ones(2, requires_grad=True) * 1)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        _relu_(ag).apply(ag.ones(2, requires_grad=True))
    x = ag.tensor([-1.0, 2.0])  # no grad needed anywhere: still the same tensor, version moved on
    before = x._version
    assert _relu_(ag).apply(x) is x and x.tolist() == [0.0, 2.0]
    assert x._version != before
