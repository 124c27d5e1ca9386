"""In-place ops on the outputs of ops, and which outputs are views (PyTorch's answers, hard-coded).

- ``repeat`` / ``tile`` always return a new tensor (they were a broadcast view of the input when
  the repeats fell on size-1 dims: later writes to the input showed through, and writing into the
  result raised); ``expand`` to the same shape is a writable view, as PyTorch's.
"""
import numpy as np
import pytest

import autograd as ag


# ---------------------------------------------------------------- repeat / tile copy
@pytest.mark.parametrize("make", [lambda y: y.repeat(3, 1), lambda y: ag.tile(y, (3, 1)),
                                  lambda y: y.repeat(1, 1, 1)])
def test_repeat_is_not_a_view_of_its_recorded_input(make):
    x = ag.tensor([[1.0, 2.0]], dtype=ag.float64, requires_grad=True)
    y = x * 1
    r = make(y)
    y.mul_(10)  # recorded in-place on the input after the repeat
    n = r.numel() // 2
    assert r.detach().reshape(-1).tolist() == [1.0, 2.0] * n
    r.sum().backward()
    assert x.grad.tolist() == [[float(n), float(n)]]  # torch: [[3., 3.]] for repeat(3, 1)


@pytest.mark.parametrize("shape,reps", [((1, 4), (3, 1)), ((4, 1), (1, 3)), ((2, 2), (1, 1)),
                                        ((4,), (1, 1))])
def test_repeat_owns_its_memory(shape, reps):
    a = ag.arange(4.0).reshape(*shape)
    b = a.repeat(*reps)
    expect = np.tile(np.arange(4.0).reshape(shape), reps)
    a.mul_(10)  # unrecorded write to the input
    assert b.tolist() == expect.tolist()
    b.add_(1)  # the result is writable and leaves the input alone
    assert b.tolist() == (expect + 1).tolist()
    assert a.tolist() == (np.arange(4.0).reshape(shape) * 10).tolist()


def test_repeat_then_inplace_with_grad():
    x = ag.arange(4.0, requires_grad=True)
    r = x.reshape(1, 4).repeat(2, 1)
    r.mul_(2)  # raised: "a view of a leaf Variable ..."
    (r * ag.arange(8.0).reshape(2, 4)).sum().backward()
    assert x.grad.tolist() == [8.0, 12.0, 16.0, 20.0]  # torch


def test_repeat_grad_and_double_grad():
    x = ag.tensor([[1.0, 2.0, 3.0]], dtype=ag.float64, requires_grad=True)
    y = (x ** 2).repeat(2, 1, 2)
    (g,) = ag.autograd.grad((y ** 2).sum(), x, create_graph=True)
    assert g.tolist() == [[16.0, 128.0, 432.0]]  # torch
    (g2,) = ag.autograd.grad(g.sum(), x)
    assert g2.tolist() == [[48.0, 192.0, 432.0]]  # torch


def test_learned_state_repeated_then_optimizer_step():
    import nn
    import optim

    h0 = nn.Parameter(ag.tensor([[1.0, 2.0]]))
    opt = optim.SGD([h0], lr=1.0)
    h = h0.repeat(2, 1)
    (h * h).sum().backward()
    opt.step()
    assert h.detach().tolist() == [[1.0, 2.0], [1.0, 2.0]]  # torch: h is unchanged by the step
    assert h0.detach().tolist() == [[-3.0, -6.0]]


def test_expand_to_the_same_shape_is_a_writable_view():
    x = ag.ones(2, 3)
    x.expand_as(x).add_(1)
    x.broadcast_to((1, 2, 3)).mul_(3)
    assert x.tolist() == [[6.0] * 3] * 2  # torch: both write through
    y = ag.ones(3, requires_grad=True)
    z = (y * 1).expand(1, 3)
    z.mul_(2)
    z.sum().backward()
    assert y.grad.tolist() == [2.0, 2.0, 2.0]


# ---------------------------------------------------------------- Tensor.unfold is a live view
def test_unfold_sees_a_recorded_inplace_op_on_its_base():
    x = ag.tensor([1.0, 2.0, 3.0, 4.0], dtype=ag.float64, requires_grad=True)
    y = x * 1
    u = y.unfold(0, 2, 1)
    y.mul_(10)
    assert u.detach().tolist() == [[10.0, 20.0], [20.0, 30.0], [30.0, 40.0]]  # torch
    u.sum().backward()
    assert x.grad.tolist() == [10.0, 20.0, 20.0, 10.0]  # torch (was [1, 2, 2, 1])


def test_unfold_along_an_inner_dim_and_of_a_slice():
    base = np.arange(12.0).reshape(3, 4)
    x = ag.tensor(base, requires_grad=True)
    y = x * 1
    u = y.unfold(1, 2, 2)  # through a movedim (permute) chain
    y.mul_(ag.tensor(np.arange(4.0) + 1))
    assert u.detach().tolist() == [[[0.0, 2.0], [6.0, 12.0]], [[4.0, 10.0], [18.0, 28.0]],
                                   [[8.0, 18.0], [30.0, 44.0]]]  # torch
    (u * ag.tensor(np.arange(12.0).reshape(3, 2, 2))).sum().backward()
    assert x.grad.tolist() == [[0.0, 2.0, 6.0, 12.0], [4.0, 10.0, 18.0, 28.0],
                               [8.0, 18.0, 30.0, 44.0]]  # torch

    x = ag.tensor(base, requires_grad=True)
    y = x * 1
    u = y[1:].unfold(0, 1, 1)
    y.add_(1)
    assert u.detach().tolist() == [[[5.0], [6.0], [7.0], [8.0]], [[9.0], [10.0], [11.0], [12.0]]]
    (u ** 2).sum().backward()
    assert x.grad.tolist() == [[0.0] * 4, [10.0, 12.0, 14.0, 16.0], [18.0, 20.0, 22.0, 24.0]]


def test_inplace_on_disjoint_unfold_windows_writes_the_base():
    x = ag.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    y = x * 1
    y.unfold(1, 2, 2).mul_(3)
    assert y.detach().tolist() == (np.arange(12.0).reshape(3, 4) * 3).tolist()  # torch
    (y ** 2).sum().backward()
    assert x.grad.tolist() == (np.arange(12.0).reshape(3, 4) * 18).tolist()  # torch
    a = ag.tensor(np.arange(12.0).reshape(3, 4))
    u = a.unfold(0, 2, 1)
    a.mul_(2)  # unrecorded: the windows see it too
    assert u.tolist() == [[[0.0, 8.0], [2.0, 10.0], [4.0, 12.0], [6.0, 14.0]],
                          [[8.0, 16.0], [10.0, 18.0], [12.0, 20.0], [14.0, 22.0]]]


# ---------------------------------------------------------------- in-place on the outputs of ops
# An op's output is a view only when a view op made it (PyTorch's rule), not whenever NumPy gave its
# array a .base (a conv / matmul / interpolate output is often a view of a temporary, a reshape that
# copied has one): these raised "an in-place operation on a view ... cannot be recorded" or "a view
# of a leaf Variable ..." where PyTorch runs them.
def _outputs_cases(T, NN):
    F = NN.functional

    def conv(x):
        return NN.functional.conv2d(x, _w(T, (3, 3, 3, 3)), padding=1)

    return {
        "conv2d += x": (lambda x: conv(x), lambda y, x: y.add_(x)),
        "conv_transpose2d": (lambda x: F.conv_transpose2d(x, _w(T, (3, 2, 2, 2)), stride=2),
                             lambda y, x: y.mul_(2.0)),
        "interpolate nearest": (lambda x: F.interpolate(x, scale_factor=2), lambda y, x: y.mul_(0.5)),
        "adaptive_avg_pool2d": (lambda x: F.adaptive_avg_pool2d(x, 2), lambda y, x: y.sub_(1.0)),
        "F.unfold": (lambda x: F.unfold(x, 2), lambda y, x: y.mul_(2.0)),
        "4-d @ 2-d": (lambda x: x @ _w(T, (5, 4)), lambda y, x: y.add_(1.0)),
        "einsum": (lambda x: T.einsum("nchw,hk->nckw", x, _w(T, (5, 2))), lambda y, x: y.mul_(3.0)),
        "repeat": (lambda x: x.repeat(1, 2, 1, 1), lambda y, x: y.clamp_(min=0)),
        "reflect pad": (lambda x: F.pad(x, (1, 1, 1, 1), mode="reflect"), lambda y, x: y.mul_(2.0)),
        "pixel_shuffle": (lambda x: F.pixel_shuffle(x.repeat(1, 4, 1, 1)[:, :12], 2),
                          lambda y, x: y.add_(1.0)),
        "max(dim)": (lambda x: x.max(dim=1)[0], lambda y, x: y.mul_(2.0)),
        "cdist": (lambda x: T.cdist(x[0], x[0]), lambda y, x: y.add_(1.0)),
        "transpose().reshape() +=": (lambda x: x.transpose(1, 2).reshape(1, 5, 15), lambda y, x: y.add_(1.0)),
        "slice of a copied reshape": (lambda x: (x * 1).transpose(1, 2).reshape(1, 5, 15),
                                      lambda y, x: y[..., 1:3].mul_(2.0)),
        "y[:, [0, 2]] *= 10": (lambda x: x.reshape(15, 5) * 1, lambda y, x: y[:, [0, 2]].mul_(10.0)),
        "advanced-index result": (lambda x: (x.reshape(15, 5) * 1)[:, [0, 2]], lambda y, x: y.mul_(2.0)),
    }


def _w(T, shape):
    return T.tensor(np.random.RandomState(sum(shape)).randn(*shape), dtype=T.float64)


_CASE_NAMES = list(_outputs_cases(ag, __import__("nn")))


@pytest.mark.parametrize("name", _CASE_NAMES)
def test_inplace_on_op_output_matches_torch(name):
    torch = pytest.importorskip("torch")
    import nn

    data = np.random.RandomState(0).randn(1, 3, 5, 5)
    res = []
    for T, NN in ((torch, torch.nn), (ag, nn)):
        make, inplace = _outputs_cases(T, NN)[name]
        x = T.tensor(data, dtype=T.float64, requires_grad=True)
        y = make(x)
        inplace(y, x)
        w = T.tensor(np.random.RandomState(1).randn(*y.shape), dtype=T.float64)
        value = y.detach().numpy().copy()
        try:
            (y * w).sum().backward()
        except RuntimeError:  # cdist saves its output: both raise at backward
            res.append((value, "raised"))
            continue
        res.append((value, x.grad.numpy().copy()))
    np.testing.assert_allclose(res[1][0], res[0][0], rtol=1e-12, atol=1e-12)
    if isinstance(res[0][1], str) or isinstance(res[1][1], str):
        assert isinstance(res[0][1], str) and isinstance(res[1][1], str)
        return
    np.testing.assert_allclose(res[1][1], res[0][1], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", ["LSTM", "GRU"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_inplace_on_rnn_output_matches_torch(mode, batch_first):
    torch = pytest.importorskip("torch")
    import nn

    torch.manual_seed(0)
    ref = getattr(torch.nn, mode)(5, 4, batch_first=batch_first).double()
    ours = getattr(nn, mode)(5, 4, batch_first=batch_first).double()
    ours.load_state_dict({k: ag.tensor(v.detach().numpy()) for k, v in ref.state_dict().items()})
    data = np.random.RandomState(0).randn(3, 2, 5)
    res = []
    for T, m in ((torch, ref), (ag, ours)):
        x = T.tensor(data, dtype=T.float64, requires_grad=True)
        o, _ = m(x)
        o.mul_(T.tensor(np.arange(4.0) - 1.5, dtype=T.float64))  # mask / scale the output in place
        (o ** 2).sum().backward()
        res.append((o.detach().numpy().copy(), x.grad.numpy().copy(),
                    [p.grad.numpy().copy() for p in m.parameters()]))
    for a, b in zip(res[1][:2], res[0][:2]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    for a, b in zip(res[1][2], res[0][2]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_views_of_a_copied_reshape_are_its_own():
    """A reshape that copied is the root of the views taken from it (they were registered on the
    tensor it was reshaped from, so an in-place op on it left them stale); a view of a leaf through
    a copy is not a view of the leaf. Expected values from PyTorch."""
    x = ag.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    y = (x * 1).t().reshape(-1)
    v = y[0:2]
    y.mul_(3)
    assert v.detach().tolist() == [0.0, 9.0]
    (v * ag.tensor([1.0, 2.0])).sum().backward()
    assert x.grad.tolist() == [[3.0, 0.0, 0.0], [6.0, 0.0, 0.0]]

    x = ag.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    y = x.t().reshape(-1)  # a copy of a view of a leaf
    y[1:3].mul_(3)  # raised "a view of a leaf Variable ..." (then an AttributeError)
    assert y.detach().tolist() == [0.0, 9.0, 3.0, 4.0, 2.0, 5.0]
    (y * ag.arange(1.0, 7.0)).sum().backward()
    assert x.grad.tolist() == [[1.0, 9.0, 5.0], [6.0, 4.0, 6.0]]

    x = ag.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    with pytest.raises(RuntimeError, match="view of a leaf"):
        x.reshape(-1).mul_(2)  # a real view of the leaf still raises
