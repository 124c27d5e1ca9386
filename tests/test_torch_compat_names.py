"""More torch.* names real programs call (ATen-order functional spellings, legacy and real-tensor
forms, *_with_indices pools, conv_tbc, linear_cross_entropy), each against PyTorch."""
import warnings

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F

torch = pytest.importorskip("torch")
RNG = np.random.default_rng(0)


def _np(x):
    if isinstance(x, (tuple, list)):
        return [_np(v) for v in x]
    return x.detach().numpy() if hasattr(x, "detach") else np.asarray(x)


def _same(a, b, tol=1e-6):
    a, b = _np(a), _np(b)
    if isinstance(a, list):
        for x, y in zip(a, b, strict=True):
            _same(x, y, tol)
        return
    assert a.shape == b.shape and a.dtype == b.dtype, (a.shape, b.shape, a.dtype, b.dtype)
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def _both(fn, *arrays, grads=True, tol=1e-6):
    """``fn(lib, *tensors)`` in both libraries: outputs and the gradients of float inputs."""
    res = []
    for lib in (ag, torch):
        ts = [lib.tensor(a, requires_grad=grads and a.dtype.kind == "f") for a in arrays]
        out = fn(lib, *ts)
        first = out[0] if isinstance(out, (tuple, list)) else out
        if grads and first.requires_grad:
            (first * lib.tensor(np.linspace(-1, 1, first.numel()).reshape(first.shape).astype(
                _np(first).dtype))).sum().backward()
        res.append((out, [t.grad for t in ts if t.grad is not None]))
    _same(res[0][0], res[1][0], tol)
    _same(res[0][1], res[1][1], tol)


def test_aten_order_functional_spellings():
    x = RNG.standard_normal((4, 3, 5))
    w, b, rm, rv = RNG.standard_normal(3), RNG.standard_normal(3), RNG.standard_normal(3), RNG.random(3) + 0.5
    _both(lambda lib, x, w, b: lib.batch_norm(x, w, b, lib.tensor(rm), lib.tensor(rv), False, 0.1, 1e-5,
                                              True),
          x, w, b)
    _both(lambda lib, x, w, b: lib.instance_norm(x, w, b, None, None, True, 0.1, 1e-5, True), x, w, b)
    _both(lambda lib, x: lib.layer_norm(x, (5,)), x)
    _both(lambda lib, x: lib.group_norm(x, 3), x)
    _both(lambda lib, x: lib.dropout(x, 0.5, False), x)
    _both(lambda lib, x: lib.feature_dropout(x, 0.3, False), x)
    _both(lambda lib, x: lib.constant_pad_nd(x, (1, 2), 3.5), x)
    emb, idx = RNG.standard_normal((6, 3)), np.array([[0, 5, 2], [2, 2, 1]])
    _both(lambda lib, e, i: lib.embedding(e, i, 2), emb, idx)
    _both(lambda lib, x: lib.adaptive_max_pool1d(x, 2), x)
    _both(lambda lib, x: lib.max_pool1d_with_indices(x, 2), x)


def test_convolution_conv_tbc_and_cells():
    x, w, b = RNG.standard_normal((2, 3, 7)), RNG.standard_normal((4, 3, 3)), RNG.standard_normal(4)
    _both(lambda lib, x, w, b: lib.convolution(x, w, b, (2,), (1,), (1,), False, (0,), 1), x, w, b)
    wt = RNG.standard_normal((3, 4, 3))
    _both(lambda lib, x, w, b: lib.convolution(x, w, b, (2,), (1,), (1,), True, (1,), 1), x, wt, b)
    t_in, t_w = RNG.standard_normal((7, 2, 3)), RNG.standard_normal((3, 3, 4))
    _both(lambda lib, x, w, b: lib.conv_tbc(x, w, b, 1), t_in, t_w, b)
    _both(lambda lib, x, w, b: F.conv_tbc(x, w, b) if lib is ag else torch.nn.functional.conv_tbc(x, w, b),
          t_in, t_w, b)
    h, c = RNG.standard_normal((2, 5)), RNG.standard_normal((2, 5))
    wih, whh, bih = RNG.standard_normal((20, 3)), RNG.standard_normal((20, 5)), RNG.standard_normal(20)
    xi = RNG.standard_normal((2, 3))
    _both(lambda lib, x, h, c, a, b_, d: lib.lstm_cell(x, (h, c), a, b_, d, d), xi, h, c, wih, whh, bih)
    _both(lambda lib, x, h, a, b_, d: lib.gru_cell(x, h, a[:15], b_[:15], d[:15], d[:15]),
          xi, h, wih, whh, bih)
    _both(lambda lib, x, h, a, b_: lib.rnn_tanh_cell(x, h, a[:5], b_[:5]), xi, h, wih, whh)


@pytest.mark.parametrize("case", ["plain", "bias_kdim", "probs", "ignore"])
def test_linear_cross_entropy_and_its_module(case):
    x, w, bias = RNG.standard_normal((4, 6)), RNG.standard_normal((5, 6)), RNG.standard_normal(5)
    y = np.array([0, 4, 2, 4])
    if case == "plain":
        _both(lambda lib, x, w, y: lib.nn.functional.linear_cross_entropy(x, w, y, label_smoothing=0.1),
              x, w, y)
    elif case == "bias_kdim":
        wk, bk, yk = RNG.standard_normal((5, 2, 6)), RNG.standard_normal((5, 2)), RNG.integers(0, 5, (4, 2))
        _both(lambda lib, x, w, b, y: lib.nn.functional.linear_cross_entropy(x, w, y, linear_bias=b,
                                                                            reduction="sum"), x, wk, bk, yk)
    elif case == "probs":
        p = RNG.random((4, 5))
        _both(lambda lib, x, w, b, p: lib.nn.functional.linear_cross_entropy(x, w,
                                                                            p / p.sum(1, keepdims=True),
                                                                            linear_bias=b), x, w, bias, p)
    else:
        _both(lambda lib, x, w, y: lib.nn.functional.linear_cross_entropy(x, w, y, ignore_index=4), x, w, y)
    ours = nn.LinearCrossEntropyLoss(6, 5, bias=True)
    theirs = torch.nn.LinearCrossEntropyLoss(6, 5, bias=True)
    ours.load_state_dict({k: ag.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    xt = x.astype(np.float32)
    _same(ours(ag.tensor(xt), ag.tensor(y)), theirs(torch.tensor(xt), torch.tensor(y)), 1e-5)
    assert repr(ours) == repr(theirs)
    assert isinstance(nn.NLLLoss2d(), nn.NLLLoss)


def test_with_indices_pools():
    x = RNG.standard_normal((2, 3, 6, 6))
    _both(lambda lib, x: lib.nn.functional.max_pool2d_with_indices(x, 2), x)
    _both(lambda lib, x: lib.nn.functional.adaptive_max_pool2d_with_indices(x, 4), x)
    x3 = RNG.standard_normal((1, 2, 4, 4, 4))
    _both(lambda lib, x: lib.nn.functional.max_pool3d_with_indices(x, 2), x3)


def test_legacy_and_real_tensor_forms():
    x = np.array([[1.0, -2.0], [0.0, 3.0]])
    _both(lambda lib, x: lib.angle(x), x)
    _both(lambda lib, x: x.sum_to_size(1, 2), x)
    _both(lambda lib, x: lib.frobenius_norm(x, (0, 1)), x)
    _both(lambda lib, x: lib.nuclear_norm(x), x, tol=1e-5)
    a = np.array([[4.0, 1.0], [1.0, 3.0]])
    _both(lambda lib, L: lib.cholesky_inverse(L), np.linalg.cholesky(a))
    _both(lambda lib, U: U.cholesky_inverse(upper=True), np.linalg.cholesky(a).T)
    _both(lambda lib, x: lib.nonzero_static(x, size=5, fill_value=7), x, grads=False)
    _both(lambda lib, x: x.diagflat(1), np.array([1.0, 2.0]))
    _both(lambda lib, x: x.hardshrink(0.5), x)
    _both(lambda lib, x: x.clone().hypot_(lib.ones(2, 2)), x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _same(ag.range(1, 4), torch.range(1, 4))
        _same(ag.range(0, 1, 0.1), torch.range(0, 1, 0.1))
        _same(ag.range(1, 7, 2, dtype=ag.int64), torch.range(1, 7, 2, dtype=torch.int64))
    t, tt = ag.tensor(x), torch.tensor(x)
    _same(t.new(2, 3), tt.new(2, 3).zero_())
    _same(t.new([1, 2]), tt.new([1, 2]))
    assert t.real is t and t.isreal().all() and t.output_nr == tt.output_nr == 0
    assert t.t().dim_order() == tt.t().dim_order() and t.dim_order() == tt.dim_order()
    assert ag.typename(t) == torch.typename(tt) and ag.typename(3) == torch.typename(3) == "int"
    assert not t.is_xla and t.layout is ag.strided
    assert ag.cond(ag.tensor(False), lambda a: a + 1, lambda a: a - 1, (t,)).tolist() == (tt - 1).tolist()
    with pytest.raises(RuntimeError, match="imag is not implemented"):
        t.imag
    old = ag.get_default_dtype()
    try:
        ag.set_default_tensor_type(ag.DoubleTensor)
        assert ag.zeros(1).dtype == ag.float64
        ag.set_default_tensor_type("torch.FloatTensor")
        assert ag.zeros(1).dtype == ag.float32
    finally:
        ag.set_default_dtype(old)
