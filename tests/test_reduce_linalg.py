"""Targeted tests of the reductions and linear-algebra ops beyond the op table.

Ties (even split vs the returned index), named tuples, stability at large
inputs, zeros in ``prod``, empty reductions, dtypes of results, and the error
messages of bad arguments, each against PyTorch where it has the same thing.
"""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.gradcheck import gradcheck, gradgradcheck
from autograd.testing import assert_close

TIES = np.array([[1.0, 3.0, 3.0, -2.0], [0.5, 0.5, 0.5, 0.5], [-1.0, 3.0, -1.0, 2.0]])


def t(a, device, grad=False, dtype=ag.float64):
    return ag.tensor(np.asarray(a), dtype=dtype, device=device, requires_grad=grad)


def grad_of(fn, a, device, upstream_seed=0):
    """``x.grad`` of ``fn(x)`` with a fixed random upstream gradient, and the same in PyTorch."""
    torch = pytest.importorskip("torch")
    x = t(a, device, grad=True)
    y = fn(x, ag)
    tx = torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)
    ty = fn(tx, torch)
    v = np.random.default_rng(upstream_seed).standard_normal(ty.shape)
    y.backward(ag.tensor(v, dtype=ag.float64, device=device))
    ty.backward(torch.tensor(v))
    assert_close(y.detach().cpu().numpy(), ty.detach().numpy(), msg="forward vs torch")
    return x.grad.cpu().numpy(), tx.grad.numpy()


# ---------------------------------------------------------------- ties
@pytest.mark.parametrize("fn", [
    lambda x, m: x.max(),
    lambda x, m: x.min(),
    lambda x, m: m.amax(x, dim=1),
    lambda x, m: m.amin(x, dim=(0, 1), keepdim=True),
    lambda x, m: m.amax(x, dim=0),
    lambda x, m: x.norm(p=float("inf"), dim=1),
    lambda x, m: x.norm(p=float("inf")),
], ids=["max", "min", "amax_dim", "amin_all_keepdim", "amax_dim0", "norm_inf_dim", "norm_inf"])
def test_ties_split_the_gradient_evenly_like_torch(device, fn):
    got, expected = grad_of(fn, TIES, device)
    assert_close(got, expected)


def test_max_over_ties_splits_evenly(device):
    x = t([2.0, 5.0, 5.0, 5.0], device, grad=True)
    x.max().backward()
    assert_close(x.grad.cpu().numpy(), np.array([0.0, 1 / 3, 1 / 3, 1 / 3]))


@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("keepdim", [False, True])
def test_max_dim_sends_the_gradient_to_the_returned_index(device, name, keepdim):
    torch = pytest.importorskip("torch")
    got, expected = grad_of(lambda x, m: getattr(x, name)(dim=1, keepdim=keepdim).values, TIES, device)
    assert_close(got, expected)
    assert (np.count_nonzero(got, axis=1) == 1).all()  # one index per row, even with ties
    r = getattr(t(TIES, device), name)(1, keepdim)
    tr = getattr(torch.tensor(TIES), name)(1, keepdim)
    assert_close(r.indices.cpu().numpy(), tr.indices.numpy())
    assert r.indices.dtype == ag.int64


def test_max_dim_returns_a_named_tuple(device):
    x = t([[1.0, 5.0], [7.0, 2.0]], device)
    r = ag.max(x, dim=1)
    assert type(r).__name__ == "max" and r._fields == ("values", "indices")
    values, indices = r
    assert values is r.values and indices is r.indices and r[0] is values
    assert repr(r).startswith("max(values=tensor(")
    assert type(x.min(0)).__name__ == "min"
    assert isinstance(r, ag.return_types.max)
    assert r.values.shape == (2,) and x.max(1, keepdim=True).values.shape == (2, 1)


def test_max_with_a_tensor_is_maximum(device):
    a, b = t([1.0, 4.0], device), t([3.0, 2.0], device)
    assert ag.max(a, b).tolist() == [3.0, 4.0]
    assert ag.min(a, b).tolist() == [1.0, 2.0]


def test_max_min_on_0d(device):
    x = t(3.0, device, grad=True)
    r = x.max(0)
    assert r.values.shape == () and r.indices.item() == 0
    r.values.backward()
    assert x.grad.item() == 1.0


@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_argmax_first_occurrence_like_torch(device, name):
    torch = pytest.importorskip("torch")
    x, tx = t(TIES, device), torch.tensor(TIES)
    for kw in [{}, {"dim": 0}, {"dim": 1}, {"dim": -1, "keepdim": True}, {"keepdim": True}]:
        r, tr = getattr(x, name)(**kw), getattr(tx, name)(**kw)
        assert r.shape == tuple(tr.shape) and r.dtype == ag.int64, kw
        assert r.tolist() == tr.tolist(), kw
    assert ag.argmax(t([1.0, 7.0, 7.0], device)).item() == 1
    assert ag.argmax(t(5.0, device), 0).item() == 0


# ---------------------------------------------------------------- prod with zeros
@pytest.mark.parametrize("a", [
    [[0.0, 2.0, -1.5], [0.0, 0.0, 3.0], [1.5, 0.0, 0.0], [0.0, 0.0, 0.0], [1.0, -2.0, 0.5]],
    [[0.0, 2.0], [3.0, 4.0]],
])
@pytest.mark.parametrize("dim", [None, 0, 1])
def test_prod_gradient_with_zeros_matches_torch(device, a, dim):
    fn = (lambda x, m: x.prod()) if dim is None else (lambda x, m: x.prod(dim))
    got, expected = grad_of(fn, a, device)
    assert np.isfinite(got).all()
    assert_close(got, expected)


def test_prod_second_derivative_with_zeros(device):
    x = t([[0.0, 2.0, -1.5, 0.5], [0.0, 0.0, 3.0, 1.0], [0.0, 0.0, 0.0, 2.0]], device, grad=True)
    assert gradgradcheck(lambda z: z.prod(1), (x,))
    assert gradgradcheck(lambda z: z[:2, :2].prod(), (x,))


# ---------------------------------------------------------------- stability
def test_logsumexp_is_finite_for_large_inputs(device):
    torch = pytest.importorskip("torch")
    a = np.array([[1e4, 1e4 - 1.0, -1e4], [-1e4, -1e4, -1e4]])
    got, expected = grad_of(lambda x, m: m.logsumexp(x, 1), a, device)
    assert np.isfinite(got).all()
    assert_close(got, expected)
    y = ag.logsumexp(t(a, device, dtype=ag.float32), dim=1)
    assert np.isfinite(y.cpu().numpy()).all()
    assert_close(y.cpu().numpy(), torch.logsumexp(torch.tensor(a, dtype=torch.float32), 1).numpy(),
                 rtol=1e-6)


def test_logsumexp_of_minus_infinity_and_empty(device):
    x = t([[-np.inf, -np.inf], [0.0, -np.inf]], device)
    assert_close(ag.logsumexp(x, 1).cpu().numpy(), np.array([-np.inf, 0.0]))
    assert ag.logsumexp(t(np.zeros((0, 3)), device), 0).tolist() == [-np.inf] * 3


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_is_stable_for_large_inputs(device, name):
    a = np.array([[1e4, 1e4 - 2.0, -1e4], [0.0, 1.0, 2.0]])
    got, expected = grad_of(lambda x, m: getattr(x, name)(1), a, device)
    assert np.isfinite(got).all()
    assert_close(got, expected)
    y = getattr(t(a, device, dtype=ag.float32), name)(-1)
    assert y.dtype == ag.float32 and np.isfinite(y.cpu().numpy()).all()


def test_softmax_dtype_argument(device):
    x = t([1.0, 2.0], device, dtype=ag.float32)
    assert ag.softmax(x, 0, dtype=ag.float64).dtype == ag.float64
    assert x.softmax(0, dtype=ag.float64).dtype == ag.float64
    assert x.log_softmax(dim=0, dtype=ag.float64).dtype == ag.float64


# ---------------------------------------------------------------- norm
@pytest.mark.parametrize("p", [2, "fro", 3, 1, 0.5, -1])
def test_norm_gradient_at_zero_vector_is_zero_like_torch(device, p):
    a = np.array([[0.0, 0.0, 0.0], [1.0, -2.0, 2.0], [0.0, 1.0, -2.0]])
    got, expected = grad_of(lambda x, m: x.norm(p=p, dim=1), a, device)
    assert_close(got, expected)
    assert (got[0] == 0).all()
    x = t(np.zeros(4), device, grad=True)
    x.norm().backward()
    assert (x.grad.cpu().numpy() == 0).all()


def test_norm_p_variants_match_torch(device):
    torch = pytest.importorskip("torch")
    a = np.array([[0.5, -2.0, 0.0], [1.0, -1.5, 2.5]])
    for p in [1, 2, 3, 0, 0.5, float("inf"), -float("inf"), "fro", None]:
        for kw in [{}, {"dim": 1}, {"dim": (0, 1), "keepdim": True}, {"dim": 0, "keepdim": True}]:
            got = t(a, device).norm(p, **kw).cpu().numpy()
            expected = torch.tensor(a).norm(p, **kw).numpy()
            assert_close(got, expected, rtol=1e-12, msg=f"p={p} {kw}")


def test_linalg_vector_norm_matches_torch(device):
    torch = pytest.importorskip("torch")
    a = np.array([[0.5, -2.0, 0.0], [1.0, -1.5, 2.5]])
    for ord_ in [2, 1, 3, 0, 0.5, -1, -2, float("inf"), -float("inf")]:
        for kw in [{}, {"dim": 1}, {"dim": (0, 1), "keepdim": True}, {"dim": 0, "keepdim": True}]:
            x, tx = t(a, device, grad=True), torch.tensor(a, requires_grad=True)
            y, ty = ag.linalg.vector_norm(x, ord_, **kw), torch.linalg.vector_norm(tx, ord_, **kw)
            assert_close(y.detach().cpu().numpy(), ty.detach().numpy(), rtol=1e-12, msg=f"ord={ord_} {kw}")
            y.sum().backward()
            ty.sum().backward()
            if tx.grad is None:  # ord 0: no gradient at all, as PyTorch
                assert x.grad is None, f"ord={ord_} {kw}"
                continue
            assert_close(x.grad.cpu().numpy(), tx.grad.numpy(), rtol=1e-12, msg=f"grad ord={ord_} {kw}")
    assert ag.linalg.vector_norm(t(a, device, dtype=ag.float32), dtype=ag.float64).dtype == ag.float64
    with pytest.raises(TypeError, match="ord"):
        ag.linalg.vector_norm(t(a, device), "fro")


# ---------------------------------------------------------------- var/std arguments
def test_var_std_arguments_match_torch(device):
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(1).standard_normal((3, 4))
    x, tx = t(a, device), torch.tensor(a)
    for name in ("var", "std"):
        for args, kw in [((), {}), ((False,), {}), ((1,), {}), ((1, False), {}), ((0, True, True), {}),
                         ((), {"dim": (0, 1), "correction": 0}), ((), {"dim": 1, "correction": 2}),
                         ((), {"dim": 0, "unbiased": False, "keepdim": True})]:
            got = getattr(x, name)(*args, **kw).cpu().numpy()
            assert_close(got, getattr(tx, name)(*args, **kw).numpy(), rtol=1e-12, msg=f"{name}{args}{kw}")
    with pytest.raises(TypeError, match="unbiased.*correction|correction.*unbiased"):
        x.var(0, unbiased=True, correction=1)


def test_var_with_too_few_elements_is_nan_or_inf(device):
    assert np.isnan(t([1.0], device).var().item())
    assert np.isinf(t([1.0, 2.0], device).var(correction=3).item())


# ---------------------------------------------------------------- empty reductions
def test_reductions_over_size_zero_dims(device):
    x = t(np.zeros((0, 3)), device)
    assert x.sum().item() == 0 and x.sum(0).tolist() == [0.0] * 3
    assert x.sum(1).shape == (0,)
    assert x.prod(0).tolist() == [1.0] * 3
    assert np.isnan(x.mean(0).cpu().numpy()).all()
    assert x.norm(dim=0).tolist() == [0.0] * 3
    assert x.max(1).values.shape == (0,) and x.amax(1).shape == (0,)
    assert x.cumsum(0).shape == (0, 3) and x.softmax(0).shape == (0, 3)
    assert x.all().item() is True and x.any().item() is False


@pytest.mark.parametrize("call, exc, match", [
    (lambda x: x.max(), RuntimeError, r"max\(\): Expected reduction dim to be specified"),
    (lambda x: x.max(0), IndexError, r"max\(\): Expected reduction dim 0 to have non-zero size"),
    (lambda x: x.min(dim=0), IndexError, r"min\(\): Expected reduction dim 0"),
    (lambda x: x.amax(), RuntimeError, r"amax\(\)"),
    (lambda x: x.amin((0, 1)), IndexError, r"amin\(\)"),
    (lambda x: x.argmax(), IndexError, r"argmax\(\)"),
    (lambda x: x.argmin(0), IndexError, r"argmin\(\)"),
    (lambda x: x.norm(float("inf"), dim=0), RuntimeError, r"norm\(\).*empty"),
    (lambda x: x.norm(-1, dim=0), RuntimeError, r"norm\(\).*empty"),
])
def test_max_over_empty_raises(device, call, exc, match):
    with pytest.raises(exc, match=match):
        call(t(np.zeros((0, 3)), device))


# ---------------------------------------------------------------- dims, aliases, dtypes
def test_axis_and_keepdims_aliases(device):
    a = np.arange(24.0).reshape(2, 3, 4) / 7
    x = t(a, device)
    for name in ("sum", "mean", "var", "std", "prod", "amax", "amin", "argmax", "argmin", "logsumexp",
                 "norm", "all", "any"):
        axis = 1 if name in ("prod", "argmax", "argmin") else (0, 2)
        got = getattr(ag, name)(x, axis=axis, keepdims=True)
        expected = getattr(ag, name)(x, dim=axis, keepdim=True)
        assert got.shape == expected.shape and np.array_equal(got.cpu().numpy(), expected.cpu().numpy()), name
    assert ag.max(x, axis=2, keepdims=True).values.shape == (2, 3, 1)
    assert ag.cumsum(x, axis=1).shape == (2, 3, 4)
    with pytest.raises(TypeError, match="unexpected keyword argument 'axes'"):
        x.sum(axes=0)


def test_empty_dim_tuple_reduces_everything_like_torch(device):
    x = t(np.arange(6.0).reshape(2, 3), device)
    assert x.sum(dim=()).item() == 15.0 and x.amax(dim=()).item() == 5.0
    assert x.mean(dim=(), keepdim=True).shape == (1, 1)


def test_dim_errors(device):
    x = t(np.ones((2, 3)), device)
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.sum(2)
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.max(-3)
    with pytest.raises(RuntimeError, match="appears multiple times"):
        x.sum((1, -1))
    with pytest.raises(TypeError, match="dim must be an int"):
        x.cumsum(1.5)


def test_result_dtypes_follow_torch(device):
    ints = ag.tensor([[1, 2], [3, 4]], device=device)
    bools = ag.tensor([True, False, True], device=device)
    assert ints.sum().dtype == ag.int64 and bools.sum().item() == 2
    assert ints.prod().item() == 24 and ints.prod().dtype == ag.int64
    assert ints.cumsum(0).dtype == ag.int64 and bools.cumsum(0).tolist() == [1, 1, 2]
    assert ints.max().dtype == ints.dtype and ints.amax(0).tolist() == [3, 4]
    assert ints.all().dtype == ag.bool and ints.any(1).tolist() == [True, True]
    assert ints.logsumexp(1).dtype == ag.float32
    assert ints.mean(dtype=ag.float64).item() == 2.5
    assert ints.sum(dtype=ag.float32).dtype == ag.float32
    assert t([1.0, 2.0], device, dtype=ag.float32).var().dtype == ag.float32


@pytest.mark.parametrize("call, exc, match", [
    (lambda x: x.mean(), RuntimeError, r"mean\(\): could not infer output dtype"),
    (lambda x: x.var(), RuntimeError, r"var\(\).*floating point"),
    (lambda x: x.std(), RuntimeError, r"std\(\).*floating point"),
    (lambda x: x.norm(), RuntimeError, r"norm\(\).*floating point"),
    (lambda x: x.softmax(0), NotImplementedError, r"softmax\(\).*int64"),
])
def test_integer_inputs_raise_like_torch(device, call, exc, match):
    with pytest.raises(exc, match=match):
        call(ag.tensor([1, 2, 3], device=device))


def test_norm_nuclear_of_a_matrix(device):
    np.testing.assert_allclose(t(np.diag([3.0, -4.0]), device).norm("nuc").item(), 7.0, rtol=1e-12)


def test_reductions_on_0d(device):
    x = t(2.5, device, grad=True)
    for y in (x.sum(0), x.mean(-1), x.amax(0), x.logsumexp(0), x.norm(dim=0), x.cumsum(0),
              x.softmax(0), x.prod(0)):
        assert y.shape == ()
    assert x.softmax(0).item() == 1.0 and x.log_softmax(-1).item() == 0.0
    x.cumsum(0).backward()
    assert x.grad.item() == 1.0


def test_cumsum_backward_is_reversed_cumsum(device):
    x = t([1.0, 2.0, 3.0], device, grad=True)
    x.cumsum(0).backward(t([1.0, 10.0, 100.0], device))
    assert x.grad.tolist() == [111.0, 110.0, 100.0]


# ---------------------------------------------------------------- matmul family
@pytest.mark.parametrize("sa, sb, expected", [
    ((3,), (3,), ()), ((2, 3), (3,), (2,)), ((3,), (3, 4), (4,)), ((2, 3), (3, 4), (2, 4)),
    ((5, 2, 3), (3, 4), (5, 2, 4)), ((3,), (5, 3, 4), (5, 4)), ((5, 2, 3), (3,), (5, 2)),
    ((2, 1, 2, 3), (5, 3, 4), (2, 5, 2, 4)), ((0, 3), (3, 2), (0, 2)), ((2, 0), (0, 3), (2, 3)),
])
def test_matmul_shapes_and_gradients_match_torch(device, sa, sb, expected):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    x, y = t(a, device, grad=True), t(b, device, grad=True)
    out = x @ y
    assert out.shape == expected
    tx, ty = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    tout = tx @ ty
    v = rng.standard_normal(expected)
    out.backward(t(v, device))
    tout.backward(torch.tensor(v))
    assert_close(out.detach().cpu().numpy(), tout.detach().numpy(), rtol=1e-12)
    assert_close(x.grad.cpu().numpy(), tx.grad.numpy(), rtol=1e-12)
    assert_close(y.grad.cpu().numpy(), ty.grad.numpy(), rtol=1e-12)


def test_matmul_double_backward(device):
    rng = np.random.default_rng(2)
    a, b = t(rng.standard_normal((2, 1, 2, 3)), device, True), t(rng.standard_normal((4, 3, 2)), device, True)
    assert gradgradcheck(lambda p, q: p @ q, (a, b))
    assert gradcheck(lambda p, q: ag.matmul(p.mT, q.mT.mT), (t(rng.standard_normal((3, 2)), device, True),
                                                             t(rng.standard_normal((3, 4)), device, True)))


def test_matmul_hot_path_is_one_matmul_call(monkeypatch):
    calls = []
    dev = ag.device("cpu")
    real = dev.xp

    class Counting:
        def __getattr__(self, name):
            if name == "matmul":
                return lambda *a, **k: calls.append(1) or real.matmul(*a, **k)
            return getattr(real, name)

    rng = np.random.default_rng(0)
    a = ag.tensor(rng.standard_normal((8, 5)), requires_grad=True)
    b = ag.tensor(rng.standard_normal((5, 3)), requires_grad=True)
    monkeypatch.setattr(dev, "xp", Counting())
    out = a @ b
    assert len(calls) == 1
    out.sum().backward()
    assert len(calls) == 3  # one GEMM per input gradient


@pytest.mark.parametrize("call, match", [
    (lambda d: t(np.ones((2, 3)), d) @ t(np.ones((4, 5)), d),
     r"matmul: shapes \(2, 3\) and \(4, 5\) cannot be multiplied \(3 != 4\)"),
    (lambda d: t(np.ones(3), d) @ t(np.ones(4), d), r"matmul: shapes \(3,\) and \(4,\)"),
    (lambda d: t(np.ones((2, 2, 3)), d) @ t(np.ones((3, 3, 4)), d), r"matmul: .*batch dimensions"),
    (lambda d: t(2.0, d) @ t(np.ones(3), d), r"matmul: both arguments need to be at least 1-D"),
    (lambda d: t(np.ones((2, 3)), d) @ t(np.ones((3, 2)), d, dtype=ag.float32), r"matmul: .*same dtype"),
    (lambda d: ag.mm(t(np.ones((2, 2, 3)), d), t(np.ones((3, 2)), d)), r"mm: expected 2-D tensors"),
    (lambda d: ag.mm(t(np.ones((2, 3)), d), t(np.ones((2, 3)), d)), r"mm: shapes .*\(3 != 2\)"),
    (lambda d: ag.bmm(t(np.ones((2, 3)), d), t(np.ones((3, 2)), d)), r"bmm: expected 3-D tensors"),
    (lambda d: ag.bmm(t(np.ones((2, 2, 3)), d), t(np.ones((3, 3, 2)), d)), r"bmm: .*batch sizes 2 != 3"),
    (lambda d: ag.dot(t(np.ones((2, 3)), d), t(np.ones(3), d)), r"dot: 1D tensors expected"),
    (lambda d: ag.dot(t(np.ones(2), d), t(np.ones(3), d)), r"dot: inconsistent tensor size"),
    (lambda d: ag.outer(t(np.ones((2, 3)), d), t(np.ones(3), d)), r"outer: expected 1-D"),
    (lambda d: ag.einsum("ij,jk->ik", t(np.ones((2, 3)), d), t(np.ones((4, 5)), d)), r"einsum.*'j'"),
    (lambda d: ag.einsum("ij->ik", t(np.ones((2, 3)), d)), None),
    (lambda d: ag.einsum("ij,jk", t(np.ones((2, 3)), d)), None),
    (lambda d: ag.einsum("ijk", t(np.ones((2, 3)), d)), r"einsum.*'ijk'.*\(2, 3\)"),
    (lambda d: ag.einsum("i1", t(np.ones((2, 3)), d)), None),
    (lambda d: ag.einsum("ii", t(np.ones((2, 3)), d)), r"einsum.*repeated"),
])
def test_linalg_errors_name_the_op_and_shapes(device, call, match):
    with pytest.raises(RuntimeError) as info:
        call(device)
    if match is not None:
        assert info.match(match)
    assert any(n in str(info.value) for n in ("matmul", "mm", "bmm", "dot", "outer", "einsum"))


def test_einsum_forms_match_torch(device):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((2, 3, 3)), rng.standard_normal((2, 3, 4))
    for eq, ops in [("bii->bi", [a]), ("bij,bjk->bik", [a, b]), ("...ij,...jk", [a, b]),
                    ("bij->", [a]), ("b i j , b j k -> b k", [a, b]), ("iij->j", [a.transpose(1, 2, 0)])]:
        xs = [t(o, device, grad=True) for o in ops]
        txs = [torch.tensor(o, requires_grad=True) for o in ops]
        got, expected = ag.einsum(eq, *xs), torch.einsum(eq, *txs)
        assert_close(got.detach().cpu().numpy(), expected.detach().numpy(), rtol=1e-12, msg=eq)
        got.sum().backward()
        expected.sum().backward()
        for x, tx in zip(xs, txs):
            assert_close(x.grad.cpu().numpy(), tx.grad.numpy(), rtol=1e-12, msg=eq)
    assert ag.einsum("ij,jk->ik", [t(a[0], device), t(b[0], device)]).shape == (3, 4)  # a list of operands


def test_einsum_diagonal_double_backward(device):
    x = t(np.random.default_rng(4).standard_normal((3, 3)), device, grad=True)
    assert gradgradcheck(lambda z: ag.einsum("ii,ij->j", z, z), (x,))
