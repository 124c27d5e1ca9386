"""The in-place forms PyTorch has and xpgrad lacked (``acos_``, ``tan_``, ``multiply_``,
``atan2_``, ``cumsum_``, ``addmm_``...; AttributeError before), against PyTorch: values,
gradients through the recorded in-place op, and the dtype errors."""
import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")

X = np.array([[0.2, -0.5, 0.7], [0.9, -0.1, 0.4]])
Y = np.array([[0.3, 0.6, -0.8], [0.5, 0.25, -0.6]])

CASES = {  # name: the call, on x (a non-leaf float64 tensor) and y (another operand)
    "absolute_": "x.absolute_()",
    "acos_": "x.acos_()",
    "arccos_": "x.arccos_()",
    "asin_": "x.asin_()",
    "arcsin_": "x.arcsin_()",
    "atan_": "x.atan_()",
    "arctan_": "x.arctan_()",
    "cosh_": "x.cosh_()",
    "sinh_": "x.sinh_()",
    "tan_": "x.tan_()",
    "deg2rad_": "x.deg2rad_()",
    "rad2deg_": "x.rad2deg_()",
    "exp2_": "x.exp2_()",
    "fix_": "x.fix_()",
    "negative_": "x.negative_()",
    "sgn_": "x.sgn_()",
    "sinc_": "x.sinc_()",
    "logit_": "x.abs().logit_(eps=0.25)",
    "nan_to_num_": "(x / 0).nan_to_num_(posinf=2.0)",
    "atan2_": "x.atan2_(y)",
    "arctan2_": "x.arctan2_(y)",
    "copysign_": "x.copysign_(y)",
    "xlogy_": "x.xlogy_(y.abs())",
    "floor_divide_": "x.floor_divide_(y)",
    "true_divide_": "x.true_divide_(y)",
    "divide_": "x.divide_(y)",
    "divide_floor": 'x.divide_(y, rounding_mode="floor")',
    "multiply_": "x.multiply_(y)",
    "subtract_": "x.subtract_(y, alpha=2)",
    "heaviside_": "x.heaviside_(y)",
    "cumsum_": "x.cumsum_(1)",
    "cumprod_": "x.cumprod_(0)",
    "addmm_": "x[:, :2].addmm_(y, y.T * 1.5, beta=0.5, alpha=2)",
    "baddbmm_": "x[:, :2].unsqueeze(0).baddbmm_(y.unsqueeze(0), (y.T * 2).unsqueeze(0), alpha=3)",
    "float_power_": "x.float_power_(2)",
    "addmv_": "x[0].addmv_(y.T @ y, y[1], beta=0.5, alpha=2)",
    "addbmm_": "x.addbmm_(y.unsqueeze(0), (y.T @ y).unsqueeze(0) * 0.5, alpha=3)",
    "addr_": "x.addr_(y[:, 0], y[1], beta=2)",
}


NO_DERIVATIVE = {"floor_divide_", "heaviside_"}  # PyTorch raises at backward (xpgrad: zero / none)


@pytest.mark.parametrize("name", sorted(set(CASES) - NO_DERIVATIVE))
def test_values_and_gradients(name):
    res = []
    for L in (torch, ag):
        leaf = L.tensor(X, dtype=L.float64, requires_grad=True)
        other = L.tensor(Y, dtype=L.float64, requires_grad=True)
        x = leaf * 1.0
        out = eval(CASES[name], {}, {"x": x, "y": other})
        (out * L.tensor(np.arange(1.0, out.numel() + 1).reshape(tuple(out.shape)))).sum().backward()
        og = None if other.grad is None else (other.grad + 0).numpy()  # PyTorch's ZeroTensor made dense
        res.append((out.detach().numpy(), (leaf.grad + 0).numpy(), og))
    np.testing.assert_allclose(res[1][0], res[0][0], rtol=1e-13)
    np.testing.assert_allclose(res[1][1], res[0][1], rtol=1e-12, atol=1e-14)
    if res[0][2] is None:
        assert res[1][2] is None or not res[1][2].any()
    else:
        np.testing.assert_allclose(res[1][2], res[0][2], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", sorted(CASES))
def test_no_grad_writes_in_place(name):
    res = []
    for L in (torch, ag):
        x = L.tensor(X, dtype=L.float64)
        before = x
        out = eval(CASES[name], {}, {"x": x, "y": L.tensor(Y, dtype=L.float64)})
        res.append((out.numpy(), before.numpy()))
    np.testing.assert_allclose(res[1][0], res[0][0], rtol=1e-13)
    np.testing.assert_allclose(res[1][1], res[0][1], rtol=1e-13)


@pytest.mark.parametrize("op", ["acos_()", "tan_()", "atan2_(y)", "divide_(y)", "xlogy_(y)", "sinc_()",
                                "exp2_()", "logit_()", "copysign_(y)", "true_divide_(y)", "deg2rad_()",
                                "float_power_(2)"])
def test_integer_tensor_errors(op):
    msgs = []
    for L in (torch, ag):
        x, y = L.ones(2, dtype=L.int64), L.ones(2, dtype=L.int64)  # noqa: F841 (used by eval)
        with pytest.raises(RuntimeError) as e:
            eval("x." + op)
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1]


@pytest.mark.parametrize("op", ["cumsum_(0)", "floor_divide_(y)", "bitwise_not_()", "bitwise_and_(y)",
                                "bitwise_or_(y)", "bitwise_xor_(y)", "negative_()", "multiply_(3)",
                                "subtract_(y, alpha=2)", "absolute_()", "sgn_()", "heaviside_(y)",
                                "cumprod_(0)"])
def test_integer_tensor_ops(op):
    res = []
    for L in (torch, ag):
        x, y = L.tensor([3, -5, 6]), L.tensor([2, 3, -4])  # noqa: F841 (used by eval)
        r = eval("x." + op)
        assert r is x
        res.append((x.numpy(), str(x.dtype).split(".")[-1]))
    np.testing.assert_array_equal(res[1][0], res[0][0])
    assert res[0][1] == res[1][1]


@pytest.mark.parametrize("beta", [1, 0.5, 0])
def test_addr_addmv_addbmm_methods(beta):
    rng = np.random.default_rng(0)
    i0, m0 = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    v1, v2 = rng.standard_normal(3), rng.standard_normal(4)
    b1, b2 = rng.standard_normal((2, 3, 5)), rng.standard_normal((2, 5, 4))
    if beta == 0:
        i0[0, 0] = np.nan  # ignored, as PyTorch
    res = []
    for L in (torch, ag):
        ts = [L.tensor(a, requires_grad=True) for a in (i0, v1, v2, m0, b1, b2)]
        i, a, b, m, p, q = ts
        outs = [L.addr(i, a, b, beta=beta, alpha=2), i.addr(a, b, beta=beta),
                i[:, 0].addmv(m, b, beta=beta, alpha=3), L.addmv(a, m, b, beta=beta),
                i.addbmm(p, q, beta=beta, alpha=0.5), L.addbmm(i, p, q, beta=beta)]
        outs.append(L.addmv_(a.detach().clone(), m, b, alpha=2))
        sum((o * (k + 1)).sum() for k, o in enumerate(outs)).backward()
        res.append([o.detach().numpy() for o in outs] + [t.grad.numpy() for t in ts])
    for got, exp in zip(res[1], res[0]):
        np.testing.assert_allclose(got, exp, rtol=1e-12, atol=1e-12)


BOOLEAN = ["eq_", "ne_", "lt_", "le_", "gt_", "ge_", "greater_", "greater_equal_", "less_", "less_equal_",
           "not_equal_", "logical_and_", "logical_or_", "logical_xor_"]


@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "bool"])
@pytest.mark.parametrize("name", BOOLEAN + ["logical_not_"])
def test_comparison_and_logical_in_place(name, dtype):
    a0, b0 = np.array([1.0, 0.0, -2.0, 3.0]), np.array([1.0, 2.0, -2.0, 0.0])
    res = []
    for L in (torch, ag):
        dt = getattr(L, dtype)
        x, y = L.tensor(a0).to(dt), L.tensor(b0).to(dt)
        args = () if name == "logical_not_" else (y,)
        try:
            r = getattr(x, name)(*args)
        except RuntimeError as e:
            res.append(("err", str(e)))
            continue
        assert r is x
        res.append(("ok", x.numpy(), str(x.dtype).split(".")[-1]))
    assert res[0][0] == res[1][0], res
    if res[0][0] == "ok":
        np.testing.assert_array_equal(res[1][1], res[0][1])
        assert res[1][2] == res[0][2]


@pytest.mark.parametrize("name", ["gt_", "eq_", "ne_"])
def test_comparison_in_place_keeps_a_zero_gradient(name):
    # (PyTorch 2.13 does not record logical_not_/and_/or_/xor_ at all: the gradient flows as if the
    # values had not changed. xpgrad gives their true, zero, gradient instead of copying that.)
    res = []
    for L in (torch, ag):
        leaf = L.tensor([1.0, -2.0, 3.0], requires_grad=True)
        x = leaf * 1
        getattr(x, name)(*(() if name == "logical_not_" else (0.0,)))
        assert x.requires_grad
        (x * 2).sum().backward()
        res.append((x.detach().numpy(), leaf.grad.numpy()))
    np.testing.assert_array_equal(res[1][0], res[0][0])
    np.testing.assert_array_equal(res[1][1], res[0][1])
