"""Targeted tests of the shape and indexing ops beyond the op table: ``__setitem__``
semantics, repeated indices, error messages, views and version counters."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag


def _np(t):
    return t.detach().cpu().numpy()


def _torch():
    return pytest.importorskip("torch")


# ---------------------------------------------------------------- setitem
def test_setitem_unrecorded_writes_in_place_and_bumps_version(device):
    x = ag.zeros(2, 3, device=device)
    view = x[0]
    v0 = x._version_value
    data = x._data
    x[0, 1:] = 5.0
    x[:, 0] = ag.tensor([1.0, 2.0], device=device)
    assert x._data is data  # written into the same array
    assert x._version_value == v0 + 2
    np.testing.assert_array_equal(_np(x), [[1, 5, 5], [2, 0, 0]])
    np.testing.assert_array_equal(_np(view), [1, 5, 5])  # a basic index is a view of x


def test_setitem_mask_and_int_tensor_casts_value(device):
    x = ag.arange(6, device=device).reshape(2, 3)
    x[x > 3] = 2.7  # float value into an int64 tensor: cast, as PyTorch
    assert x.dtype == ag.int64
    np.testing.assert_array_equal(_np(x), [[0, 1, 2], [3, 2, 2]])


def test_setitem_recorded_gradients_match_torch(device):
    torch = _torch()
    xa = np.arange(12.0).reshape(3, 4) / 7
    va = np.array([[1.5], [-2.0]])
    x = ag.tensor(xa, requires_grad=True, device=device)
    v = ag.tensor(va, requires_grad=True, device=device)
    y = x * 2
    y[[0, 2], 1:3] = v  # advanced + slice, value broadcast over the slice
    assert y.grad_fn is not None and not y.is_leaf
    (y * y).sum().backward()
    tx = torch.tensor(xa, requires_grad=True)
    tv = torch.tensor(va, requires_grad=True)
    ty = tx * 2
    ty[[0, 2], 1:3] = tv
    (ty * ty).sum().backward()
    np.testing.assert_allclose(_np(y), ty.detach().numpy())
    np.testing.assert_allclose(_np(x.grad), tx.grad.numpy())
    np.testing.assert_allclose(_np(v.grad), tv.grad.numpy())


def test_setitem_value_requiring_grad_into_plain_tensor(device):
    x = ag.zeros(4, device=device)
    v = ag.tensor(3.0, requires_grad=True, device=device)
    x[1:3] = v  # x did not require grad: it joins the graph, as in PyTorch
    assert x.requires_grad and x.grad_fn is not None
    (x * ag.tensor([1.0, 2.0, 3.0, 4.0], device=device)).sum().backward()
    assert v.grad.item() == pytest.approx(5.0)


def test_setitem_repeated_indices_match_torch(device):
    torch = _torch()
    x = ag.zeros(3, requires_grad=True, device=device)
    v = ag.tensor([1.0, 2.0], requires_grad=True, device=device)
    y = x * 1
    y[ag.tensor([0, 0], device=device)] = v
    assert _np(y)[0] in (1.0, 2.0)
    y.sum().backward()
    tx, tv = torch.zeros(3, requires_grad=True), torch.tensor([1.0, 2.0], requires_grad=True)
    ty = tx * 1
    ty[torch.tensor([0, 0])] = tv
    ty.sum().backward()
    np.testing.assert_array_equal(_np(x.grad), tx.grad.numpy())
    np.testing.assert_array_equal(_np(v.grad), tv.grad.numpy())


def test_setitem_on_leaf_requiring_grad_raises_but_works_under_no_grad(device):
    w = ag.zeros(3, requires_grad=True, device=device)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w[0] = 1.0
    with ag.no_grad():
        w[0] = 1.0
    np.testing.assert_array_equal(_np(w), [1, 0, 0])
    assert w.is_leaf and w.requires_grad


def test_setitem_after_save_makes_backward_raise(device):
    x = ag.ones(3, requires_grad=True, device=device)
    y = x * 2
    z = (y * y).sum()  # saves y
    y[0] = 0.0
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward()


def test_setitem_shape_mismatch(device):
    x = ag.zeros(2, 3, device=device)
    with pytest.raises(RuntimeError, match=r"shape mismatch.*\[2\]"):
        x[0] = ag.ones(2, device=device)


def test_setitem_double_backward(device):
    x = ag.tensor([0.5, -1.0, 2.0], dtype=ag.float64, requires_grad=True, device=device)
    v = ag.tensor([0.3, 0.7], dtype=ag.float64, requires_grad=True, device=device)

    def f(x, v):
        y = x * x
        y[[2, 0]] = v * v
        return y * x

    assert ag.gradcheck(f, (x, v))
    assert ag.gradgradcheck(f, (x, v))


# ---------------------------------------------------------------- repeated indices accumulate
def test_getitem_repeated_indices_accumulate(device):
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True, device=device)
    x[ag.tensor([0, 0, 2, 0], device=device)].sum().backward()
    np.testing.assert_array_equal(_np(x.grad), [3, 0, 1])
    x.grad = None
    x[[1, 1]].sum().backward()  # a list index
    np.testing.assert_array_equal(_np(x.grad), [0, 2, 0])


def test_gather_index_select_take_along_dim_accumulate(device):
    x = ag.arange(6.0, device=device).reshape(2, 3).requires_grad_()
    idx = ag.tensor([[0, 0, 0], [2, 2, 1]], device=device)
    (x.gather(1, idx).sum() + x.index_select(1, ag.tensor([1, 1], device=device)).sum()
     + ag.take_along_dim(x, ag.tensor([5, 5], device=device)).sum()).backward()
    np.testing.assert_array_equal(_np(x.grad), [[3, 2, 0], [0, 3, 4]])


def test_scatter_add_repeated_indices_and_gradients(device):
    x = ag.zeros(2, 3, requires_grad=True, device=device)
    src = ag.tensor([[1.0, 2.0, 3.0]], requires_grad=True, device=device)
    idx = ag.tensor([[1, 1, 1]], device=device)
    out = x.scatter_add(1, idx, src)  # scatter(reduce="add") has no derivative, as PyTorch's
    np.testing.assert_array_equal(_np(out), [[0, 6, 0], [0, 0, 0]])
    (out * ag.arange(6.0, device=device).reshape(2, 3)).sum().backward()
    np.testing.assert_array_equal(_np(x.grad), np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(_np(src.grad), [[1, 1, 1]])


def test_repeated_index_double_backward(device):
    x = ag.tensor([0.5, -1.0, 2.0], dtype=ag.float64, requires_grad=True, device=device)
    idx = ag.tensor([2, 0, 2, 2], device=device)
    assert ag.gradgradcheck(lambda x: x[idx] ** 3, (x,))
    assert ag.gradgradcheck(lambda x: x[1:] ** 3, (x,))


# ---------------------------------------------------------------- getitem semantics
def test_getitem_follows_torch_placement(device):
    torch = _torch()
    a = np.arange(60.0).reshape(3, 4, 5)
    x, t = ag.tensor(a, device=device), torch.tensor(a)
    for ix in [(0, slice(None), [1, 2]), (None, [1, 2], None, 0), ([1, 2], 0, [1, 2]),
               (True, [1], 0), (False, 1), (Ellipsis, [0, 3], 1), ([[0], [2]], slice(1, None, 2), [1, 2])]:
        np.testing.assert_array_equal(_np(x[ix]), t[ix].numpy(), err_msg=str(ix))
    np.testing.assert_array_equal(_np(x[ag.tensor(1, device=device), :, [0, 4]]),
                                  t[torch.tensor(1), :, [0, 4]].numpy())


def test_getitem_numpy_index_on_any_device(device):
    x = ag.arange(10.0, device=device)
    np.testing.assert_array_equal(_np(x[np.array([3, -1])]), [3, 9])
    np.testing.assert_array_equal(_np(x[np.arange(10) % 3 == 0]), [0, 3, 6, 9])
    np.testing.assert_array_equal(_np(x[[]]), np.zeros(0))


# ---------------------------------------------------------------- errors
@pytest.mark.parametrize("index, exc, pattern", [
    (5, IndexError, r"index 5 is out of bounds for dimension 0 with size 3"),
    (-4, IndexError, r"index -4 is out of bounds for dimension 0 with size 3"),
    ((slice(None), [0, 7]), IndexError, r"index 7 is out of bounds for dimension 1 with size 4"),
    ((0, 0, 0), IndexError, r"too many indices for tensor of dimension 2"),
    (slice(None, None, -1), ValueError, r"step must be greater than zero"),
    ((Ellipsis, Ellipsis), IndexError, r"single ellipsis"),
    ("a", IndexError, r"got str"),
])
def test_getitem_errors(device, index, exc, pattern):
    x = ag.zeros(3, 4, device=device)
    with pytest.raises(exc, match=pattern):
        x[index]


def test_getitem_bad_index_tensors(device):
    x = ag.zeros(3, 4, device=device)
    with pytest.raises(IndexError, match="float32"):
        x[ag.tensor([1.0], device=device)]
    with pytest.raises(IndexError, match=r"mask \[2\] at index 0 does not match .*\[3, 4\]"):
        x[ag.tensor([True, False], device=device)]
    with pytest.raises(IndexError, match="out of bounds for dimension 0 with size 3"):
        x[ag.tensor([[0], [3]], device=device)]


def test_dimwise_indexing_errors(device):
    x = ag.zeros(3, 4, device=device)
    with pytest.raises(RuntimeError, match="float32"):
        x.gather(0, ag.tensor([[0.0]], device=device))
    with pytest.raises(RuntimeError, match="index 5 is out of bounds for dimension 0 with size 3"):
        x.gather(0, ag.tensor([[5]], device=device))
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        x.gather(0, ag.tensor([0], device=device))
    with pytest.raises(RuntimeError, match="no larger than self"):
        x.gather(1, ag.zeros(4, 1, dtype=ag.int64, device=device))
    with pytest.raises(IndexError, match="vector"):
        x.index_select(0, ag.tensor([[0]], device=device))
    with pytest.raises(IndexError, match="out of bounds"):
        x.index_select(1, ag.tensor([4], device=device))
    with pytest.raises(RuntimeError, match="boolean masks.*float32"):
        x.masked_fill(ag.ones(3, 4, device=device), 1.0)
    with pytest.raises(RuntimeError, match="0-dimensional value"):
        x.masked_fill(ag.ones(3, 4, dtype=ag.bool, device=device), ag.ones(2, device=device))
    with pytest.raises(RuntimeError, match="reduce argument must be either add or multiply"):
        x.scatter(0, ag.tensor([[0]], device=device), 1.0, reduce="max")  # PyTorch's error
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        ag.take_along_dim(x, ag.tensor([0], device=device), 1)


def test_shape_errors(device):
    x = ag.zeros(3, 4, device=device)
    cases = [
        (lambda: x.reshape(5, -1), RuntimeError, r"shape '\[5, -1\]' is invalid for input of size 12"),
        (lambda: x.reshape(-1, -1), RuntimeError, "only one dimension can be inferred"),
        (lambda: x.view(7), RuntimeError, "invalid for input of size 12"),
        (lambda: ag.zeros(0, 4).reshape(-1, 0), RuntimeError, "ambiguous"),
        (lambda: x.flatten(1, 0), RuntimeError, "start_dim .* cannot come after end_dim"),
        (lambda: x.unflatten(1, (3, 2)), RuntimeError, r"sizes \[3, 2\] don't multiply up to .* \(4\)"),
        (lambda: x.squeeze(2), IndexError, "Dimension out of range"),
        (lambda: x.unsqueeze(3), IndexError, "Dimension out of range"),
        (lambda: x.permute(0, 0), RuntimeError, "duplicate dims"),
        (lambda: x.permute(0), RuntimeError, "number of dims don't match"),
        (lambda: x.transpose(0, 2), IndexError, "Dimension out of range"),
        (lambda: x.expand(3, 5), RuntimeError, r"expanded size .* \[3, 5\] must match .* \[3, 4\]"),
        (lambda: x.expand(4), RuntimeError, "number of sizes provided"),
        (lambda: x.repeat(2), RuntimeError, "can not be smaller than number of dimensions"),
        (lambda: x.split([1, 1]), RuntimeError, r"sum exactly to 3 .* split_sizes=\[1, 1\]"),
        (lambda: x.chunk(0), RuntimeError, "greater than 0"),
        (lambda: x.flip(0, 0), RuntimeError, "multiple times"),
        (lambda: x.roll((1, 1), 0), RuntimeError, "shifts and dimensions must align"),
        (lambda: ag.cat([x, ag.zeros(3, 5, device=device)]), RuntimeError,
         r"Sizes of tensors must match except in dimension 0.*\[3, 4\], \[3, 5\]"),
        (lambda: ag.cat([ag.zeros((), device=device)]), RuntimeError, "zero-dimensional"),
        (lambda: ag.cat([]), ValueError, "non-empty"),
        (lambda: ag.cat(x), TypeError, "sequence of Tensors"),
        (lambda: ag.stack([x, ag.zeros(4, 3, device=device)]), RuntimeError,
         r"equal size, but got \[3, 4\] at entry 0 and \[4, 3\] at entry 1"),
    ]
    for fn, exc, pattern in cases:
        with pytest.raises(exc, match=pattern):
            fn()


# ---------------------------------------------------------------- views and version counters
VIEWS = {
    "reshape": lambda x: x.reshape(6),
    "view": lambda x: x.view(3, 2),
    "flatten": lambda x: x.flatten(),
    "transpose": lambda x: x.transpose(0, 1),
    "permute": lambda x: x.permute(1, 0),
    "T": lambda x: x.T,
    "expand": lambda x: x[:, :1].expand(2, 5),
    "squeeze": lambda x: x[None].squeeze(0),
    "unsqueeze": lambda x: x.unsqueeze(1),
    "getitem": lambda x: x[1, ::2],
    "split": lambda x: x.split(1)[1],
    "chunk": lambda x: x.chunk(3, dim=1)[2],
}


@pytest.mark.parametrize("name", sorted(VIEWS))
@pytest.mark.parametrize("recorded", [False, True])
def test_views_share_the_version_counter(device, name, recorded):
    x = ag.arange(6.0, device=device).reshape(2, 3)
    base = x * 1 if recorded else x
    if recorded:
        base = ag.arange(6.0, device=device).reshape(2, 3).requires_grad_() * 1
    v = VIEWS[name](base)
    before = v._version_value
    with ag.no_grad():
        base.add_(1)
    assert v._version_value == before + 1, f"{name}: the view did not see its base's in-place change"


def test_in_place_change_of_base_invalidates_saved_view(device):
    b = ag.ones(3, device=device)  # not recorded: the view is made without a graph node
    a = ag.ones(2, requires_grad=True, device=device)
    view = b[:2]
    out = (a * view).sum()  # Mul saves the view
    b[0] = 5.0
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.backward()


def test_advanced_index_is_a_copy(device):
    x = ag.zeros(4, device=device)
    basic, adv = x[1:3], x[[1, 2]]
    x[1] = 7.0
    assert basic[0].item() == 7.0
    assert adv[0].item() == 0.0


# ---------------------------------------------------------------- module functions, dtypes
def test_module_functions_exported():
    for name in ("cat", "stack", "split", "chunk", "gather", "scatter", "index_select",
                 "masked_fill", "take_along_dim"):
        assert callable(getattr(ag, name)), name


def test_cat_promotes_dtypes_like_torch(device):
    torch = _torch()
    pairs = [("int32", "float16"), ("int32", "bool"), ("int64", "float32"), ("float32", "float64")]
    for a, b in pairs:
        out = ag.cat([ag.zeros(2, dtype=a, device=device), ag.zeros(2, dtype=b, device=device)])
        ref = torch.cat([torch.zeros(2, dtype=getattr(torch, a)), torch.zeros(2, dtype=getattr(torch, b))])
        assert str(out.dtype) == str(ref.dtype).replace("torch.", ""), (a, b)


def test_cat_gradient_flows_to_each_input_and_skips_legacy_empty(device):
    a = ag.ones(2, 3, requires_grad=True, device=device)
    b = ag.ones(2, 1, requires_grad=True, device=device)
    out = ag.cat([a, ag.zeros(0, device=device), b], dim=-1)
    assert out.shape == (2, 4)
    (out * ag.arange(8.0, device=device).reshape(2, 4)).sum().backward()
    np.testing.assert_array_equal(_np(a.grad), [[0, 1, 2], [4, 5, 6]])
    np.testing.assert_array_equal(_np(b.grad), [[3], [7]])


def test_split_and_chunk_shapes_like_torch():
    torch = _torch()
    for n, k in [(5, 3), (6, 4), (0, 3), (1, 2)]:
        got = [t.shape for t in ag.chunk(ag.zeros(n), k)]
        assert got == [tuple(t.shape) for t in torch.chunk(torch.zeros(n), k)], (n, k)
        got = [t.shape for t in ag.split(ag.zeros(n), 2)]
        assert got == [tuple(t.shape) for t in torch.split(torch.zeros(n), 2)], (n, 2)


def test_split_gradient_with_unused_pieces(device):
    x = ag.arange(5.0, device=device).requires_grad_()
    a, b, c = x.split([2, 2, 1])
    (b * 3).sum().backward()
    np.testing.assert_array_equal(_np(x.grad), [0, 0, 3, 3, 0])


def test_masked_fill_keeps_dtype_and_broadcasts(device):
    x = ag.zeros(2, 3, dtype=ag.int64, device=device)
    out = x.masked_fill(ag.tensor(True, device=device), 2.7)
    assert out.dtype == ag.int64 and out.shape == (2, 3)
    np.testing.assert_array_equal(_np(out), np.full((2, 3), 2))
    y = ag.zeros(3, device=device).masked_fill(ag.tensor([[True], [False]], device=device), 1.0)
    np.testing.assert_array_equal(_np(y), [[1, 1, 1], [0, 0, 0]])


@pytest.mark.parametrize("name", ["index_add", "index_copy"])
def test_index_add_and_copy_refuse_a_source_of_another_slice_shape(name):
    # a (1, 3) source into (2, 4) rows was written into part of the row, silently (PyTorch raises)
    x = ag.zeros(2, 4)
    with pytest.raises(RuntimeError, match=rf"{name}\(\): source of shape \[1, 3\] does not match"):
        getattr(x, name)(0, ag.tensor([0]), ag.ones(1, 3))
    np.testing.assert_array_equal(getattr(x, name)(1, ag.tensor([2]), ag.ones(2, 1)).numpy(),
                                  [[0, 0, 1, 0], [0, 0, 1, 0]])


@pytest.mark.parametrize("create_graph", [False, True])
def test_setitem_value_with_extra_leading_ones_gets_its_gradient(create_graph):
    # the forward accepted a (1, 1, 4) value for rows of 4, but its backward raised
    # "shape '[1, 1, 4]' is invalid for input of size 8"; PyTorch's gradient is the sum
    x = ag.zeros(3, 4)
    v = ag.ones(1, 1, 4, requires_grad=True)
    x[[0, 2]] = v
    (g,) = ag.grad(x.sum(), v, create_graph=create_graph)
    np.testing.assert_array_equal(g.detach().numpy(), [[[2.0, 2.0, 2.0, 2.0]]])
