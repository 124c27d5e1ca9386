"""``torch.<name>`` spellings of Tensor methods and ``nn.functional`` ops (``torch.t``,
``torch.divide``, ``torch.relu_``, ``torch.conv2d``, ``torch.pixel_shuffle``...), and
``broadcast_tensors``/``broadcast_shapes``/``unravel_index``/``scalar_tensor``/``fill``, plus the
Tensor methods ``greater``/``less``/``not_equal``/``is_nonzero``/``is_same_size``: all missing
before (AttributeError), checked against PyTorch."""
import numpy as np
import pytest

import autograd as ag
from autograd.torch_functions import FUNCTIONAL, METHODS

torch = pytest.importorskip("torch")

X = np.array([[0.2, -0.5, 0.7], [0.9, -0.1, 0.4]])
ARGS = {"clamp_": (-0.3, 0.5), "clamp_max_": (0.3,), "clamp_min_": (0.1,), "clip_": (-0.3, 0.5),
        "xlogy_": (2.0,), "fill_": (1.5,), "swapdims": (0, 1), "divide": (0.7,), "multiply": (3.0,),
        "subtract": (0.25,), "greater": (0.1,), "greater_equal": (0.2,), "less": (0.1,), "less_equal": (0.2,),
        "not_equal": (0.2,), "logit_": (0.1,), "is_same_size": (np.zeros((2, 3)),)}
DOMAIN = {"acos_": 0.9, "arccos_": 0.9, "asin_": 0.9, "arcsin_": 0.9, "atanh_": 0.9, "arctanh_": 0.9}


def _arg(lib, a):
    return lib.tensor(a) if isinstance(a, np.ndarray) else a


@pytest.mark.parametrize("name", [n for n in METHODS if n not in ("is_nonzero", "addmv_")])
def test_method_spellings(name):
    res = []
    for lib in (torch, ag):
        base = X * DOMAIN.get(name, 1.0)
        if name in ("acosh_", "arccosh_"):
            base = np.abs(X) + 1.0
        if name == "logit_":
            base = np.abs(X)
        x = lib.tensor(base)
        out = getattr(lib, name)(x, *(_arg(lib, a) for a in ARGS.get(name, ())))
        if isinstance(out, bool):
            res.append(out)
        else:
            if name.endswith("_") and name != "detach_":
                assert out is x
            res.append(np.asarray(out.detach().numpy(), dtype=np.float64))
    if isinstance(res[0], bool):
        assert res[0] == res[1]
    else:
        np.testing.assert_allclose(res[1], res[0], rtol=1e-13)


def test_is_nonzero():
    for lib in (torch, ag):
        assert lib.is_nonzero(lib.tensor([2.0])) and not lib.tensor(0.0).is_nonzero()
        with pytest.raises(RuntimeError, match="more than one value is ambiguous"):
            lib.ones(2).is_nonzero()
        with pytest.raises(RuntimeError, match="no values is ambiguous"):
            lib.ones(0).is_nonzero()


@pytest.mark.parametrize("name", FUNCTIONAL)
def test_functional_spellings_are_nn_functional(name):
    import nn.functional as F

    assert getattr(ag, name) is getattr(F, name)
    assert callable(getattr(torch, name))


def test_functional_spellings_compute_as_torch():
    rng = np.random.default_rng(0)
    x0, w0 = rng.standard_normal((1, 4, 5, 5)), rng.standard_normal((2, 4, 3, 3))
    res = []
    for lib in (torch, ag):
        x, w = lib.tensor(x0), lib.tensor(w0)
        res.append([lib.conv2d(x, w, None, 1, 1).numpy(), lib.pixel_shuffle(x, 2).numpy(),
                    lib.max_pool2d(x, 2).numpy(), lib.cosine_similarity(x, x * 2 + 1).numpy(),
                    lib.celu(x, 0.5).numpy(), lib.threshold(x, 0.1, -1.0).numpy()])
    for a, b in zip(*res):
        np.testing.assert_allclose(b, a, rtol=1e-12)


@pytest.mark.parametrize("shapes", [((2, 1), (3,)), ((5, 1, 4), (3, 1), ()), (2, (3, 1)), ((0, 1), (3,))])
def test_broadcast_shapes_and_tensors(shapes):
    assert tuple(ag.broadcast_shapes(*shapes)) == tuple(torch.broadcast_shapes(*shapes))
    tensor_shapes = [(s,) if isinstance(s, int) else s for s in shapes]
    a = [ag.ones(s, requires_grad=True) for s in tensor_shapes]
    outs = ag.broadcast_tensors(*a)
    exp = torch.broadcast_tensors(*(torch.ones(s) for s in tensor_shapes))
    assert [tuple(o.shape) for o in outs] == [tuple(e.shape) for e in exp]
    sum(o.sum() for o in outs).backward()
    total = float(np.prod(exp[0].shape))
    for t, s in zip(a, tensor_shapes):
        np.testing.assert_allclose(t.grad.numpy(), np.full(s, total / max(np.prod(s), 1)))


def test_broadcast_shapes_mismatch():
    for lib in (torch, ag):
        with pytest.raises(RuntimeError, match="Attempting to broadcast a dimension of length 3"):
            lib.broadcast_shapes((2, 1), (3, 2))


@pytest.mark.parametrize("idx, shape", [([4, 7, 0], (2, 4)), (9, (2, 4)), ([[5, 1], [2, 3]], (3, 2)),
                                        ([3], (4,)), ([11, 23], (2, 3, 4))])
def test_unravel_index(idx, shape):
    got = ag.unravel_index(ag.tensor(idx), shape)
    exp = torch.unravel_index(torch.tensor(idx), shape)
    assert len(got) == len(exp)
    for g, e in zip(got, exp):
        np.testing.assert_array_equal(g.numpy(), e.numpy())
        assert str(g.dtype).split(".")[-1] == str(e.dtype).split(".")[-1]


def test_scalar_tensor_and_fill():
    for s, kw in ((3, {}), (2.5, {}), (4, {"dtype": "int64"})):
        kt = {k: getattr(torch, v) for k, v in kw.items()}
        ka = {k: getattr(ag, v) for k, v in kw.items()}
        t, a = torch.scalar_tensor(s, **kt), ag.scalar_tensor(s, **ka)
        assert a.item() == t.item() and str(a.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
    res = []
    for lib in (torch, ag):
        x = lib.tensor(X, requires_grad=True)
        y = lib.fill(x, 1.5)
        (y * 2).sum().backward()
        res.append((y.detach().numpy(), x.grad.numpy(), y.requires_grad))
    np.testing.assert_array_equal(res[1][0], res[0][0])
    np.testing.assert_array_equal(res[1][1], res[0][1])
    assert res[0][2] == res[1][2]


def test_is_signed_and_resolve_neg_as_torch():
    torch = pytest.importorskip("torch")
    for lib in (ag, torch):
        dtypes = (lib.uint8, lib.int8, lib.float32, lib.bool)
        assert [lib.is_signed(lib.tensor([1], dtype=d)) for d in dtypes] == [False, True, True, False]
        assert lib.resolve_neg(lib.tensor([1.0, 2.0])).tolist() == [1.0, 2.0]
