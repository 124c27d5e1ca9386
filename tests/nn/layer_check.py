"""Shared checks of the layer tests against PyTorch.

``compare_module`` runs ours and PyTorch's module on the same input and upstream
gradient, with PyTorch's initial weights loaded into ours, and compares the
output, the input gradient, every parameter gradient and every buffer.
``compare_fn`` does the same for a functional op; ``check_grads`` runs a
float64 finite-difference check (``gradcheck`` and ``gradgradcheck``).

PyTorch's side is a reference dict of arrays. Given an :class:`golden.Expr`
(``T.nn.Conv2d(...)``), it is computed live with torch or replayed from
``golden.npz`` without it; given a real torch object, it is computed live.
"""
from __future__ import annotations

import numpy as np

import autograd as ag
from autograd.gradcheck import gradcheck, gradgradcheck
from golden import Expr, answer, digest


def _np(t):
    return t.detach().cpu().numpy()


def assert_close(got, expected, rtol, atol, what):
    got, expected = np.asarray(got), np.asarray(expected)
    assert got.shape == expected.shape, f"{what}: shape {got.shape}, expected {expected.shape}"
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, err_msg=what)


def load_from_torch(module, tmodule, device):
    """Copy ``tmodule``'s parameters and buffers into ``module`` (keys must match PyTorch's)."""
    sd = {k: ag.tensor(v.detach().numpy(), device=device) for k, v in tmodule.state_dict().items()}
    module.load_state_dict(sd)
    return module


def _upstream(rng, out):
    return rng.standard_normal(out.shape).astype(out.dtype)


def _reference(theirs, key, compute):
    """PyTorch's arrays: live from a torch object, or through the recorded answers for an Expr."""
    if isinstance(theirs, Expr):
        return answer(key.format(theirs.key), lambda: compute(theirs.obj))
    return compute(theirs)


# ---------------------------------------------------------------- modules
def _torch_module_run(tmodule, x, steps, seed):
    import torch

    ref = {f"state.{k}": v.detach().numpy().copy() for k, v in tmodule.state_dict().items()}
    rng = np.random.default_rng(seed)
    for i in range(steps):
        tmodule.zero_grad()
        floating = x.dtype.kind == "f"
        tx = torch.tensor(x, requires_grad=floating)
        tout = tmodule(tx)
        out = tout.detach().numpy()
        ref[f"out{i}"] = out.copy()
        tout.backward(torch.tensor(_upstream(rng, out)))
        if floating:
            ref[f"xgrad{i}"] = tx.grad.numpy().copy()
    for name, tp in tmodule.named_parameters():
        if tp.grad is not None:
            ref[f"grad.{name}"] = tp.grad.numpy().copy()
    ref.update({f"buffer.{k}": b.numpy().copy() for k, b in tmodule.named_buffers()})
    ref["params"] = np.array([n for n, _ in tmodule.named_parameters()] or [""])
    ref["state_keys"] = np.array(list(tmodule.state_dict()) or [""])
    return ref


def compare_module(module, tmodule, x, device, rtol=1e-5, atol=1e-6, what="", steps=1, seed=0):
    """Forward + backward of ``module`` and PyTorch's ``tmodule`` on ``x`` (a NumPy array)."""
    what = what or type(module).__name__
    ref = _reference(tmodule, f"module:{{}}|x={digest(x)}|steps={steps}|seed={seed}",
                     lambda tm: _torch_module_run(tm, x, steps, seed))
    module.load_state_dict({k[6:]: ag.tensor(v, device=device) for k, v in ref.items()
                            if k.startswith("state.")})
    rng = np.random.default_rng(seed)
    for i in range(steps):
        module.zero_grad()
        floating = x.dtype.kind == "f"
        xi = ag.tensor(x, dtype=x.dtype, device=device, requires_grad=floating)
        out = module(xi)
        assert_close(_np(out), ref[f"out{i}"], rtol, atol, f"{what}: output")
        out.backward(ag.tensor(_upstream(rng, ref[f"out{i}"]), device=device))
        if floating:
            assert xi.grad is not None, f"{what}: no gradient for the input"
            assert_close(_np(xi.grad), ref[f"xgrad{i}"], rtol, atol, f"{what}: gradient of the input")
    params = dict(module.named_parameters())
    for name in [n for n in ref["params"].tolist() if n]:
        p = params[name]
        if f"grad.{name}" not in ref:
            assert p.grad is None or not np.any(_np(p.grad)), f"{what}: {name} has a gradient"
        else:
            assert_close(_np(p.grad), ref[f"grad.{name}"], rtol, atol, f"{what}: gradient of {name}")
    buffers = dict(module.named_buffers())
    for key, expected in ref.items():
        if key.startswith("buffer."):
            b = _np(buffers[key[7:]])
            assert b.dtype == expected.dtype, f"{what}: buffer {key[7:]} dtype"
            assert_close(b, expected, rtol, atol, f"{what}: buffer {key[7:]}")
    return ref


# ---------------------------------------------------------------- functions
def _torch_fn_run(tfn, arrays, seed, kw):
    import torch

    txs = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    tout = tfn(*txs, **kw)
    out = tout.detach().numpy()
    tout.backward(torch.tensor(_upstream(np.random.default_rng(seed), out)))
    ref = {"out": out.copy()}
    ref.update({f"grad{i}": t.grad.numpy().copy() for i, t in enumerate(txs) if t.grad is not None})
    return ref


def compare_fn(fn, tfn, arrays, device, rtol=1e-10, atol=1e-10, seed=0, **kw):
    """``fn(*tensors, **kw)`` against ``tfn(*torch_tensors, **kw)``: output and every gradient."""
    what = f"{getattr(fn, '__name__', fn)}({kw})"
    key = "fn:{}|" + "|".join(digest(a) for a in arrays) + f"|seed={seed}|{sorted(kw.items())!r}"
    ref = _reference(tfn, key, lambda f: _torch_fn_run(f, arrays, seed, kw))
    xs = [ag.tensor(a, device=device, requires_grad=a.dtype.kind == "f") for a in arrays]
    out = fn(*xs, **kw)
    assert_close(_np(out), ref["out"], rtol, atol, f"{what}: output")
    out.backward(ag.tensor(_upstream(np.random.default_rng(seed), ref["out"]), device=device))
    for i, x in enumerate(xs):
        if f"grad{i}" in ref:
            assert x.grad is not None, f"{what}: no gradient for input {i}"
            assert_close(_np(x.grad), ref[f"grad{i}"], rtol, atol, f"{what}: gradient of input {i}")


def check_grads(fn, arrays, device, gradgrad=True):
    """float64 gradcheck (and gradgradcheck) of ``fn`` over ``arrays``."""
    xs = tuple(ag.tensor(a, dtype=ag.float64, device=device, requires_grad=True) for a in arrays)
    assert gradcheck(fn, xs)
    if gradgrad:
        assert gradgradcheck(fn, xs)
