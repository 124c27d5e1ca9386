"""Regressions found by differential fuzzing of indexing / scatter / gather against PyTorch."""
import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("requires_grad", [False, True])
@pytest.mark.parametrize("vshape", [(1,), (1, 1)])
def test_setitem_scalar_element_takes_value_with_leading_ones(requires_grad, vshape):
    # x[1, 2] = tensor of shape (1,) (and a 0-d x[...] = it) works in PyTorch: leading 1s are dropped
    out = {}
    for lib in (torch, ag):
        v = lib.ones(*vshape, dtype=lib.float64, requires_grad=requires_grad)
        x = lib.zeros(3, 4, dtype=lib.float64, requires_grad=requires_grad) * 1
        x[1, 2] = v * 3
        x[0, ...] = v * 2
        z = lib.zeros((), dtype=lib.float64) * 1
        z[...] = v * 5
        z[()] = v * 7
        res = [x.detach().numpy(), z.detach().numpy()]
        if requires_grad:
            (x * lib.arange(12.0, dtype=lib.float64).reshape(3, 4)).sum().backward()
            res.append(v.grad.numpy())
        out[lib] = res
    for a, b in zip(out[torch], out[ag]):
        np.testing.assert_allclose(b, a)


def test_scatter_number_with_reduce_add_adds_it_per_index_entry():
    # x.scatter_(1, index, 2.5, reduce='add') raised AttributeError ('float' object has no attribute 'shape')
    for dtype, value in (("float32", 2.5), ("int64", 3)):
        for shape, idx in (((2, 4), [[0, 0, 3], [1, 1, 1]]), ((4,), [3, 0, 3])):
            t, x = torch.ones(shape, dtype=getattr(torch, dtype)), ag.ones(shape, dtype=getattr(ag, dtype))
            want = t.scatter_(-1, torch.tensor(idx), value, reduce="add")
            got = x.scatter_(-1, ag.tensor(idx), value, reduce="add")
            assert str(got.dtype) == dtype
            np.testing.assert_array_equal(got.numpy(), want.numpy())
            x = ag.ones(shape, dtype=getattr(ag, dtype))
            got = ag.scatter(x, -1, ag.tensor(idx), value, reduce="add")
            np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_where_with_the_condition_alone_is_nonzero_as_tuple():
    x = np.array([[0.0, 1.0], [2.0, 0.0]])
    for cond in (x, x > 0, np.array(True)):
        want = torch.where(torch.tensor(cond))
        got = ag.where(ag.tensor(cond))
        assert isinstance(got, tuple) and len(got) == len(want)
        for a, b in zip(want, got):
            assert str(b.dtype) == "int64"
            np.testing.assert_array_equal(b.numpy(), a.numpy())
    with pytest.raises(TypeError):
        ag.where(ag.tensor(x > 0), ag.tensor(x))


@pytest.mark.parametrize("op", ["diag_embed", "diag"])
def test_diag_of_an_empty_vector_stays_on_the_graph(op):
    # diag_embed(zeros(3, 0), 2) gave zeros with requires_grad=False: backward through it raised
    for lib in (torch, ag):
        x = lib.zeros(3, 0, requires_grad=True) if op == "diag_embed" else lib.zeros(0, requires_grad=True)
        y = getattr(lib, op)(x, 2)
        assert y.requires_grad
        (y * 2).sum().backward()
        assert tuple(x.grad.shape) == tuple(x.shape)


def test_index_select_of_a_0d_tensor_is_0d():
    # index_select(scalar, 0, tensor([0])) had shape (1,) where PyTorch's is 0-d; several indices raise
    for idx in ([0], 0):
        x = ag.tensor(2.5, requires_grad=True)
        y = ag.index_select(x, 0, ag.tensor(idx))
        assert y.shape == torch.index_select(torch.tensor(2.5), 0, torch.tensor(idx)).shape == ()
        (y * 3).backward()
        assert x.grad.item() == 3.0
    with pytest.raises(IndexError):
        ag.index_select(ag.tensor(2.5), 0, ag.tensor([0, 0]))


@pytest.mark.parametrize("where", ["whole", "view", "fill"])
def test_fill_with_a_0d_tensor_passes_its_gradient(where):
    # y.fill_(v) / y[1:].fill_(v) / fill(x, v) with v requiring grad left v.grad None (v was read
    # with item()); PyTorch gives v the sum of the filled elements' gradients
    grads = {}
    for lib in (torch, ag):
        x = lib.ones(3, requires_grad=True)
        v = lib.tensor(2.0, dtype=lib.float64, requires_grad=True)
        y = x * 1
        if where == "whole":
            y.fill_(v)
        elif where == "view":
            y[1:].fill_(v)
        else:
            y = lib.fill(x, v)
        assert str(y.dtype).endswith("float32")
        (y * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
        grads[lib] = (x.grad.numpy(), v.grad.numpy())
    for a, b in zip(grads[torch], grads[ag]):
        np.testing.assert_allclose(b, a)
    with pytest.raises(RuntimeError, match="0-dimension"):
        ag.zeros(3).fill_(ag.tensor([2.0]))


def test_range_is_an_index_sequence():
    # logits[range(n), labels] raised IndexError ('only integers, slices ...'); PyTorch takes a range
    x = np.arange(12.0).reshape(3, 4)
    for index in ((range(3), [0, 1, 3]), range(2), range(0), (slice(None), range(1, 4, 2))):
        want = torch.tensor(x)[index]
        got = ag.tensor(x)[index]
        assert tuple(got.shape) == tuple(want.shape)
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    t = ag.zeros(3, 4, requires_grad=True)
    y = t * 1
    y[range(3), [0, 1, 3]] = 5.0
    y.sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), 1.0 - np.isin(np.arange(12).reshape(3, 4), [0, 5, 11]))


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool", "float16"])
def test_index_fill_with_a_number_keeps_the_input_dtype(dtype):
    # zeros(3, 2, dtype=int64).index_fill(0, idx, 2.7) returned float32 [[2.7, 2.7], ...] where PyTorch
    # keeps int64 ([[2, 2], ...]); a bool input became float32 too
    for value in (2.7, -1, 3):
        if dtype in ("uint8", "bool") and value == -1:
            continue
        want = torch.zeros(3, 2, dtype=getattr(torch, dtype)).index_fill(0, torch.tensor([0, 2]), value)
        got = ag.zeros(3, 2, dtype=getattr(ag, dtype)).index_fill(0, ag.tensor([0, 2]), value)
        assert str(got.dtype) == dtype
        np.testing.assert_array_equal(got.numpy(), want.numpy())
        x = ag.zeros(3, 2, dtype=getattr(ag, dtype))
        x.index_fill_(1, ag.tensor([1]), value)
        assert str(x.dtype) == dtype


_FILLS = {
    "fill_": lambda lib, x, v: x.fill_(v),
    "masked_fill": lambda lib, x, v: x.masked_fill(x > 1, v),
    "index_fill": lambda lib, x, v: x.index_fill(1, lib.tensor([0, 2]), v),
    "scatter": lambda lib, x, v: x.scatter(1, lib.tensor([[0], [2]]), v),
    "scatter_add": lambda lib, x, v: x.scatter_(1, lib.tensor([[0], [2]]), v, reduce="add"),
    "setitem": lambda lib, x, v: x.__setitem__(x > 1, v),
    "full": lambda lib, x, v: lib.full((2,), v, dtype=x.dtype),
}


@pytest.mark.parametrize("op", sorted(_FILLS))
def test_fill_values_into_integer_tensors_are_checked_as_pytorch(op):
    # int64 masked_fill(mask, inf) wrote -9223372036854775808 and uint8 fill_(-1.0) / 255.5 wrote
    # 255 where PyTorch raises 'value cannot be converted ... without overflow'; a uint8
    # scatter_(..., -1, reduce='add') raised OverflowError where PyTorch wraps to 255
    f = _FILLS[op]
    for dtype in ("int64", "int32", "uint8", "int8"):
        for v in (float("inf"), float("nan"), 1e20, -1.0, 255.5, 2.7, -1, -129):
            x = np.arange(6).reshape(2, 3) % 4
            try:
                want = f(torch, torch.tensor(x, dtype=getattr(torch, dtype)), v)
            except RuntimeError:
                with pytest.raises(RuntimeError, match="without overflow"):
                    f(ag, ag.tensor(x, dtype=getattr(ag, dtype)), v)
                continue
            t = ag.tensor(x, dtype=getattr(ag, dtype))
            got = f(ag, t, v)
            if op == "setitem":  # in place: compare the targets
                got, want = t, torch.tensor(x, dtype=getattr(torch, dtype))
                f(torch, want, v)
            assert str(got.dtype) == dtype
            np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_repeat_interleave_checks_output_size():
    # x.repeat_interleave(tensor([1, 2, 0, 1]), dim=0, output_size=3) ignored output_size and
    # returned 4 rows where PyTorch raises
    x = ag.arange(8.0).reshape(4, 2)
    for repeats, size in ((ag.tensor([1, 2, 0, 1]), 3), (2, 7)):
        with pytest.raises(RuntimeError):
            x.repeat_interleave(repeats, dim=0, output_size=size)
    with pytest.raises(RuntimeError):
        ag.repeat_interleave(ag.tensor([1, 2]), output_size=5)
    assert x.repeat_interleave(ag.tensor([1, 2, 0, 1]), dim=0, output_size=4).shape == (4, 2)
    assert tuple(ag.repeat_interleave(ag.tensor([1, 2]), output_size=3).tolist()) == (0, 1, 1)


@pytest.mark.parametrize("requires_grad", [False, True])
def test_contiguous_of_a_strided_view_is_a_copy(requires_grad):
    # y[:, 1].contiguous().add_(1) wrote into y (contiguous() returned the view itself), where
    # PyTorch copies a non-contiguous tensor and leaves y alone
    out = {}
    for lib in (torch, ag):
        x = lib.zeros(3, 4, requires_grad=requires_grad)
        y = x * 1 if requires_grad else x
        c = y[:, 1].contiguous()
        c.add_(1)
        d = y.t().contiguous()
        d.add_(5)
        e = y[1].contiguous()  # already contiguous: the view itself, so y sees the change
        e.add_(2)
        assert c.is_contiguous() and d.is_contiguous()
        res = [y.detach().numpy().copy()]
        if requires_grad:
            (c.sum() + d.sum() * 2 + e.sum() * 3).backward()
            res.append(x.grad.numpy())
        out[lib] = res
    for a, b in zip(out[torch], out[ag]):
        np.testing.assert_array_equal(b, a)


def test_reshape_that_copies_has_its_own_version_counter():
    # v = y.t().reshape(-1) is a copy (y.t() is not contiguous) but shared y's version counter, so
    # z = v * w; y.mul_(3); z.backward() raised 'modified by an inplace operation' where PyTorch
    # runs it; a reshape that is a view still raises, in both
    for lib in (torch, ag):
        x = lib.ones(3, 4, requires_grad=True)
        y = x * 1
        v = y.t().reshape(-1)
        z = v * v
        y.mul_(3)
        z.sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), np.full((3, 4), 2.0, np.float32))
        x = lib.ones(3, 4, requires_grad=True)
        y = x * 1
        z = y.reshape(-1) * y.reshape(-1)
        y.mul_(3)
        with pytest.raises(RuntimeError):
            z.sum().backward()


@pytest.mark.parametrize("vshape", [(3,), (1, 3), (2, 1), ()])
def test_index_put_accumulate_with_values_broadcast_over_a_2d_index(vshape):
    # zeros(3, 1).index_put_((i (2, 3), tensor(0)), values (3,), accumulate=True) gave
    # [1, 1.2e-321, 5] (NumPy 2.4's np.add.at reads uninitialised memory for a 1-d target, a 2-d
    # index and values broadcast over its leading dim) where PyTorch gives [4, 1, 7]
    i0, v = [[0, -1, 2], [1, 2, -3]], np.arange(1.0, 1 + int(np.prod(vshape))).reshape(vshape)
    cases = (((3, 1), lambda lib: (lib.tensor(i0), lib.tensor(0))), ((3,), lambda lib: (lib.tensor(i0),)))
    for target, index in cases:
        want = torch.zeros(target, dtype=torch.float64)
        want.index_put_(index(torch), torch.tensor(v), accumulate=True)
        got = ag.zeros(target, dtype=ag.float64)
        got.index_put_(index(ag), ag.tensor(v), accumulate=True)
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    x = ag.zeros(3, dtype=ag.float64, requires_grad=True)  # the gradient of a gather is the same scatter-add
    x[ag.tensor(i0)].backward(ag.ones(2, 3, dtype=ag.float64))
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 1.0, 3.0])


def test_index_put_accumulate_broadcast_values_on_every_device(device):
    # the same case on the shadow device (its cupyx.scatter_add stand-in used np.add.at as it is)
    y = ag.zeros(3, dtype=ag.float64, device=device)
    y.index_put_((ag.tensor([[0, -1, 2], [1, 2, -3]], device=device),),
                 ag.tensor([1.0, 2.0, 3.0], dtype=ag.float64, device=device), accumulate=True)
    np.testing.assert_array_equal(y.cpu().numpy(), [4.0, 1.0, 7.0])


def test_keyword_forms_flip_dims_scatter_value_gather_sparse_grad():
    # flip(x, dims=[1]), x.scatter(1, idx, value=3.0) and gather(..., sparse_grad=False) raised
    # TypeError (unexpected keyword) where PyTorch takes them
    x = np.arange(6.0).reshape(2, 3)
    idx = [[0], [1]]
    for lib in (torch, ag):
        t = lib.tensor(x)
        got = [lib.flip(t, dims=[1]), t.flip(dims=(0,)), t.flip(0, 1),
               lib.scatter(t, 1, lib.tensor(idx), value=3.0), t.scatter(1, lib.tensor(idx), value=3.0),
               lib.gather(t, 1, lib.tensor(idx), sparse_grad=False),
               t.gather(1, lib.tensor(idx), sparse_grad=False)]
        if lib is torch:
            want = [g.numpy() for g in got]
        else:
            for a, b in zip(want, got):
                np.testing.assert_array_equal(b.numpy(), a)
    with pytest.raises(TypeError):
        ag.scatter(ag.tensor(x), 1, ag.tensor(idx))


def test_index_put_one_bool_mask_and_one_value_casts_it():
    # x.index_put((mask,), tensor(9.)) with x float64 raised 'Index put requires the source and
    # destination dtypes match' where PyTorch (its masked_fill path) casts the value
    x = np.arange(12.0).reshape(3, 4)
    for lib in (torch, ag):
        t = lib.tensor(x)
        v = lib.tensor(9.0, requires_grad=True)
        out = t.index_put((t > 5,), v)
        out.sum().backward()
        assert str(out.dtype).endswith("float64")
        np.testing.assert_array_equal(out.detach().numpy(), np.where(x > 5, 9.0, x))
        assert v.grad.item() == 6.0
        with pytest.raises(RuntimeError):
            t.index_put((t > 5,), lib.tensor(9.0), accumulate=True)


def test_tensor_split_method_takes_split_size_keyword():
    # x.split(split_size=3, dim=1) raised TypeError: the method's parameter is split_size in PyTorch
    x = ag.arange(12.0).reshape(3, 4)
    assert [tuple(p.shape) for p in x.split(split_size=3, dim=1)] == [(3, 3), (3, 1)]
    assert [tuple(p.shape) for p in ag.split(x, split_size_or_sections=[1, 3], dim=1)] == [(3, 1), (3, 3)]


def test_index_add_float_alpha_on_integer_tensors_is_cast_first():
    # ones(3, dtype=int32) * 4 .index_add(0, [0], [3], alpha=2.5) gave 11 (4 + 7.5, truncated) where
    # PyTorch casts alpha to int32 first (2) and gives 10; alpha=-0.5 added -1.5 where PyTorch adds 0
    for alpha in (2.5, -0.5, -1.7):
        for dtype in ("int32", "int64"):
            want = torch.index_add(torch.full((3,), 4, dtype=getattr(torch, dtype)), 0, torch.tensor([0]),
                                   torch.full((1,), 3, dtype=getattr(torch, dtype)), alpha=alpha)
            got = ag.index_add(ag.full((3,), 4, dtype=getattr(ag, dtype)), 0, ag.tensor([0]),
                               ag.full((1,), 3, dtype=getattr(ag, dtype)), alpha=alpha)
            assert str(got.dtype) == dtype
            np.testing.assert_array_equal(got.numpy(), want.numpy())
    with pytest.raises(RuntimeError, match="overflow"):
        ag.ones(3, dtype=ag.uint8).index_add_(0, ag.tensor([0]), ag.ones(1, dtype=ag.uint8), alpha=-0.5)


def test_list_of_index_sequences_is_a_tuple_as_pytorch_2_13():
    # x[[rows, cols]] (a list holding tensors, lists, slices, None or ...) is x[rows, cols] in PyTorch
    # 2.13 (deprecated, with a UserWarning); it was stacked into one (2, k) index: shape (2, 2, 4)
    # instead of (2,), silently
    x = np.arange(12.0).reshape(3, 4)
    rows, cols = [0, 1], [1, 2]
    forms = (lambda lib: [lib.tensor(rows), lib.tensor(cols)], lambda lib: [rows, cols],
             lambda lib: [slice(1, None), 0], lambda lib: [0, None], lambda lib: [lib.tensor(1), 2])
    for form in forms:
        with pytest.warns(UserWarning, match="non-tuple sequence"):
            got = ag.tensor(x)[form(ag)]
        with pytest.warns(UserWarning):
            want = torch.tensor(x)[form(torch)]
        assert tuple(got.shape) == tuple(want.shape)
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    y = ag.zeros(3, 4)
    with pytest.warns(UserWarning):
        y[[ag.tensor(rows), ag.tensor(cols)]] = 5.0
    assert y.sum().item() == 10.0
    assert ag.tensor(x)[[0, 2]].shape == (2, 4)  # a plain list of ints stays one index
    assert ag.tensor(x)[[True, False, True]].shape == (2, 4)


_INDEXED = {
    "gather": lambda lib, t, i: lib.gather(t, 0, i.reshape(1, -1)[:, :1]),
    "scatter_add": lambda lib, t, i: lib.scatter_add(t, 0, i.reshape(1, -1)[:, :1], t),
    "index_select": lambda lib, t, i: lib.index_select(t, 0, i),
    "index_add": lambda lib, t, i: lib.index_add(t, 0, i, t[:2]),
    "index_copy": lambda lib, t, i: lib.index_copy(t, 0, i, t[:2]),
    "index_fill": lambda lib, t, i: lib.index_fill(t, 0, i, 1.0),
    "index_reduce": lambda lib, t, i: t.index_reduce(0, i, t[:2], "amax"),
    "getitem": lambda lib, t, i: t[:, i],
    "index_put": lambda lib, t, i: t.index_put((i,), lib.tensor(1.0)),
}


@pytest.mark.parametrize("op", sorted(_INDEXED))
def test_index_dtypes_are_checked_as_pytorch(op):
    # int16 / int8 index tensors (and int32 for index_copy / index_fill) were used as indices where
    # PyTorch raises ('Expected dtype int32/int64 for index', 'tensors used as indices must be long,
    # int, byte or bool tensors', 'Expected a long tensor for index')
    f = _INDEXED[op]
    for dtype in ("int64", "int32", "int16", "int8"):
        try:
            f(torch, torch.zeros(3, 4), torch.tensor([0, 1]).to(getattr(torch, dtype)))
        except (RuntimeError, IndexError):
            with pytest.raises((RuntimeError, IndexError)):
                f(ag, ag.zeros(3, 4), ag.tensor([0, 1]).to(getattr(ag, dtype)))
        else:
            f(ag, ag.zeros(3, 4), ag.tensor([0, 1]).to(getattr(ag, dtype)))


_SOURCED = {
    "scatter": lambda lib, x, i, s: x.scatter(0, i, s),
    "scatter_add": lambda lib, x, i, s: x.scatter_add(0, i, s),
    "scatter_add_": lambda lib, x, i, s: x.clone().scatter_add_(0, i, s),
    "scatter_multiply": lambda lib, x, i, s: x.scatter(0, i, s, reduce="multiply"),
    "index_add": lambda lib, x, i, s: x.index_add(0, i[0, :1], s[:, :4]),
    "index_copy": lambda lib, x, i, s: x.index_copy(0, i[0, :1], s[:, :4]),
}


@pytest.mark.parametrize("op", sorted(_SOURCED))
def test_sources_of_another_dtype_raise_as_pytorch(op):
    # x.scatter_add(0, i, float64 src) into float32 x (and index_add / index_copy) cast the source
    # where PyTorch raises ('Expected self.dtype to be equal to src.dtype', 'must have the same
    # scalar type'); the same dtype still works
    f = _SOURCED[op]
    for lib in (torch, ag):
        x, i = lib.zeros(3, 4), lib.tensor([[0, 1, 2, 0]])
        with pytest.raises(RuntimeError):
            f(lib, x, i, lib.ones(1, 4, dtype=lib.float64))
        f(lib, x, i, lib.ones(1, 4))
