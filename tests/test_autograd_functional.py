"""``torch.autograd.functional`` (jacobian, hessian, vjp, jvp, vhp, hvp) was missing
(AttributeError): results, their Tensor/tuple structure, unused inputs, ``create_graph`` and
``strict`` against PyTorch."""
import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")

A = np.array([0.7, -1.2, 2.0])
B = np.array([[0.5, 1.5], [-0.3, 0.8]])


def _fns(lib):
    return {
        "one_one": (lambda x: x.sin() * x.exp(), (A,)),
        "tuple_in": (lambda x, y: (x[:2] * y.sum(0)).tanh(), (A, B)),
        "tuple_out": (lambda x: (x ** 2, x.sum() * x[0]), (A,)),
        "both": (lambda x, y: (x.cumsum(0)[:2] * y[0], (y ** 3).sum(1)), (A, B)),
        "unused": (lambda x, y: x ** 3, (A, B)),
    }


def _inputs(lib, arrays):
    ts = tuple(lib.tensor(a, dtype=lib.float64) for a in arrays)
    return ts[0] if len(ts) == 1 else ts


def _np(x):
    if isinstance(x, tuple):
        return tuple(_np(v) for v in x)
    return x.detach().numpy()


def _same(a, b):
    if isinstance(b, tuple):
        assert isinstance(a, tuple) and len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    else:
        assert not isinstance(a, tuple) and a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("case", ["one_one", "tuple_in", "tuple_out", "both", "unused"])
def test_jacobian(case):
    res = []
    for lib in (torch, ag):
        f, arrays = _fns(lib)[case]
        res.append(_np(lib.autograd.functional.jacobian(f, _inputs(lib, arrays))))
    _same(res[1], res[0])


@pytest.mark.parametrize("case", ["one_one", "tuple_in", "tuple_out", "both"])
def test_vjp_and_jvp(case):
    res = []
    for lib in (torch, ag):
        f, arrays = _fns(lib)[case]
        inp = _inputs(lib, arrays)
        out = f(*(inp if isinstance(inp, tuple) else (inp,)))
        outs = out if isinstance(out, tuple) else (out,)
        v = tuple(lib.ones_like(o) * 0.5 for o in outs)
        v = v if isinstance(out, tuple) else v[0]
        u = tuple(lib.ones_like(t) * 0.25 for t in (inp if isinstance(inp, tuple) else (inp,)))
        u = u if isinstance(inp, tuple) else u[0]
        fn = lib.autograd.functional
        res.append((_np(fn.vjp(f, inp, v)), _np(fn.jvp(f, inp, u))))
    _same(res[1], res[0])


@pytest.mark.parametrize("create_graph", [False, True])
def test_hessian_hvp_vhp(create_graph):
    res = []
    for lib in (torch, ag):
        fn = lib.autograd.functional
        x = lib.tensor(A, dtype=lib.float64, requires_grad=True)
        y = lib.tensor(B, dtype=lib.float64, requires_grad=True)

        def f(x, y):
            return (x[:2] * y.sum(0)).pow(3).sum() + x.prod()

        h = fn.hessian(f, (x, y), create_graph=create_graph)
        _, hv = fn.hvp(f, (x, y), (lib.ones_like(x), lib.ones_like(y)), create_graph=create_graph)
        _, vh = fn.vhp(f, (x, y), (lib.ones_like(x), lib.ones_like(y)), create_graph=create_graph)
        single = fn.hessian(lambda x: (x ** 4).sum(), x)
        assert h[0][0].requires_grad == create_graph
        if create_graph:  # differentiable results
            (hv[0].sum() + h[1][1].sum()).backward()
        res.append((_np(h), _np(hv), _np(vh), _np(single),
                    _np(x.grad) if create_graph else None))
    _same(tuple(r for r in res[1] if r is not None), tuple(r for r in res[0] if r is not None))


def test_strict_and_v_errors():
    for lib in (torch, ag):
        fn = lib.autograd.functional
        x, y = lib.tensor(A, dtype=lib.float64), lib.tensor(B, dtype=lib.float64)
        with pytest.raises(RuntimeError, match="independent of input"):
            fn.vjp(lambda x, y: x.sum(), (x, y), strict=True)
        with pytest.raises(RuntimeError, match="v can only be None"):
            fn.vjp(lambda x: x * 2, x)
        _, g = fn.vjp(lambda x: (x ** 2).sum(), x)  # a one-element output needs no v
        np.testing.assert_allclose(_np(g), 2 * A)


def test_import_paths():
    import subprocess
    import sys

    code = ("from autograd.autograd.functional import jacobian, hessian\n"
            "import autograd.autograd.functional as F\n"
            "from autograd.autograd.function import once_differentiable\n"
            "assert F.jacobian is jacobian\n")
    subprocess.run([sys.executable, "-c", code], check=True)  # a fresh interpreter: nothing imported yet
