"""Sampling and creation (multinomial, bernoulli, normal, randint_like, logspace, tril/triu_indices),
the in-place ``*_`` methods, and the Tensor methods of ``autograd/tensor_api.py`` that are not ops
of the table (new_*, __format__, unfold, stride, in-place samplers)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag


# ---------------------------------------------------------------- sampling
def test_multinomial_with_replacement_frequencies(device):
    ag.manual_seed(0)
    p = ag.tensor([0.1, 0.0, 0.6, 0.3], device=device)
    draws = ag.multinomial(p, 20000, replacement=True)
    assert draws.shape == (20000,) and draws.dtype == ag.int64 and draws.device == ag.device(device)
    freq = np.bincount(draws.cpu().numpy(), minlength=4) / 20000
    assert freq[1] == 0  # zero weight: never drawn
    np.testing.assert_allclose(freq, [0.1, 0.0, 0.6, 0.3], atol=0.02)


def test_multinomial_without_replacement(device):
    ag.manual_seed(1)
    w = ag.tensor([[1.0, 0.0, 2.0, 3.0], [5.0, 1.0, 1.0, 1.0]], device=device)
    out = w.multinomial(3)
    assert out.shape == (2, 3)
    rows = out.cpu().numpy()
    assert all(len(set(r)) == 3 for r in rows)  # distinct within a row
    assert 1 not in rows[0]  # zero weight never drawn
    # first draw of row 1 follows the weights: P(0) = 5/8
    ag.manual_seed(2)
    first = ag.multinomial(w[1:].expand(4000, 4), 1).cpu().numpy()[:, 0]
    assert abs((first == 0).mean() - 5 / 8) < 0.03


def test_multinomial_generator_reproducible():
    p = ag.tensor([0.2, 0.3, 0.5])
    ag.manual_seed(7)
    a = ag.multinomial(p, 10, replacement=True)
    ag.manual_seed(7)
    b = ag.multinomial(p, 10, replacement=True)
    assert a.tolist() == b.tolist()


def test_multinomial_errors_as_torch():
    torch = pytest.importorskip("torch")
    for bad, kw in (
        ([0.5, -0.1], {}),
        ([0.0, 0.0], {}),
        ([1.0, 1.0], {"num_samples": 3}),
    ):
        n = kw.get("num_samples", 1)
        with pytest.raises(RuntimeError):
            torch.multinomial(torch.tensor(bad), n)
        with pytest.raises(RuntimeError):
            ag.multinomial(ag.tensor(bad), n)
    with pytest.raises(RuntimeError, match="1 or 2 dim"):
        ag.multinomial(ag.ones(2, 2, 2), 1)


def test_bernoulli_and_inplace_samplers(device):
    ag.manual_seed(3)
    p = ag.full((4000,), 0.25, device=device)
    b = ag.bernoulli(p)
    assert b.dtype == p.dtype and set(np.unique(b.cpu().numpy())) <= {0.0, 1.0}
    assert abs(b.cpu().numpy().mean() - 0.25) < 0.03
    t = ag.zeros(4000, device=device).bernoulli_(0.75)
    assert abs(t.cpu().numpy().mean() - 0.75) < 0.03
    e = ag.zeros(4000, device=device).exponential_(2.0)
    assert abs(e.cpu().numpy().mean() - 0.5) < 0.05 and (e.cpu().numpy() >= 0).all()
    r = ag.zeros(1000, dtype=ag.int64, device=device).random_(3, 6)
    assert set(np.unique(r.cpu().numpy())) == {3, 4, 5}
    with pytest.raises(RuntimeError, match=r"\[0, 1\]"):
        ag.bernoulli(ag.tensor([1.5]))


def test_normal_forms_and_gradient():
    ag.manual_seed(4)
    x = ag.normal(2.0, 3.0, size=(20000,))
    assert abs(x.numpy().mean() - 2.0) < 0.1 and abs(x.numpy().std() - 3.0) < 0.1
    mean = ag.zeros(3, requires_grad=True)
    std = ag.ones(3, requires_grad=True)
    y = ag.normal(mean, std)
    y.sum().backward()
    assert mean.grad.tolist() == [1.0, 1.0, 1.0]
    np.testing.assert_allclose(std.grad.numpy(), y.detach().numpy())  # d(mean + std*eps)/dstd = eps
    assert ag.normal(ag.zeros(2, 3), 1.0).shape == (2, 3)
    with pytest.raises(TypeError, match="size"):
        ag.normal(0.0, 1.0)


def test_randint_like_logspace_tri_indices():
    torch = pytest.importorskip("torch")
    t = ag.zeros(3, 4, dtype=ag.int32)
    r = ag.randint_like(t, 5, 9)
    assert r.shape == (3, 4) and r.dtype == ag.int32 and r.numpy().min() >= 5 and r.numpy().max() < 9
    np.testing.assert_allclose(ag.logspace(0, 3, 4).numpy(), torch.logspace(0, 3, 4).numpy(), rtol=1e-6)
    np.testing.assert_allclose(ag.logspace(1, 2, 3, base=2).numpy(), torch.logspace(1, 2, 3, base=2).numpy())
    for args in ((3, 3), (4, 3, 1), (3, 5, -1)):
        assert ag.tril_indices(*args).tolist() == torch.tril_indices(*args).tolist()
        assert ag.triu_indices(*args).tolist() == torch.triu_indices(*args).tolist()


# ---------------------------------------------------------------- in-place methods
INPLACE_UNARY = [
    "exp_",
    "log_",
    "sigmoid_",
    "tanh_",
    "relu_",
    "neg_",
    "abs_",
    "sqrt_",
    "floor_",
    "ceil_",
    "trunc_",
    "sign_",
    "log2_",
    "log10_",
    "log1p_",
    "expm1_",
    "square_",
    "reciprocal_",
    "erf_",
]


@pytest.mark.parametrize("name", INPLACE_UNARY)
def test_inplace_unary_matches_out_of_place_and_torch(name):
    a = np.array([0.3, 1.7, 2.2, 0.9])
    t = ag.tensor(a)
    out = getattr(t, name)()
    assert out is t
    expected = getattr(ag.tensor(a), name[:-1])().numpy()
    np.testing.assert_allclose(t.numpy(), expected)
    torch = pytest.importorskip("torch")
    tt = torch.tensor(a)
    getattr(tt, name)()
    np.testing.assert_allclose(t.numpy(), tt.numpy(), rtol=1e-12)


def test_inplace_recorded_gradient_flows():
    x = ag.tensor([0.5, 1.0, 2.0], requires_grad=True)
    y = x * 1.0
    y.exp_()
    (y * 2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp([0.5, 1.0, 2.0]))
    x2 = ag.tensor([-1.0, 2.0], requires_grad=True)
    z = x2 * 3
    z.relu_()
    z.sum().backward()
    assert x2.grad.tolist() == [0.0, 3.0]


def test_inplace_after_an_op_that_saved_its_output_raises_as_torch():
    torch = pytest.importorskip("torch")
    for lib in (ag, torch):
        x = lib.tensor([0.5, 1.0], requires_grad=True)
        y = x * 1.0
        y.exp_().mul_(2)  # exp_ saved its output, mul_ changed it
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()


def test_inplace_on_leaf_requiring_grad_raises():
    x = ag.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        x.sigmoid_()


def test_inplace_index_and_scatter_methods_against_torch():
    torch = pytest.importorskip("torch")
    base = np.arange(12.0).reshape(3, 4)
    idx = [2, 0]
    src = np.full((3, 2), 10.0)
    for name, args, targs in (
        ("index_fill_", (1, ag.tensor(idx), -1.0), (1, torch.tensor(idx), -1.0)),
        ("index_add_", (1, ag.tensor(idx), ag.tensor(src)), (1, torch.tensor(idx), torch.tensor(src))),
        ("index_copy_", (1, ag.tensor(idx), ag.tensor(src)), (1, torch.tensor(idx), torch.tensor(src))),
        ("scatter_", (1, ag.tensor([[1], [0], [3]]), 5.0), (1, torch.tensor([[1], [0], [3]]), 5.0)),
        (
            "scatter_add_",
            (0, ag.tensor([[0, 1, 2, 0]]), ag.ones(1, 4, dtype=ag.float64)),
            (0, torch.tensor([[0, 1, 2, 0]]), torch.ones(1, 4, dtype=torch.float64)),
        ),
        ("masked_fill_", (ag.tensor(base > 5), 0.5), (torch.tensor(base > 5), 0.5)),
        ("addcmul_", (ag.tensor(base), ag.tensor(base)), (torch.tensor(base), torch.tensor(base))),
        ("addcdiv_", (ag.tensor(base), ag.tensor(base + 1)), (torch.tensor(base), torch.tensor(base + 1))),
        ("clamp_min_", (3.0,), (3.0,)),
        ("clamp_max_", (3.0,), (3.0,)),
        ("pow_", (2,), (2,)),
        ("fmod_", (-2.5,), (-2.5,)),
        ("remainder_", (2.5,), (2.5,)),
        ("tril_", (1,), (1,)),
        ("triu_", (-1,), (-1,)),
        ("fill_diagonal_", (7.0,), (7.0,)),
        ("lerp_", (ag.zeros(3, 4, dtype=ag.float64), 0.25), (torch.zeros(3, 4, dtype=torch.float64), 0.25)),
    ):
        t, tt = ag.tensor(base), torch.tensor(base)
        assert getattr(t, name)(*args) is t
        getattr(tt, name)(*targs)
        np.testing.assert_allclose(t.numpy(), tt.numpy(), err_msg=name)
    t, tt = ag.tensor(base), torch.tensor(base)
    t.round_(decimals=-1)
    tt.round_(decimals=-1)
    np.testing.assert_allclose(t.numpy(), tt.numpy())


def test_fill_diagonal_wrap_and_cube():
    torch = pytest.importorskip("torch")
    t, tt = ag.zeros(7, 3), torch.zeros(7, 3)
    t.fill_diagonal_(1.0, wrap=True)
    tt.fill_diagonal_(1.0, wrap=True)
    assert t.tolist() == tt.tolist()
    c, tc = ag.zeros(3, 3, 3), torch.zeros(3, 3, 3)
    c.fill_diagonal_(2.0)
    tc.fill_diagonal_(2.0)
    assert c.tolist() == tc.tolist()


def test_copy_broadcasts_and_casts():
    t = ag.zeros(2, 3)
    t.copy_(ag.tensor([1, 2, 3]))
    assert t.tolist() == [[1.0, 2.0, 3.0]] * 2 and t.dtype == ag.float32


# ---------------------------------------------------------------- Tensor methods
def test_new_constructors_follow_dtype_and_device(device):
    t = ag.ones(2, dtype=ag.float64, device=device)
    for made, shape in (
        (t.new_zeros(2, 3), (2, 3)),
        (t.new_ones((4,)), (4,)),
        (t.new_empty(1, 2), (1, 2)),
        (t.new_full((2,), 3.5), (2,)),
        (t.new_tensor([1, 2, 3]), (3,)),
    ):
        assert made.shape == shape and made.dtype == ag.float64 and made.device == t.device
    assert t.new_full((2,), 3.5).tolist() == [3.5, 3.5]
    assert t.new_tensor([1, 2], dtype=ag.int64).dtype == ag.int64
    assert not t.new_tensor([1.0], requires_grad=False).requires_grad
    assert t.new_zeros(2, requires_grad=True).requires_grad


def test_format_and_small_methods():
    assert f"{ag.tensor(3.14159):.2f}" == "3.14"
    assert "{:>6.1f}".format(ag.tensor(2.25, dtype=ag.float64)) == "   2.2"
    assert format(ag.ones(2)) == repr(ag.ones(2))
    with pytest.raises(TypeError, match="0-d tensor"):
        f"{ag.ones(2):.2f}"
    t = ag.zeros(2, 3)
    assert t.nelement() == 6 and t.ndimension() == 2 and t.element_size() == 4
    assert t.stride() == (3, 1) and t.T.stride() == (1, 3) and t.stride(0) == 3
    assert t.is_contiguous() and not t.T.is_contiguous() and t.is_floating_point()
    assert t.get_device() == -1 and t.byte().dtype == ag.uint8 and t.short().dtype == ag.int16
    assert t.clone(memory_format=ag.preserve_format).shape == (2, 3)
    assert t.contiguous(memory_format=ag.contiguous_format) is t


def test_unfold_against_torch():
    torch = pytest.importorskip("torch")
    a = np.arange(24.0).reshape(2, 3, 4)
    for dim, size, step in ((2, 2, 1), (1, 2, 1), (0, 1, 1), (2, 3, 2), (-1, 4, 4)):
        x = ag.tensor(a, requires_grad=True)
        tx = torch.tensor(a, requires_grad=True)
        out, tout = x.unfold(dim, size, step), tx.unfold(dim, size, step)
        np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy())
        g = np.random.default_rng(0).standard_normal(tout.shape)
        out.backward(ag.tensor(g))
        tout.backward(torch.tensor(g))
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())


def test_sort_stable_descending_and_nan_as_torch():
    torch = pytest.importorskip("torch")
    a = np.array([2.0, 1.0, 2.0, np.nan, 1.0, 3.0])
    for desc in (False, True):
        v, i = ag.sort(ag.tensor(a), descending=desc, stable=True)
        tv, ti = torch.sort(torch.tensor(a), descending=desc, stable=True)
        np.testing.assert_array_equal(v.numpy(), tv.numpy())
        assert i.tolist() == ti.tolist()
    assert ag.median(ag.tensor(a)).item() != ag.median(ag.tensor(a)).item()  # NaN propagates
    assert ag.nanmedian(ag.tensor(a)).item() == torch.nanmedian(torch.tensor(a)).item()


def test_unique_dim_and_consecutive_as_torch():
    torch = pytest.importorskip("torch")
    a = np.array([[1, 2], [1, 2], [0, 5]])
    out = ag.unique(ag.tensor(a), dim=0, return_inverse=True, return_counts=True)
    tout = torch.unique(torch.tensor(a), dim=0, return_inverse=True, return_counts=True)
    for o, t in zip(out, tout):
        assert o.tolist() == t.tolist()
    b = [1, 1, 2, 2, 3, 1, 1]
    out = ag.unique_consecutive(ag.tensor(b), return_inverse=True, return_counts=True)
    tout = torch.unique_consecutive(torch.tensor(b), return_inverse=True, return_counts=True)
    for o, t in zip(out, tout):
        assert o.tolist() == t.tolist()


def test_searchsorted_batched_and_bucketize_as_torch():
    torch = pytest.importorskip("torch")
    seq = np.array([[1.0, 3.0, 5.0], [0.0, 2.0, 4.0]])
    vals = np.array([[0.0, 3.0, 6.0], [2.0, 2.5, -1.0]])
    for right in (False, True):
        assert (
            ag.searchsorted(ag.tensor(seq), ag.tensor(vals), right=right).tolist()
            == torch.searchsorted(torch.tensor(seq), torch.tensor(vals), right=right).tolist()
        )
        assert (
            ag.bucketize(ag.tensor(vals), ag.tensor(seq[0]), right=right).tolist()
            == torch.bucketize(torch.tensor(vals), torch.tensor(seq[0]), right=right).tolist()
        )
    assert ag.searchsorted(ag.tensor(seq[0]), 3.0).tolist() == 1


def test_error_paths():
    with pytest.raises(RuntimeError, match="out of range"):
        ag.topk(ag.ones(3), 4)
    with pytest.raises(IndexError, match="out of range"):
        ag.kthvalue(ag.ones(3), 0)
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        ag.tril(ag.ones(3))
    with pytest.raises(RuntimeError, match="exceeds dimension size"):
        ag.narrow(ag.ones(3), 0, 2, 2)
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        ag.cross(ag.ones(3), ag.ones(1, 3))
    with pytest.raises(RuntimeError, match="indexing must be"):
        ag.meshgrid(ag.ones(2), indexing="yx")
    with pytest.raises(RuntimeError, match="contracted dimensions"):
        ag.tensordot(ag.ones(2, 3), ag.ones(2, 3), 1)
    with pytest.raises(IndexError, match="index out of range"):
        ag.take(ag.ones(3), ag.tensor([3]))


def test_cumprod_gradient_with_zeros_matches_torch():
    torch = pytest.importorskip("torch")
    a = np.array([[2.0, 0.0, 3.0, 0.0, 1.5], [1.0, -2.0, 0.5, 4.0, 0.0]])
    x, tx = ag.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    g = np.random.default_rng(1).standard_normal(a.shape)
    ag.cumprod(x, 1).backward(ag.tensor(g))
    torch.cumprod(tx, 1).backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_amp_pass_throughs(monkeypatch):
    import optim

    w = ag.ones(2, requires_grad=True)
    opt = optim.SGD([w], lr=0.5)
    monkeypatch.setattr(ag.cuda, "is_available", lambda: False)
    with pytest.warns(UserWarning, match="CUDA is not available"):  # disabled, as PyTorch's
        scaler = ag.cuda.amp.GradScaler()
    with ag.autocast(device_type="cpu", dtype=ag.float16):
        loss = (w * w).sum()
    assert loss.dtype == ag.float32
    scaler.scale(loss).backward()
    scaler.unscale_(opt)
    scaler.step(opt)
    scaler.update()
    assert w.tolist() == [0.0, 0.0] and scaler.get_scale() == 1.0
