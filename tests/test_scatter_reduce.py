"""scatter_reduce / index_reduce / index_put / put / quantile / nanquantile against PyTorch (float64,
the same inputs): ties for amax/amin (the gradient split among them), zeros for prod, duplicate
indices for index_put, every quantile interpolation, NaNs, in-place rules and bad inputs."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")
NAN = float("nan")
REDUCES = ("sum", "prod", "mean", "amax", "amin")


def _np(t):
    return (t.detach().cpu().numpy() if isinstance(t, ag.Tensor) else t.detach().numpy())


def _close(ours, theirs):
    np.testing.assert_allclose(_np(ours), _np(theirs), rtol=1e-12, atol=1e-12, equal_nan=True)


def _both(*arrays, device="cpu"):
    """The arrays as autograd and torch float64 leaves that require grad."""
    return ([ag.tensor(a, device=device, requires_grad=True) for a in arrays],
            [torch.tensor(a, requires_grad=True) for a in arrays])


def _grads(out, leaves, w):
    g = w if isinstance(out, torch.Tensor) else ag.tensor(w, device=out.device)
    mod = torch if isinstance(out, torch.Tensor) else ag
    return mod.autograd.grad(out, leaves, g)


# ---------------------------------------------------------------- scatter_reduce
@pytest.mark.parametrize("reduce", REDUCES)
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_ties_zeros_and_gradients_match_torch(device, reduce, include_self):
    rng = np.random.default_rng(hash((reduce, include_self)) % 2 ** 32)
    # small integers: many ties between self and src and among src entries scattered together
    x = rng.integers(-2, 3, (3, 5)).astype(np.float64)
    src = rng.integers(-2, 3, (4, 5)).astype(np.float64)
    index = rng.integers(0, 3, (4, 5))
    if reduce == "prod":  # a zero in self, a lone zero and a pair of zeros in src at one position
        x[0, 0] = 0.0
        src[:, 1] = [0.0, 2.0, 0.0, 3.0]
        index[:, 1] = [1, 1, 1, 2]
        src[:, 2] = [0.0, 2.0, -1.0, 3.0]
    (ax, asrc), (tx, tsrc) = _both(x, src, device=device)
    ours = ax.scatter_reduce(0, ag.tensor(index, device=device), asrc, reduce, include_self=include_self)
    theirs = tx.scatter_reduce(0, torch.tensor(index), tsrc, reduce, include_self=include_self)
    _close(ours, theirs)
    w = rng.standard_normal(x.shape)
    for a, b in zip(_grads(ours, (ax, asrc), w), _grads(theirs, (tx, tsrc), torch.tensor(w))):
        _close(a, b)


def test_scatter_reduce_other_dims_functional_form_and_nan():
    x = np.array([[1.0, NAN, 3.0], [4.0, 5.0, 6.0]])
    src = np.array([[7.0, 0.5, NAN], [2.0, 9.0, -1.0]])
    index = np.array([[1, 1, 0], [1, 0, 0]])  # NaN in self and in src at targeted positions
    for reduce in REDUCES:
        for inc in (True, False):
            ours = ag.scatter_reduce(ag.tensor(x), -1, ag.tensor(index), ag.tensor(src), reduce,
                                     include_self=inc)
            theirs = torch.scatter_reduce(torch.tensor(x), -1, torch.tensor(index), torch.tensor(src), reduce,
                                          include_self=inc)
            _close(ours, theirs)


def test_scatter_reduce_integer_mean_floors_and_0d():
    x = torch.tensor([1, 2, 3])
    index, src = torch.tensor([0, 0, 2]), torch.tensor([-4, -4, 7])
    for inc in (True, False):
        ours = ag.tensor([1, 2, 3]).scatter_reduce(0, ag.tensor([0, 0, 2]), ag.tensor([-4, -4, 7]), "mean",
                                                   include_self=inc)
        assert ours.tolist() == x.scatter_reduce(0, index, src, "mean", include_self=inc).tolist()
        assert ours.dtype == ag.int64
    ours = ag.scatter_reduce(ag.tensor(2.0), 0, ag.tensor([0, 0]), ag.tensor([3.0, 4.0]), "prod")
    assert ours.shape == () and ours.item() == 24.0


def test_scatter_reduce_double_backward_matches_torch():
    rng = np.random.default_rng(3)
    x, src = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    index = np.array([[0, 1, 2, 0], [0, 0, 1, 2], [1, 1, 1, 1]])
    for reduce in ("prod", "mean", "amax"):
        (ax, asrc), (tx, tsrc) = _both(x, src)
        gs = []
        for mod, a, s in ((ag, ax, asrc), (torch, tx, tsrc)):
            out = a.scatter_reduce(1, mod.tensor(index), s, reduce, include_self=False)
            g1 = mod.autograd.grad((out ** 2).sum(), (a, s), create_graph=True)
            gs.append(mod.autograd.grad((g1[0] ** 3).sum() + (g1[1] * s).sum(), (a, s)))
        for a, b in zip(*gs):
            _close(a, b)


def test_scatter_reduce_prod_double_backward_with_repeated_zeros_raises_as_torch():
    x = ag.tensor([1.0, 2.0, 3.0], dtype=ag.float64, requires_grad=True)
    s = ag.tensor([0.0, 0.0, 2.0], dtype=ag.float64, requires_grad=True)
    out = x.scatter_reduce(0, ag.tensor([0, 0, 1]), s, "prod")
    gx, gs = ag.autograd.grad(out.sum(), (x, s), create_graph=True)
    assert gx.tolist() == [0.0, 2.0, 1.0] and gs.tolist() == [0.0, 0.0, 2.0]
    assert ag.autograd.grad(gx.sum(), s)[0].tolist() == [0.0, 0.0, 1.0]
    with pytest.raises(RuntimeError, match="Double backward is unsupported for src when >1 zeros"):
        ag.autograd.grad(gs.sum(), s)


def test_scatter_reduce_in_place_follows_the_engine_rules():
    x = ag.tensor([1.0, 2.0, 3.0])
    v = x._version_value
    y = x.scatter_reduce_(0, ag.tensor([0, 0]), ag.tensor([5.0, 4.0]), "amin", include_self=False)
    assert y is x and x.tolist() == [4.0, 2.0, 3.0] and x._version_value > v
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    b = a * 1
    c = b.sin()  # saves b, which the in-place op then changes
    b.scatter_reduce_(0, ag.tensor([1]), ag.tensor([3.0]), "amax")
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        c.sum().backward()
    leaf = ag.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        leaf.scatter_reduce_(0, ag.tensor([0]), ag.tensor([1.0]), "sum")
    # recorded on a non-leaf: gradient flows to the earlier value and to src, as PyTorch's
    (ax, asrc), (tx, tsrc) = _both(np.array([1.0, 2.0, 3.0]), np.array([2.0, 5.0]))
    for a, s, mod in ((ax, asrc, ag), (tx, tsrc, torch)):
        b = a * 1
        b.scatter_reduce_(0, mod.tensor([1, 1]), s, "prod")
        (b * mod.tensor([1.0, 2.0, 3.0], dtype=mod.float64)).sum().backward()
    _close(ax.grad, tx.grad)
    _close(asrc.grad, tsrc.grad)


def test_scatter_reduce_bad_inputs():
    x, src = ag.zeros(3), ag.ones(2)
    with pytest.raises(RuntimeError, match="reduce argument must be either sum, prod, mean, amax or amin"):
        x.scatter_reduce(0, ag.tensor([0, 1]), src, "max")
    with pytest.raises(RuntimeError, match=r"scatter\(\): Expected dtype int32/int64 for index"):
        x.scatter_reduce(0, ag.tensor([0.0, 1.0]), src, "sum")
    with pytest.raises(RuntimeError, match="Expected self.dtype to be equal to src.dtype"):
        x.scatter_reduce(0, ag.tensor([0, 1]), src.double(), "sum")
    with pytest.raises(RuntimeError, match="index 7 is out of bounds"):
        x.scatter_reduce(0, ag.tensor([0, 7]), src, "sum")
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        x.scatter_reduce(0, ag.tensor([[0, 1]]), src, "sum")
    with pytest.raises(TypeError, match="argument 'index' must be Tensor, not list"):
        x.scatter_reduce(0, [0, 1], src, "sum")
    with pytest.raises(TypeError, match="argument 'src' must be Tensor, not float"):
        x.scatter_reduce(0, ag.tensor([0, 1]), 1.0, "sum")


def test_scatter_multiply_forward_and_no_gradient():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    index = [0, 0, 1, 3]
    src = np.array([5.0, 6.0, 1.0, 2.0])
    ours = ag.tensor(x).scatter(0, ag.tensor(index), ag.tensor(src), reduce="multiply")
    _close(ours, torch.tensor(x).scatter(0, torch.tensor(index), torch.tensor(src), reduce="multiply"))
    _close(ag.tensor(x).scatter(0, ag.tensor(index), 2.0, reduce="multiply"),
           torch.tensor(x).scatter(0, torch.tensor(index), 2.0, reduce="multiply"))
    a = ag.tensor(x, requires_grad=True)
    out = a.scatter(0, ag.tensor(index), 2.0, reduce="multiply")
    with pytest.raises(RuntimeError, match="derivative for aten::scatter is not implemented"):
        out.sum().backward()
    with pytest.raises(RuntimeError, match="reduce argument must be either add or multiply"):
        a.scatter(0, ag.tensor(index), 2.0, reduce="mul")



def _scatter_reduce_arg_error(m, reduce, grad_of, inplace, value):
    """The error (type, message) of backpropagating through scatter/scatter_ with ``reduce=``."""
    x = m.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=grad_of == "input")
    src = 2.5 if value else m.tensor([[2.0, 3.0, 4.0]], requires_grad=grad_of == "src")
    index = m.tensor([[1, 0, 1]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = (x * 1).scatter_(0, index, src, reduce=reduce) if inplace else x.scatter(0, index, src,
                                                                                       reduce=reduce)
    assert out.requires_grad
    with pytest.raises(Exception) as info:
        out.sum().backward()
    return info.type, str(info.value)


@pytest.mark.parametrize("reduce", ["add", "multiply"])
@pytest.mark.parametrize("grad_of,value", [("input", False), ("src", False), ("input", True)])
@pytest.mark.parametrize("inplace", [False, True])
def test_scatter_with_reduce_has_no_derivative_as_torch(reduce, grad_of, inplace, value):
    got = _scatter_reduce_arg_error(ag, reduce, grad_of, inplace, value)
    assert got == _scatter_reduce_arg_error(torch, reduce, grad_of, inplace, value)


def test_scatter_with_reduce_and_a_tensor_src_warns_as_torch():
    x, index = ag.zeros(2, 3), ag.tensor([[1, 0, 1]])
    with pytest.warns(UserWarning, match="reduce argument of torch.scatter with Tensor src is deprecated"):
        out = x.scatter(0, index, ag.ones(1, 3), reduce="add")
    assert out.tolist() == [[0.0, 1.0, 0.0], [1.0, 0.0, 1.0]]

# ---------------------------------------------------------------- index_reduce
@pytest.mark.parametrize("reduce", ("prod", "mean", "amax", "amin"))
@pytest.mark.parametrize("include_self", [True, False])
def test_index_reduce_matches_torch(reduce, include_self):
    rng = np.random.default_rng(7)
    x = rng.integers(-2, 3, (3, 4)).astype(np.float64)
    src = rng.integers(-2, 3, (3, 5)).astype(np.float64)
    index = np.array([0, 3, 0, 1, 0])
    (ax, asrc), (tx, tsrc) = _both(x, src)
    ours = ax.index_reduce(1, ag.tensor(index), asrc, reduce, include_self=include_self)
    theirs = tx.index_reduce(1, torch.tensor(index), tsrc, reduce, include_self=include_self)
    _close(ours, theirs)
    w = rng.standard_normal(x.shape)
    for a, b in zip(_grads(ours, (ax, asrc), w), _grads(theirs, (tx, tsrc), torch.tensor(w))):
        _close(a, b)
    y = ag.tensor(x)
    assert y.index_reduce_(1, ag.tensor(index), ag.tensor(src), reduce, include_self=include_self) is y
    _close(y, theirs)


def test_index_reduce_bad_inputs():
    x = ag.zeros(3)
    with pytest.raises(RuntimeError, match="reduce to be one of prod, mean, amax or amin but got sum"):
        x.index_reduce(0, ag.tensor([0, 1]), ag.ones(2), "sum")
    with pytest.raises(RuntimeError, match="Expected dtype int32/int64 for index"):
        x.index_reduce(0, ag.tensor([0.0, 1.0]), ag.ones(2), "prod")
    with pytest.raises(RuntimeError, match=r"Number of indices \(2\) should be equal to source.size\(dim\)"):
        x.index_reduce(0, ag.tensor([0, 1]), ag.ones(3), "prod")
    with pytest.raises(IndexError, match="Index is supposed to be a vector"):
        x.index_reduce(0, ag.tensor([[0, 1]]), ag.ones(2), "prod")


# ---------------------------------------------------------------- index_put / put
@pytest.mark.parametrize("accumulate", [False, True])
def test_index_put_duplicates_broadcast_and_gradients_match_torch(device, accumulate):
    rng = np.random.default_rng(11)
    x = rng.standard_normal((4, 3))
    rows, cols = np.array([0, 2, 0, 3]), np.array([[1], [1]])  # broadcast to (2, 4), duplicates
    values = rng.standard_normal((4,))  # broadcast to the indexed shape (2, 4)
    (ax, av), (tx, tv) = _both(x, values, device=device)
    ours = ag.index_put(ax, (ag.tensor(rows, device=device), ag.tensor(cols, device=device)), av, accumulate)
    theirs = torch.index_put(tx, (torch.tensor(rows), torch.tensor(cols)), tv, accumulate)
    if accumulate:  # without it, which of the repeated writes lands is unspecified
        _close(ours, theirs)
    w = rng.standard_normal(x.shape)
    for a, b in zip(_grads(ours, (ax, av), w), _grads(theirs, (tx, tv), torch.tensor(w))):
        _close(a, b)


def test_index_put_masks_none_and_in_place():
    x = ag.zeros(3, 2)
    assert x.index_put_((ag.tensor([True, False, True]),), ag.tensor(5.0)) is x
    assert x.tolist() == [[5.0, 5.0], [0.0, 0.0], [5.0, 5.0]]
    t = torch.zeros(3, 2).index_put((torch.tensor([0, 0]), torch.tensor([1, 1])), torch.tensor([1.0, 2.0]),
                                    accumulate=True)
    ours = ag.zeros(3, 2).index_put([ag.tensor([0, 0]), ag.tensor([1, 1])], ag.tensor([1.0, 2.0]),
                                    accumulate=True)
    assert ours.tolist() == t.tolist()
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        ag.zeros(3, requires_grad=True).index_put_((ag.tensor([0]),), ag.tensor([1.0]))


def test_index_put_bad_inputs():
    x = ag.zeros(4)
    with pytest.raises(RuntimeError, match="Index put requires the source and destination dtypes match"):
        x.index_put_((ag.tensor([0]),), ag.tensor([1.0], dtype=ag.float64))
    with pytest.raises(IndexError, match="tensors used as indices must be long, int, byte or bool tensors"):
        x.index_put((ag.tensor([0.0]),), ag.tensor([1.0]))
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 0 with size 4"):
        x.index_put((ag.tensor([0, 5]),), ag.tensor([1.0, 2.0]))
    with pytest.raises(RuntimeError, match="shape mismatch"):
        x.index_put((ag.tensor([0, 1]),), ag.tensor([1.0, 2.0, 3.0]))
    with pytest.raises(TypeError, match="expected Tensor as element 1"):
        ag.zeros(3, 2).index_put_((ag.tensor([0, 1]), None), ag.tensor(5.0))
    with pytest.raises(TypeError, match="must be tuple of Tensors"):
        x.index_put(ag.tensor([0]), ag.tensor([1.0]))


@pytest.mark.parametrize("accumulate", [False, True])
def test_put_matches_torch(device, accumulate):
    x = np.arange(6.0).reshape(2, 3)
    index = np.array([[0, -1], [4, 0 if accumulate else 2]])
    src = np.array([[10.0, 20.0], [30.0, 40.0]])
    (ax, asrc), (tx, tsrc) = _both(x, src, device=device)
    ours = ax.put(ag.tensor(index, device=device), asrc, accumulate)
    theirs = tx.put(torch.tensor(index), tsrc, accumulate)
    _close(ours, theirs)
    w = np.arange(6.0).reshape(2, 3) + 1
    for a, b in zip(_grads(ours, (ax, asrc), w), _grads(theirs, (tx, tsrc), torch.tensor(w))):
        _close(a, b)
    y = ag.tensor(x, device=device)
    assert y.put_(ag.tensor(index, device=device), ag.tensor(src, device=device), accumulate) is y
    _close(y, theirs)


def test_put_bad_inputs():
    x = ag.zeros(3)
    with pytest.raises(IndexError, match="out of range: tried to access index 4 on a tensor of 3 elements"):
        x.put_(ag.tensor([0, 4]), ag.tensor([1.0, 2.0]))
    with pytest.raises(IndexError, match="Expected source and index to have the same number of elements"):
        x.put_(ag.tensor([0, 1]), ag.tensor([1.0, 2.0, 3.0]))
    with pytest.raises(RuntimeError, match="self and source expected to have the same dtype"):
        x.put_(ag.tensor([0, 1]), ag.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="Expected a long tensor for index, but got"):
        x.put_(ag.tensor([0, 1], dtype=ag.int32), ag.tensor([1.0, 2.0]))


# ---------------------------------------------------------------- quantile
MODES = ("linear", "lower", "higher", "midpoint", "nearest")


@pytest.mark.parametrize("interpolation", MODES)
def test_quantile_every_interpolation_with_ties_matches_torch(device, interpolation):
    x = np.array([[3.0, 1.0, 1.0, 2.0, 5.0, 1.0], [0.5, 0.5, -2.0, 4.0, 4.0, 7.0]])
    q = np.array([0.0, 0.1, 0.3, 0.5, 0.7, 1.0])
    cases = [dict(), dict(dim=1), dict(dim=0, keepdim=True), dict(dim=-1, keepdim=True), dict(keepdim=True)]
    for kw in cases:
        for qq in (0.3, q):
            (ax,), (tx,) = _both(x, device=device)
            aq = ag.tensor(qq, device=device) if isinstance(qq, np.ndarray) else qq
            tq = torch.tensor(qq) if isinstance(qq, np.ndarray) else qq
            ours = ag.quantile(ax, aq, interpolation=interpolation, **kw)
            theirs = torch.quantile(tx, tq, interpolation=interpolation, **kw)
            assert ours.shape == tuple(theirs.shape)
            _close(ours, theirs)
            w = np.linspace(-1, 2, theirs.numel()).reshape(theirs.shape)
            _close(_grads(ours, (ax,), w)[0], _grads(theirs, (tx,), torch.tensor(w))[0])


def test_quantile_gradient_reaches_q_in_linear_mode_only():
    x = np.array([3.0, 1.0, 2.0, 5.0])
    for mode in MODES:
        aq = ag.tensor([0.1, 0.6], dtype=ag.float64, requires_grad=True)
        tq = torch.tensor([0.1, 0.6], dtype=torch.float64, requires_grad=True)
        ours, theirs = ag.quantile(ag.tensor(x), aq, interpolation=mode), torch.quantile(torch.tensor(x), tq,
                                                                                           interpolation=mode)
        assert ours.requires_grad == theirs.requires_grad
        if theirs.requires_grad:
            _close(ag.autograd.grad(ours.sum(), aq)[0], torch.autograd.grad(theirs.sum(), tq)[0])


def test_quantile_and_nanquantile_with_nans_match_torch():
    x = np.array([[3.0, NAN, 2.0, 5.0], [NAN, NAN, NAN, NAN], [1.0, 2.0, 3.0, 4.0]])
    q = np.array([0.25, 0.6])
    for name in ("quantile", "nanquantile"):
        for mode in MODES:
            (ax,), (tx,) = _both(x)
            ours = getattr(ag, name)(ax, ag.tensor(q), dim=1, interpolation=mode)
            theirs = getattr(torch, name)(tx, torch.tensor(q), dim=1, interpolation=mode)
            _close(ours, theirs)
            w = np.linspace(1, 2, ours.numel()).reshape(ours.shape)
            _close(_grads(ours, (ax,), w)[0], _grads(theirs, (tx,), torch.tensor(w))[0])
    assert ag.tensor([1.0, NAN, 3.0]).nanquantile(0.5).item() == 2.0
    assert np.isnan(ag.tensor([1.0, NAN, 3.0]).quantile(0.5).item())
    assert ag.quantile(ag.tensor(3.0), 0.3, dim=0).shape == ()


def test_quantile_float32_double_backward():
    x32 = ag.tensor([0.3, -1.0, 2.5, 0.7], dtype=ag.float32)
    _close(ag.quantile(x32, 0.35), torch.quantile(torch.tensor([0.3, -1.0, 2.5, 0.7]), 0.35).double())
    assert ag.quantile(x32, 0.35).dtype == ag.float32
    x = ag.tensor([[0.3, -1.0, 2.5], [0.7, 0.1, 0.2]], dtype=ag.float64, requires_grad=True)
    assert ag.gradcheck(lambda t: ag.quantile(t, ag.tensor([0.2, 0.9], dtype=ag.float64), dim=1), (x,))
    assert ag.gradgradcheck(lambda t: ag.quantile(t * t, 0.4, dim=0), (x,))


def test_quantile_bad_inputs():
    x = ag.tensor([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match=r"q must be in the range \[0, 1\] but got 1.5"):
        x.quantile(1.5)
    with pytest.raises(RuntimeError, match=r"q values must be in the range \[0, 1\]"):
        x.quantile(ag.tensor([0.5, -0.1]))
    with pytest.raises(RuntimeError, match="q must be a scalar or 1D tensor"):
        x.quantile(ag.tensor([[0.5]]))
    with pytest.raises(RuntimeError, match="q tensor must be same dtype as the input tensor"):
        x.quantile(ag.tensor([0.5], dtype=ag.float64))
    with pytest.raises(RuntimeError, match="input tensor must be either float or double dtype"):
        ag.tensor([1, 2]).quantile(0.5)
    with pytest.raises(RuntimeError, match="interpolation must be one of linear, lower, higher, midpoint or "
                                           "nearest, but got cubic"):
        x.quantile(0.5, interpolation="cubic")
    with pytest.raises(RuntimeError, match="input tensor must be non-empty"):
        ag.tensor([]).quantile(0.5)
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.nanquantile(0.5, dim=3)


def test_docstring_examples():
    import doctest

    from autograd.ops import quantile, scatter_reduce

    for mod in (scatter_reduce, quantile):
        result = doctest.testmod(mod, extraglobs={"ag": ag}, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0 and result.attempted > 0


@pytest.mark.parametrize("which", ["scatter_reduce_", "index_put_", "put_"])
def test_in_place_forms_on_views_reach_the_base_as_torch(which):
    results = []
    for mod in (ag, torch):
        a = mod.tensor([[1.0, 2, 3], [4, 5, 6]], dtype=mod.float64, requires_grad=True)
        s = mod.tensor([7.0, 0.5], dtype=mod.float64, requires_grad=True)
        b = a * 1
        if which == "scatter_reduce_":
            b[1].scatter_reduce_(0, mod.tensor([2, 2]), s, "amax")
        elif which == "index_put_":
            b[0].index_put_((mod.tensor([0]),), s[:1] * 2, accumulate=True)
        else:
            b[:, 0].put_(mod.tensor([1, 0]), s * 3)
        (b * mod.arange(6, dtype=mod.float64).reshape(2, 3)).sum().backward()
        results.append((b.tolist(), a.grad.tolist(), s.grad.tolist()))
    assert results[0] == results[1]
