"""Gradients at the edges of an op's domain, as PyTorch: ``0 ** x`` (0 for x >= 0, -inf for
x < 0, not NaN), ``max``/``amax``/``norm(inf)`` of an input holding NaN."""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd as ag
from autograd import backend

NAN = math.nan
E = [-1.5, -1.0, 0.0, 0.5, 1.0, 2.0]
POW_ZERO = [-math.inf, -math.inf, 0.0, 0.0, 0.0, 0.0]  # d(0 ** e)/de, PyTorch's values


def _host(t):
    return backend.to_host(t._data)


@pytest.mark.parametrize("base", ["python", "tensor"])
def test_zero_to_the_x_gradient(device, base):
    e = ag.tensor(E, device=device, requires_grad=True)
    b = 0.0 if base == "python" else ag.zeros(len(E), device=device)
    with np.errstate(all="ignore"):
        (b ** e).sum().backward()
    np.testing.assert_array_equal(_host(e.grad), POW_ZERO)


def test_zero_to_the_x_vs_torch():
    torch = pytest.importorskip("torch")
    for base in (0.0, 0):
        e = ag.tensor(E, requires_grad=True)
        t = torch.tensor(E, requires_grad=True)
        with np.errstate(all="ignore"):
            (base ** e).sum().backward()
        (base ** t).sum().backward()
        np.testing.assert_array_equal(_host(e.grad), t.grad.numpy())


X = [1.0, NAN, 3.0, NAN]
CASES = {  # name: (fn, expected gradient) -- PyTorch 2.x's values
    "max": (lambda x: x.max(), [0.0, 0.5, 0.0, 0.5]),
    "min": (lambda x: x.min(), [0.0, 0.5, 0.0, 0.5]),
    "amax": (lambda x: x.amax(), [NAN] * 4),
    "amin": (lambda x: x.amin(), [NAN] * 4),
    "max_dim": (lambda x: x.max(0).values, [0.0, 1.0, 0.0, 0.0]),
    "norm_inf": (lambda x: x.norm(math.inf), [0.0, 0.0, 0.0, 0.0]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_nan_input_gradient(device, name):
    fn, expected = CASES[name]
    x = ag.tensor(X, device=device, requires_grad=True)
    fn(x).backward()
    np.testing.assert_array_equal(_host(x.grad), expected)


def test_amax_nan_slice_only(device):
    x = ag.tensor([[1.0, NAN, 3.0], [4.0, 5.0, 6.0]], device=device, requires_grad=True)
    x.amax(1).sum().backward()
    np.testing.assert_array_equal(_host(x.grad), [[NAN] * 3, [0.0, 0.0, 1.0]])


@pytest.mark.parametrize("name", list(CASES))
def test_nan_input_gradient_vs_torch(name):
    torch = pytest.importorskip("torch")
    fn, _ = CASES[name]
    x = ag.tensor(X, requires_grad=True)
    t = torch.tensor(X, requires_grad=True)
    fn(x).backward()
    fn(t).backward()
    np.testing.assert_array_equal(_host(x.grad), t.grad.numpy())


# max/min along a dim and over everything *select* (PyTorch scatters the gradient into zeros): a
# NaN or negative incoming gradient reaches only the selected element, the others get exactly
# +0.0; amax multiplies by the share, so there a NaN reaches the whole slice (PyTorch's formula).
X_SELECT = [[1.0, 3.0, 2.0, 7.0], [4.0, 0.0, 5.0, -1.0]]
SELECTS = {
    "max(dim)": (lambda x: x.max(1)[0], [[0, 0, 0, 1], [0, 0, 1, 0]]),
    "min(dim)": (lambda x: x.min(1)[0], [[1, 0, 0, 0], [0, 0, 0, 1]]),
    "max()": (lambda x: x.max(), [[0, 0, 0, 1], [0, 0, 0, 0]]),
    "min()": (lambda x: x.min(), [[0, 0, 0, 0], [0, 0, 0, 1]]),
}


@pytest.mark.parametrize("name", sorted(SELECTS))
@pytest.mark.parametrize("fill", [NAN, -2.0])
def test_max_min_select_the_gradient(device, name, fill):
    fn, where = SELECTS[name]
    x = ag.tensor(X_SELECT, device=device, requires_grad=True)
    y = fn(x)
    (gx,) = ag.grad(y, x, ag.full(tuple(y.shape), fill, device=device))
    got = _host(gx)
    expected = np.where(np.array(where, bool), fill, 0.0)
    np.testing.assert_array_equal(got, expected)  # NaN where NaN; exact zeros elsewhere
    assert not np.signbit(got[~np.array(where, bool)]).any(), "the unselected elements got -0.0"


def test_max_min_select_the_gradient_vs_torch():
    torch = pytest.importorskip("torch")
    for name, (fn, _) in SELECTS.items():
        for fill in (NAN, -2.0):
            x, t = ag.tensor(X_SELECT, requires_grad=True), torch.tensor(X_SELECT, requires_grad=True)
            y, yt = fn(x), fn(t)
            (gx,) = ag.grad(y, x, ag.full(tuple(y.shape), fill))
            (gt,) = torch.autograd.grad(yt, t, torch.full(tuple(yt.shape), fill))
            np.testing.assert_array_equal(_host(gx), gt.numpy(), err_msg=name)
            np.testing.assert_array_equal(np.signbit(_host(gx)), np.signbit(gt.numpy()), err_msg=name)


def test_amax_spreads_a_nan_gradient_as_torch():
    x = ag.tensor(X_SELECT, requires_grad=True)
    (gx,) = ag.grad(x.amax(1), x, ag.full((2,), NAN))
    assert np.isnan(_host(gx)).all()


def test_max_dim_double_backward_selects():
    x = ag.tensor(X_SELECT, dtype=ag.float64, requires_grad=True)
    (g,) = ag.grad((x.max(1)[0] ** 2).sum(), x, create_graph=True)
    (gg,) = ag.grad(g.sum(), x)
    np.testing.assert_array_equal(_host(gg), 2 * np.array(SELECTS["max(dim)"][1], float))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sigmoid_tails_quietly_as_pytorch(device, dtype):
    """1 / (1 + exp(-x)): where exp(-x) overflows the result is 0 (PyTorch's) with no warning;
    the tails keep their relative precision above that; the gradient is y (1 - y)."""
    import warnings

    xs = [-800.0, -100.0, -50.0, -20.0, -1.0, 0.0, 1.0, 20.0, 100.0, math.inf, -math.inf]
    x = ag.tensor(xs, dtype=getattr(ag, dtype), device=device, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = ag.sigmoid(x)
        y.sum().backward()
    ref = np.array([1 / (1 + math.exp(-v)) if v > -700 else 0.0 for v in xs])
    if dtype == "float32":
        ref[np.array(xs) < -88.7] = 0.0  # exp(88.8) overflows float32
    np.testing.assert_allclose(_host(y), ref, rtol=1e-6, atol=0)
    yy = _host(y)
    np.testing.assert_allclose(_host(x.grad), yy * (1 - yy), rtol=1e-6, atol=0)  # y rounds to 1 at x=20
    torch = pytest.importorskip("torch")
    t = torch.tensor(xs, dtype=getattr(torch, dtype), requires_grad=True)
    torch.sigmoid(t).sum().backward()
    np.testing.assert_allclose(yy, torch.sigmoid(t).detach().numpy(), rtol=1e-6, atol=0)
    np.testing.assert_allclose(_host(x.grad), t.grad.numpy(), rtol=1e-6, atol=0)


@pytest.mark.parametrize("slope", [0.0, 0.01, 0.2, 1.0, 1.5, -0.1])
def test_leaky_relu_selects_exactly_as_pytorch(device, slope):
    """leaky_relu's branch-free forward and backward (for 0 <= slope <= 1) give PyTorch's values
    bit for bit, on zeros of either sign, infinities, NaN, and non-finite upstream gradients."""
    import nn.functional as F

    xs = [-3.0, -0.0, 0.0, 2.5, math.inf, -math.inf, math.nan, 1e-30, -1e-30, 7.0]
    gs = [1.0, 2.0, -1.0, math.inf, 3.0, -math.inf, 1.0, math.nan, 0.5, -0.0]
    torch = pytest.importorskip("torch")
    for dtype in ("float32", "float64"):
        x = ag.tensor(xs, dtype=getattr(ag, dtype), device=device, requires_grad=True)
        y = F.leaky_relu(x, slope)
        y.backward(ag.tensor(gs, dtype=getattr(ag, dtype), device=device))
        t = torch.tensor(xs, dtype=getattr(torch, dtype), requires_grad=True)
        ty = torch.nn.functional.leaky_relu(t, slope)
        ty.backward(torch.tensor(gs, dtype=getattr(torch, dtype)))
        for ours, theirs in ((_host(y), ty.detach().numpy()), (_host(x.grad), t.grad.numpy())):
            np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs))
            finite = ~np.isnan(theirs)
            np.testing.assert_array_equal(ours[finite], theirs[finite])


@pytest.mark.parametrize("fn", [ag.sign, ag.floor, ag.ceil, ag.trunc, ag.round, lambda x: x ** 0,
                                lambda x: x.round(decimals=1)],
                         ids=["sign", "floor", "ceil", "trunc", "round", "pow0", "round_decimals"])
def test_piecewise_constant_ops_pass_zero_gradients_even_for_inf_and_nan(fn):
    # their backward was g * 0: NaN where the incoming gradient is inf or NaN; PyTorch's is zeros
    x = ag.tensor([1.5, -2.5, 0.0], dtype=ag.float64, requires_grad=True)
    fn(x).backward(ag.tensor([float("inf"), float("nan"), 1.0], dtype=ag.float64))
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, 0.0])


def test_clamp_by_tensors_routes_each_gradient_whole_as_pytorch():
    # built from maximum / minimum, it split ties between x and the bound (x.grad 0.5 at x == lo)
    x = ag.tensor([1.0, 2.0, 3.0, 0.0, 5.0, float("nan"), -1.0], dtype=ag.float64, requires_grad=True)
    lo = ag.tensor([0.0, 2.0, 5.0, 1.0, 1.0, 0.0, 0.0], dtype=ag.float64, requires_grad=True)
    hi = ag.tensor([9.0, 9.0, 3.0, 1.0, 0.0, 1.0, 9.0], dtype=ag.float64, requires_grad=True)
    y = x.clamp(min=lo, max=hi)
    y.backward(ag.arange(1.0, 8.0, dtype=ag.float64))
    # PyTorch 2.13's answers: inside (ties included) to x, x < lo < hi to lo, hi < lo to hi,
    # x < lo == hi to none, NaN stays NaN
    np.testing.assert_array_equal(y.detach().numpy(), [1, 2, 3, 1, 0, np.nan, 0])
    np.testing.assert_array_equal(x.grad.numpy(), [1, 2, 0, 0, 0, 0, 0])
    np.testing.assert_array_equal(lo.grad.numpy(), [0, 0, 0, 0, 0, 0, 7])
    np.testing.assert_array_equal(hi.grad.numpy(), [0, 0, 3, 0, 5, 0, 0])
    z = ag.tensor([1.0, 3.0], dtype=ag.float64, requires_grad=True)
    m = ag.tensor([1.0, 1.0], dtype=ag.float64, requires_grad=True)
    z.clamp(max=m).sum().backward()
    assert z.grad.tolist() == [1.0, 0.0] and m.grad.tolist() == [0.0, 1.0]


@pytest.mark.parametrize("bounds", ["min", "max", "both"])
def test_clamp_by_a_tensor_bound_holding_nan_as_pytorch(bounds):
    # a NaN bound gave x (it was compared, never propagated); PyTorch's result there is NaN, with no
    # gradient to x or either bound
    torch = pytest.importorskip("torch")
    results = []
    for m in (ag, torch):
        x = m.tensor([1.0, 2.0, 3.0, NAN, -1.0], dtype=m.float64, requires_grad=True)
        lo = m.tensor([NAN, 0.0, NAN, 0.0, 0.0], dtype=m.float64, requires_grad=True)
        hi = m.tensor([5.0, NAN, NAN, 1.0, NAN], dtype=m.float64, requires_grad=True)
        kw = {"min": lo} if bounds == "min" else {"max": hi} if bounds == "max" else {"min": lo, "max": hi}
        y = m.clamp(x, **kw)
        grads = m.autograd.grad(y, [x, *kw.values()], m.arange(1.0, 6.0, dtype=m.float64))
        results.append([t.detach().numpy() for t in (y, *grads)])
    for ours, theirs in zip(*results):
        np.testing.assert_array_equal(ours, theirs)

@pytest.mark.parametrize("weight_kind", ["tensor", "scalar"])
def test_lerp_gradients_at_infinite_and_nan_weights_as_pytorch(weight_kind):
    # with a tensor weight the value was a where of two formulas, and the unused one's gradient
    # (0 * inf) made NaN; PyTorch's: g * (1 - w) to input, g * w to end, g * (end - input) to weight
    torch = pytest.importorskip("torch")
    weights = [math.inf, -math.inf, NAN, 0.3, 0.7, 1.0]
    results = []
    for m in (ag, torch):
        s = m.tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], dtype=m.float64, requires_grad=True)
        e = m.tensor([2.0, -1.0, 0.5, 8.0, 1.0, 6.0], dtype=m.float64, requires_grad=True)
        g = m.arange(1.0, 7.0, dtype=m.float64)
        if weight_kind == "tensor":
            w = m.tensor(weights, dtype=m.float64, requires_grad=True)
            y = m.lerp(s, e, w)
            grads = m.autograd.grad(y, [s, e, w], g, create_graph=True)
        else:
            y = m.stack([m.lerp(s[i], e[i], v) for i, v in enumerate(weights)])
            grads = m.autograd.grad(y, [s, e], g, create_graph=True)
        results.append([t.detach().numpy() for t in (y, *grads)])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-15)

def test_lerp_reaches_end_and_addcmul_promotes_before_multiplying():
    # lerp computed start + w * (end - start): at w = 1 that is not end (1e20 + (1 - 1e20) = 0);
    # addcmul multiplied int8 tensors in int8 (100 * 100 wrapped to 16) before promoting
    start = ag.tensor([1e20], dtype=ag.float64, requires_grad=True)
    end = ag.tensor([1.0], dtype=ag.float64, requires_grad=True)
    y = ag.lerp(start, end, 1.0)
    assert y.item() == 1.0
    y.backward()
    assert start.grad.item() == 0.0 and end.grad.item() == 1.0
    w = ag.tensor([0.25, 1.0], dtype=ag.float64)
    np.testing.assert_array_equal(ag.lerp(ag.tensor([1e20, 1e20], dtype=ag.float64),
                                          ag.tensor([1.0, 1.0], dtype=ag.float64), w).numpy(), [7.5e19, 1.0])
    a = ag.tensor([100, 3], dtype=ag.int8)
    out = ag.addcmul(ag.zeros(2), a, a)
    assert out.dtype == ag.float32 and out.tolist() == [10000.0, 9.0]
    assert ag.addcdiv(ag.zeros(2), a, ag.tensor([2.0, 2.0])).tolist() == [50.0, 1.5]
    with pytest.raises(RuntimeError, match="Integer division with addcdiv"):  # as PyTorch 2.13
        ag.addcdiv(ag.zeros(2), a, ag.tensor([2, 2], dtype=ag.int8))


def test_atan2_gradient_at_the_origin_is_zero():
    # it was 0 / 0 = NaN there; PyTorch gives 0 (and the usual gradient elsewhere)
    y = ag.tensor([0.0, 1.0], dtype=ag.float64, requires_grad=True)
    x = ag.tensor([0.0, 0.0], dtype=ag.float64, requires_grad=True)
    ag.atan2(y, x).sum().backward()
    np.testing.assert_array_equal(y.grad.numpy(), [0.0, 0.0])
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, -1.0])


@pytest.mark.parametrize("name", ["median", "nanmedian"])
def test_median_of_all_elements_spreads_its_gradient_over_ties(name):
    # the whole gradient went to one of the tied elements; PyTorch spreads it evenly (over the NaNs
    # when the median is NaN)
    x = ag.tensor([3.0, 1.0, 2.0, 1.0, 2.0], requires_grad=True)
    y = getattr(x, name)()
    y.backward()
    assert y.item() == 2.0
    np.testing.assert_array_equal(x.grad.numpy(), [0, 0, 0.5, 0, 0.5])
    z = ag.tensor([1.0, float("nan"), float("nan")], requires_grad=True)
    getattr(z, name)().backward()
    np.testing.assert_array_equal(z.grad.numpy(), [0, 0.5, 0.5] if name == "median" else [1, 0, 0])


@pytest.mark.parametrize("fn", [ag.maximum, ag.minimum], ids=["maximum", "minimum"])
def test_maximum_and_minimum_with_nan_give_both_sides_the_gradient(fn):
    # the NaN side got nothing and the other side everything; PyTorch gives both the whole gradient
    # there (and still splits ties)
    a = ag.tensor([1.0, float("nan"), 2.0], dtype=ag.float64, requires_grad=True)
    b = ag.tensor([float("nan"), 2.0, 2.0], dtype=ag.float64, requires_grad=True)
    fn(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [1, 1, 0.5])
    np.testing.assert_array_equal(b.grad.numpy(), [1, 1, 0.5])


def test_logit_of_integers_and_xlogy_with_nan_as_pytorch():
    # logit of uint8 computed 1 - p in uint8 (wrapping: 1 - 2 = 255); xlogy(0, nan) gave 0
    np.testing.assert_array_equal(ag.logit(ag.tensor([0, 1, 2, 200], dtype=ag.uint8)).numpy(),
                                  [-np.inf, np.inf, np.nan, np.nan])
    x = ag.tensor([0.0, 0.0, 2.0], dtype=ag.float64)
    y = ag.tensor([float("nan"), 0.0, 2.0], dtype=ag.float64)
    np.testing.assert_array_equal(ag.xlogy(x, y).numpy(), [np.nan, 0.0, 2 * np.log(2.0)])


@pytest.mark.parametrize("fn, shapes", [
    (lambda i, a, b: ag.addmm(i, a, b, beta=0), ((2, 2), (2, 3), (3, 2))),
    (lambda i, a, b: ag.addmv(i, a, b, beta=0), ((2,), (2, 3), (3,))),
    (lambda i, a, b: ag.baddbmm(i, a, b, beta=0), ((2, 2, 2), (2, 2, 3), (2, 3, 2))),
], ids=["addmm", "addmv", "baddbmm"])
def test_beta_zero_ignores_input_but_gives_it_a_zero_gradient(fn, shapes):
    # input was dropped from the graph: .grad None, and with only input requiring grad the result
    # did not require grad at all (backward raised); PyTorch gives zeros, and ignores NaN in input
    i = ag.full(shapes[0], float("nan"), dtype=ag.float64, requires_grad=True)
    a, b = (ag.ones(*s, dtype=ag.float64) for s in shapes[1:])
    out = fn(i, a, b)
    assert not bool(ag.isnan(out).any())
    out.sum().backward()
    np.testing.assert_array_equal(i.grad.numpy(), np.zeros(shapes[0]))


def test_fmod_by_an_infinite_divisor_is_the_dividend():
    # the remainder moved to the dividend's sign computed inf - inf: fmod(-3, inf) was NaN
    a = ag.tensor([3.0, -3.0, -0.0, 5.0], dtype=ag.float64)
    b = ag.tensor([float("inf"), float("inf"), 1.0, 0.0], dtype=ag.float64)
    out = ag.fmod(a, b).numpy()
    np.testing.assert_array_equal(out, [3.0, -3.0, -0.0, np.nan])
    assert np.signbit(out[2])


def test_sign_of_nan_is_zero_and_so_are_abs_and_l1_gradients_there():
    # sign(nan) was nan, and with it the gradients of abs and of the 1-norm at a NaN; PyTorch: 0
    x = ag.tensor([float("nan"), -2.0, 0.0, 3.0], dtype=ag.float64, requires_grad=True)
    np.testing.assert_array_equal(ag.sign(x).detach().numpy(), [0, -1, 0, 1])
    np.testing.assert_array_equal(ag.sgn(x).detach().numpy(), [0, -1, 0, 1])
    assert ag.sign(ag.tensor(float("nan"))).item() == 0.0
    x.abs().sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0, -1, 0, 1])
    x.grad = None
    x.norm(1).backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0, -1, 0, 1])
