"""Shared checks of the conv/pool/norm/dropout/embedding layer tests against PyTorch.

``compare_module`` copies a PyTorch module's state_dict (through NumPy) into
ours, runs both on the same input and upstream gradient, and compares the
output, the input gradient, every parameter gradient and every buffer.
``compare_fn`` does the same for a functional op; ``check_grads`` runs a
float64 finite-difference check (``gradcheck`` and ``gradgradcheck``).
"""
from __future__ import annotations

import numpy as np

import autograd as ag
from autograd.gradcheck import gradcheck, gradgradcheck


def _np(t):
    return t.detach().cpu().numpy()


def load_from_torch(module, tmodule, device):
    """Copy ``tmodule``'s parameters and buffers into ``module`` (keys must match PyTorch's)."""
    sd = {k: ag.tensor(v.detach().numpy(), device=device) for k, v in tmodule.state_dict().items()}
    module.load_state_dict(sd)
    return module


def assert_close(got, expected, rtol, atol, what):
    got, expected = np.asarray(got), np.asarray(expected)
    assert got.shape == expected.shape, f"{what}: shape {got.shape}, expected {expected.shape}"
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, err_msg=what)


def _run_pair(out, tout, inputs, tinputs, rng, rtol, atol, what):
    assert_close(_np(out), tout.detach().numpy(), rtol, atol, f"{what}: output")
    g = rng.standard_normal(tout.shape).astype(tout.detach().numpy().dtype)
    out.backward(ag.tensor(g, device=out.device))
    import torch

    tout.backward(torch.tensor(g))
    for i, (x, tx) in enumerate(zip(inputs, tinputs)):
        if tx.requires_grad:
            assert x.grad is not None, f"{what}: no gradient for input {i}"
            assert_close(_np(x.grad), tx.grad.numpy(), rtol, atol, f"{what}: gradient of input {i}")


def compare_module(module, tmodule, x, device, rtol=1e-5, atol=1e-6, what="", steps=1, seed=0):
    """Forward + backward of ``module`` and PyTorch's ``tmodule`` on ``x`` (a NumPy array)."""
    import torch

    load_from_torch(module, tmodule, device)
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        module.zero_grad()
        tmodule.zero_grad()
        floating = x.dtype.kind == "f"
        xi = ag.tensor(x, dtype=x.dtype, device=device, requires_grad=floating)
        tx = torch.tensor(x, requires_grad=floating)
        _run_pair(module(xi), tmodule(tx), [xi], [tx], rng, rtol, atol, what or type(module).__name__)
    params = dict(module.named_parameters())
    for name, tp in tmodule.named_parameters():
        p = params[name]
        if tp.grad is None:
            assert p.grad is None or not np.any(_np(p.grad)), f"{what}: {name} has a gradient"
        else:
            assert_close(_np(p.grad), tp.grad.numpy(), rtol, atol, f"{what}: gradient of {name}")
    buffers = dict(module.named_buffers())
    for name, tb in tmodule.named_buffers():
        b = buffers[name]
        assert _np(b).dtype == tb.numpy().dtype, f"{what}: buffer {name} dtype"
        assert_close(_np(b), tb.numpy(), rtol, atol, f"{what}: buffer {name}")


def compare_fn(fn, tfn, arrays, device, rtol=1e-10, atol=1e-10, seed=0, **kw):
    """``fn(*tensors, **kw)`` against ``tfn(*torch_tensors, **kw)``: output and every gradient."""
    import torch

    xs = [ag.tensor(a, device=device, requires_grad=True) for a in arrays]
    txs = [torch.tensor(a, requires_grad=True) for a in arrays]
    _run_pair(fn(*xs, **kw), tfn(*txs, **kw), xs, txs, np.random.default_rng(seed), rtol, atol,
              f"{getattr(fn, '__name__', fn)}({kw})")


def check_grads(fn, arrays, device, gradgrad=True):
    """float64 gradcheck (and gradgradcheck) of ``fn`` over ``arrays``."""
    xs = tuple(ag.tensor(a, dtype=ag.float64, device=device, requires_grad=True) for a in arrays)
    assert gradcheck(fn, xs)
    if gradgrad:
        assert gradgradcheck(fn, xs)
