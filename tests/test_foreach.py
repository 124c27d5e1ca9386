"""``torch._foreach_*`` (EMA updates such as timm's ``_foreach_lerp_``, hand-written optimizers),
against PyTorch: values, in-place identity, gradients of the out-of-place forms, errors. All were
missing (AttributeError) before.
"""
import numpy as np
import pytest

import autograd as ag
from autograd.ops.foreach import _BINARY, _UNARY

torch = pytest.importorskip("torch")

SHAPES = [(2, 3), (4,), ()]
_POSITIVE = {"acos", "asin", "log", "log10", "log1p", "log2", "rsqrt", "sqrt", "lgamma", "reciprocal",
             "pow"}


def _lists(seed=0, positive=False):
    rng = np.random.default_rng(seed)
    arrays = [rng.uniform(0.1, 0.9, s) if positive else rng.uniform(-2, 2, s) for s in SHAPES]
    return [ag.tensor(a) for a in arrays], [torch.tensor(a) for a in arrays]


def _same(a_list, t_list, rtol=1e-12):
    assert len(a_list) == len(t_list)
    for a, t in zip(a_list, t_list):
        assert tuple(a.shape) == tuple(t.shape)
        np.testing.assert_allclose(a.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=1e-14)


@pytest.mark.parametrize("name", _UNARY)
def test_unary(name):
    a, t = _lists(positive=name in _POSITIVE)
    _same(getattr(ag, f"_foreach_{name}")(a), getattr(torch, f"_foreach_{name}")(t))
    ra, rt = getattr(ag, f"_foreach_{name}_")(a), getattr(torch, f"_foreach_{name}_")(t)
    assert ra is a and rt is t
    _same(a, t)


def _others(lib, kind, seed=1):
    rng = np.random.default_rng(seed)
    if kind == "scalar":
        return 0.7
    if kind == "scalars":
        return [0.5, 1.5, 2.0]
    if kind == "tensor":
        return lib.tensor(1.25, dtype=lib.float64)
    return [lib.tensor(rng.uniform(0.5, 1.5, s)) for s in SHAPES]


@pytest.mark.parametrize("kind", ["scalar", "scalars", "tensors", "tensor"])
@pytest.mark.parametrize("name", _BINARY)
def test_binary(name, kind):
    if kind == "tensor" and name not in ("add", "sub", "mul", "div"):
        pytest.skip("a single Tensor is PyTorch's form for the arithmetic ops")
    a, t = _lists(positive=name == "pow")
    kw = {"alpha": 2} if name in ("add", "sub") and kind == "tensors" else {}
    exp = getattr(torch, f"_foreach_{name}")(t, _others(torch, kind), **kw)
    _same(getattr(ag, f"_foreach_{name}")(a, _others(ag, kind), **kw), exp)
    assert getattr(ag, f"_foreach_{name}_")(a, _others(ag, kind), **kw) is a
    getattr(torch, f"_foreach_{name}_")(t, _others(torch, kind), **kw)
    _same(a, t)


def test_scalar_base_pow():
    a, t = _lists(positive=True)
    _same(ag._foreach_pow(2.0, a), torch._foreach_pow(2.0, t))


@pytest.mark.parametrize("weight", ["scalar", "scalars", "tensors"])
def test_lerp_ema_update(weight):
    (a, t), (ea, et) = _lists(0), _lists(1)
    w = {"scalar": lambda lib: 0.1, "scalars": lambda lib: [0.1, 0.2, 0.3],
         "tensors": lambda lib: [lib.full(s, 0.25, dtype=lib.float64) for s in SHAPES]}[weight]
    _same(ag._foreach_lerp(a, ea, w(ag)), torch._foreach_lerp(t, et, w(torch)))
    assert ag._foreach_lerp_(a, ea, w(ag)) is a
    torch._foreach_lerp_(t, et, w(torch))
    _same(a, t)


@pytest.mark.parametrize("name", ["addcmul", "addcdiv"])
@pytest.mark.parametrize("value", ["default", "scalar", "scalars", "tensor"])
def test_addcmul_addcdiv(name, value):
    (a, t), (xa, xt), (ya, yt) = _lists(0), _lists(1), _lists(2, positive=True)
    v = {"default": lambda lib: {}, "scalar": lambda lib: {"value": -0.5},
         "scalars": lambda lib: {"scalars": [0.5, 1.0, 2.0]},
         "tensor": lambda lib: {"scalars": lib.tensor([0.5, 1.0, 2.0], dtype=lib.float64)}}[value]

    def call(lib, suffix, *args):  # the list forms are positional in PyTorch (its keyword is scalars=)
        kw = v(lib)
        return getattr(lib, f"_foreach_{name}{suffix}")(*args, *kw.values()) if "scalars" in kw else \
            getattr(lib, f"_foreach_{name}{suffix}")(*args, **kw)
    _same(call(ag, "", a, xa, ya), call(torch, "", t, xt, yt))
    call(ag, "_", a, xa, ya)
    call(torch, "_", t, xt, yt)
    _same(a, t)


@pytest.mark.parametrize("ord", [2, 1, float("inf")])
def test_norm_max_copy_zero(ord):
    (a, t), (sa, st) = _lists(0), _lists(1)
    _same(ag._foreach_norm(a, ord), torch._foreach_norm(t, ord))
    _same(ag._foreach_max(a), torch._foreach_max(t))
    assert ag._foreach_copy_(a, sa) is a
    torch._foreach_copy_(t, st)
    _same(a, t)
    ag._foreach_zero_(a)
    torch._foreach_zero_(t)
    _same(a, t)


def test_out_of_place_forms_are_differentiable():
    grads = []
    for lib, (xs, _) in ((ag, _lists(0)), (torch, _lists(0)[::-1])):
        xs = [lib.tensor(np.random.default_rng(i).uniform(0.5, 1.5, s), requires_grad=True)
              for i, s in enumerate(SHAPES)]
        ys = lib._foreach_mul(lib._foreach_exp(xs), [2.0, 3.0, 4.0])
        ys = lib._foreach_addcmul(ys, xs, xs, 0.5)
        ys = lib._foreach_lerp(ys, xs, 0.25)
        sum(n for n in lib._foreach_norm(ys)).backward()
        grads.append([x.grad for x in xs])
    _same(*grads, rtol=1e-10)


def test_errors_match():
    for lib in (ag, torch):
        xs = [lib.ones(2), lib.ones(3)]
        with pytest.raises(RuntimeError, match="same number of elements as scalar list"):
            lib._foreach_add(xs, [1.0])
        with pytest.raises(RuntimeError, match="same number of tensors"):
            lib._foreach_mul(xs, [lib.ones(2)])
