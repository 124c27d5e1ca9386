"""Differences from PyTorch 2.13 found by differential sweeps of reductions, scans, sorting and
linear algebra (values, dtypes, shapes, gradients); each case compares against PyTorch."""
import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")


def _both(fn, *arrays):
    return fn(torch, *[torch.tensor(a) for a in arrays]), fn(ag, *[ag.tensor(a) for a in arrays])


def _same(t, a):
    assert str(a.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
    assert tuple(a.shape) == tuple(t.shape)
    np.testing.assert_array_equal(np.asarray(a.numpy()), t.numpy())


X = np.array([[1.0, 0.0, 2.0], [0.0, 0.0, 3.0]])


@pytest.mark.parametrize("name", ["all", "any"])
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("x", [X, X[:0], X.astype(np.uint8)])
def test_all_any_with_empty_dim_tuple_reduce_nothing(name, keepdim, x):
    # all(x, ()) was all(x) (a 0-d False); PyTorch reduces nothing: the elementwise x != 0
    _same(*_both(lambda T, t: getattr(T, name)(t, (), keepdim=keepdim), x))


@pytest.mark.parametrize("dim", [(), (0,), -1])
def test_count_nonzero_empty_dim_tuple_counts_all_and_0d_takes_dim0(dim):
    # count_nonzero(x, dim=()) counted nothing (the shape of x); PyTorch counts all elements.
    _same(*_both(lambda T, t: T.count_nonzero(t, dim=()), X))
    # a 0-d input with dim=(0,) or -1 raised AxisError
    _same(*_both(lambda T, t: T.count_nonzero(t, dim=dim), np.array(3.0)))


def _grads(fn, a):
    out = []
    for T in (torch, ag):
        x = T.tensor(a, requires_grad=True)
        y = fn(T, x)
        (g,) = T.autograd.grad(y.sum(), x, allow_unused=True)
        out.append(g)
    return out


def test_matrix_power_0_is_on_the_graph_and_1_is_a_copy():
    a = np.arange(8.0).reshape(2, 2, 2)
    # n=0: the identities did not require grad (backward raised); PyTorch gives A a zero gradient
    t, g = _grads(lambda T, x: T.linalg.matrix_power(x, 0), a)
    assert g is not None
    np.testing.assert_array_equal(g.numpy(), t.numpy())
    # n=1 returned A itself, so writing to the result changed A
    for T in (torch, ag):
        x = T.ones(2, 2)
        y = T.linalg.matrix_power(x, 1)
        y += 1
        assert y is not x and x[0, 0].item() == 1.0


@pytest.mark.parametrize("fn", [
    lambda T, x: T.linalg.cond(x),  # s[0] / s[-1] of a 1x1: gradients cancel to exact zeros
    lambda T, x: T.linalg.svdvals(x) * 0,
    lambda T, x: T.linalg.eigvalsh(x) * 0,
    lambda T, x: T.linalg.svdvals(x[..., :0, :]),  # empty matrices
    lambda T, x: T.linalg.eigvalsh(x[..., :0, :0]),
])
def test_svd_and_eigh_give_zero_not_absent_gradients(fn):
    # all-zero output gradients made the SVD/eigh backward return None: A.grad stayed None
    t, g = _grads(fn, np.array([[[2.0]], [[3.0]]]))
    assert g is not None
    np.testing.assert_array_equal(g.numpy(), t.numpy())


@pytest.mark.parametrize("eq,n", [("ij->", 1), ("ij->j", 1), ("ii", 1), ("ij,j->j", 2), ("i,i,j->", 3),
                                  ("ii->i", 1), ("ij,jk->ik", 2), ("ij,ji->", 2), ("ij->ji", 1)])
@pytest.mark.parametrize("dtype", ["int8", "uint8", "bool"])
def test_einsum_sums_one_operands_labels_in_int64(eq, n, dtype):
    # einsum('ij->', int8) stayed int8 and wrapped around (100 * 400 gave 64); PyTorch sums a label
    # that one operand alone has with sum(): int64. Contractions between operands keep the dtype.
    a = np.full((20, 20), 100 if dtype != "bool" else 1).astype(dtype)
    if eq in ("ij,j->j", "i,i,j->"):
        ops = [a, a[0]] if n == 2 else [np.ones(20, dtype)] * 3  # PyTorch's i,i product stays int8
    else:
        ops = [a] * n
    if dtype == "bool" and n > 1 and eq != "ij,j->j":
        pytest.skip("PyTorch's bmm has no bool kernel")
    _same(*_both(lambda T, *xs: T.einsum(eq, *xs), *ops))


@pytest.mark.parametrize("sorted_", [True, False])
def test_unique_keeps_each_nan_distinct(sorted_):
    # unique merged the NaNs into one value (NumPy's equal_nan); PyTorch keeps one per occurrence,
    # last, in the order they appear: values [0, 1, nan, nan, nan], inverse [2, 1, 3, 0, 1, 4]
    x = np.array([np.nan, 1.0, np.nan, 0.0, 1.0, np.nan])
    t, a = _both(lambda T, v: T.unique(v, sorted=sorted_, return_inverse=True, return_counts=True), x)
    for tt, aa in zip(t, a):
        assert tuple(aa.shape) == tuple(tt.shape)
        np.testing.assert_array_equal(np.asarray(aa.numpy()), tt.numpy())


@pytest.mark.parametrize("fn", [
    lambda T, x: T.argmax(x), lambda T, x: T.argmin(x, 0), lambda T, x: x @ x, lambda T, x: T.mm(x, x),
    lambda T, x: T.bmm(x[None], x[None]), lambda T, x: T.dot(x[0], x[1]), lambda T, x: T.mv(x, x[0]),
    lambda T, x: T.linalg.multi_dot([x, x]), lambda T, x: T.tensordot(x, x),
])
def test_bool_argmax_and_products_raise_as_pytorch(fn):
    # these computed (NumPy's argmax of bools, matmul as OR of ANDs) where PyTorch 2.13 raises
    x = np.array([[True, False], [False, True]])
    with pytest.raises((RuntimeError, NotImplementedError)):
        fn(torch, torch.tensor(x))
    with pytest.raises((RuntimeError, NotImplementedError)):
        fn(ag, ag.tensor(x))


def test_logdet_of_a_negative_determinant_sends_no_gradient():
    # logdet is NaN where det < 0; the gradient there was g A^{-T} (that of log|det|), where
    # PyTorch's where(sign == -1, nan, logabsdet) gives zeros; positive determinants are unchanged
    a = np.stack([np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([[2.0, 1.0], [1.0, 3.0]])])
    t, g = _grads(lambda T, x: T.logdet(x), a)
    np.testing.assert_allclose(g.numpy(), t.numpy())
    assert np.isnan(ag.logdet(ag.tensor(a)).numpy()[0])


@pytest.mark.parametrize("sa,sb", [((1, 3, 3), (5, 3, 2)), ((5, 4, 2), (1, 4, 1)),
                                   ((2, 1, 3, 3), (1, 4, 3, 2))])
def test_lstsq_broadcasts_batches(sa, sb):
    # lstsq raised 'the batch dimensions ... must be equal' where PyTorch 2.13 broadcasts them
    r = np.random.RandomState(0)
    a, b = r.randn(*sa), r.randn(*sb)
    t, g = _both(lambda T, x, y: T.linalg.lstsq(x, y).solution, a, b)
    assert tuple(g.shape) == tuple(t.shape)
    np.testing.assert_allclose(g.numpy(), t.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_inverse_value_and_factor_gradient(upper):
    # cholesky_inverse was missing (AttributeError); PyTorch's gradient is that of the full factor
    r = np.random.RandomState(1)
    a = r.randn(2, 3, 3)
    f = np.linalg.cholesky(a @ a.transpose(0, 2, 1) + 3 * np.eye(3))
    f = f.transpose(0, 2, 1) if upper else f
    w = r.randn(2, 3, 3)
    t, g = _grads(lambda T, x: T.cholesky_inverse(x, upper=upper) * T.tensor(w), f)
    np.testing.assert_allclose(g.numpy(), t.numpy(), rtol=1e-9, atol=1e-12)
    t, g = _both(lambda T, x: T.cholesky_inverse(x, upper=upper), f)
    np.testing.assert_allclose(g.numpy(), t.numpy(), rtol=1e-9, atol=1e-12)


def test_norm_fro_over_three_dims_raises_as_pytorch():
    # norm(x, dim=(0, 1, 2)) (p='fro' by default) gave the 2-norm of all elements; PyTorch 2.13 takes
    # 'fro' over dims as a matrix norm and raises; p=2 over three dims still works
    for T in (torch, ag):
        x = T.ones(2, 3, 4)
        with pytest.raises(RuntimeError, match="2-tuple"):
            T.norm(x, dim=(0, 1, 2))
        assert T.norm(x, 2, dim=(0, 1, 2)).item() == pytest.approx(24 ** 0.5)


@pytest.mark.parametrize("dtype", ["int8", "int32", "uint8", "int16"])
def test_cumprod_keeps_the_requested_integer_dtype(dtype):
    # cumprod(x, 0, dtype=int8) gave int64 (NumPy widens small integers); PyTorch 2.13 keeps int8 and
    # wraps as it does ([100, 100, 3] -> [100, 16, 48])
    x = np.array([[100, 100, 3], [2, 7, 5]], dtype="int8")
    _same(*_both(lambda T, t: T.cumprod(t, 1, dtype=getattr(T, dtype)), x))
    _same(*_both(lambda T, t: t.to(getattr(T, dtype)).cumprod(0), x))


def test_cumprod_float32_accumulates_as_pytorch():
    x = (1 + np.random.RandomState(0).randn(20000) * 1e-3).astype(np.float32)
    _same(*_both(lambda T, t: T.cumprod(t, 0), x))


@pytest.mark.parametrize("fn", [
    lambda T, x: T.linalg.vector_norm(x.to(T.int32), dtype=T.float64),  # an integer input
    lambda T, x: T.norm(x.to(T.int8), dtype=T.float32),
    lambda T, x: T.linalg.vector_norm(x, dtype=T.float16),  # narrowing float32 -> float16
    lambda T, x: T.linalg.matrix_norm(x, dtype=T.float16),
    lambda T, x: T.linalg.norm(x, dtype=T.float16),
])
def test_norm_dtype_argument_checks_as_pytorch(fn):
    # these cast and computed where PyTorch 2.13 raises (input not floating; dtype narrowing)
    x = np.ones((2, 3), np.float32)
    with pytest.raises(RuntimeError):
        fn(torch, torch.tensor(x))
    with pytest.raises(RuntimeError):
        fn(ag, ag.tensor(x))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_histc_bins_by_the_linear_formula_as_pytorch(dtype):
    # histc searched the elements against linspace edges, so a constant input (range widened to
    # [v - 1, v + 1]) or an element on an edge landed one bin off PyTorch 2.13's, which bins by
    # (x - min) * bins / (max - min) alone: histc([-0.31088617], 4) is [0, 0, 1, 0]
    for a, bins, lo, hi in [([-0.31088617], 4, 0, 0), ([0.01511913] * 3, 2, 0, 0),
                            ([k * 0.7 / 7 for k in range(8)], 7, 0.0, 0.7),
                            ([0.1 * k for k in range(-5, 35)], 10, -1, 3)]:
        _same(*_both(lambda T, t: T.histc(t, bins=bins, min=lo, max=hi), np.array(a, dtype)))


@pytest.mark.parametrize("fn", [lambda T, t: T.std(t, -1), lambda T, t: T.std(t, 0, correction=0),
                                lambda T, t: T.std_mean(t, -1)[0], lambda T, t: T.var(t, -1)])
def test_float16_std_takes_the_root_before_the_cast(fn):
    # std of float16 values near 300 was inf: the variance (over 65504) was cast to float16 before
    # the square root; PyTorch 2.13 keeps it in float32 until after (std 320.5, var still inf)
    x = (np.random.RandomState(0).randn(4, 64) * 300).astype(np.float16)
    _same(*_both(fn, x))


@pytest.mark.parametrize("shape,dim", [((4, 0), 0), ((0, 3, 0), 1), ((2, 0, 3), -1)])
def test_unique_dim_of_empty_slices_raises_as_pytorch(shape, dim):
    # unique(x, dim=0) of a (4, 0) tensor collapsed the empty rows into one ((1, 0)); PyTorch 2.13
    # raises when a zero-sized dimension is not the selected one (or there are several)
    x = np.zeros(shape)
    for fn in (lambda T, t: T.unique(t, dim=dim), lambda T, t: T.unique_consecutive(t, dim=dim)):
        with pytest.raises(RuntimeError, match="unique cannot be applied"):
            fn(torch, torch.tensor(x))
        with pytest.raises(RuntimeError, match="unique cannot be applied"):
            fn(ag, ag.tensor(x))
    _same(*_both(lambda T, t: T.unique(t, dim=1), np.zeros((3, 0))))  # the empty dim selected: fine


@pytest.mark.parametrize("shape", [(0, 2), (2, 0), (2, 0, 2), (3, 2, 0), (0, 0)])
def test_spectral_norm_of_empty_matrices_is_zero(shape):
    # matrix_norm(x, 2) of an empty matrix raised amax's 'Expected reduction dim ... non-zero size';
    # PyTorch 2.13 gives 0 (ord=-2 still raises in both)
    _same(*_both(lambda T, t: T.linalg.matrix_norm(t, 2), np.zeros(shape)))
    _same(*_both(lambda T, t: T.linalg.norm(t, 2, dim=(-2, -1)), np.zeros(shape)))


@pytest.mark.parametrize("p", [float("inf"), 1.0, 2.0, 3.0])
def test_cdist_of_rows_without_components_is_zero(p):
    # cdist(x1, x2, p=inf) with 0 columns raised 'cannot compute the inf norm over an empty dimension';
    # PyTorch 2.13 gives zeros (every p)
    _same(*_both(lambda T, a, b: T.cdist(a, b, p=p), np.zeros((3, 0)), np.zeros((2, 0))))


@pytest.mark.parametrize("fn", [lambda T, x: T.topk(x, 1), lambda T, x: T.kthvalue(x, 1),
                                lambda T, x: T.median(x), lambda T, x: T.median(x, 0),
                                lambda T, x: T.nanmedian(x, 1), lambda T, x: T.trace(x)])
def test_bool_order_statistics_and_trace_raise_as_pytorch(fn):
    # these computed on bools where PyTorch 2.13 has no kernel and raises
    x = np.array([[True, False], [False, True]])
    with pytest.raises((RuntimeError, NotImplementedError)):
        fn(torch, torch.tensor(x))
    with pytest.raises((RuntimeError, NotImplementedError)):
        fn(ag, ag.tensor(x))
