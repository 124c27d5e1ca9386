"""Compare a call of one of ours with PyTorch's when it takes several inputs, keyword tensors
(masks) or returns several outputs (attention weights, final states, packed sequences).

PyTorch's side is a :class:`golden.Expr` (``T.nn.MultiheadAttention(8, 2)``, or a function
such as ``T.nn.functional.scaled_dot_product_attention``): its answers are computed live
with torch or replayed from ``golden.npz`` without it, as in ``layer_check``.
"""
from __future__ import annotations

import numpy as np
from golden import Expr, _spell, answer, digest
from layer_check import assert_close

import autograd as ag


def _flat(res):
    return list(res) if isinstance(res, (tuple, list)) else [res]


def _kw(kw, make):
    return {k: make(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}


def _loss(outs, rng, make):
    """``sum_i <out_i, g_i>`` over the floating outputs, each ``g_i`` drawn in order from ``rng``."""
    loss = None
    for o in outs:
        if o is not None and o.requires_grad:
            term = (o * make(rng.standard_normal(tuple(o.shape)).astype(_np(o).dtype))).sum()
            loss = term if loss is None else loss + term
    return loss


def _np(t):
    return t.detach().cpu().numpy()


def _torch_run(tobj, arrays, kw, seed, tcall, tview):
    import torch

    ref = {}
    if isinstance(tobj, torch.nn.Module):
        ref.update({f"state.{k}": v.detach().numpy().copy() for k, v in tobj.state_dict().items()})
    txs = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    outs = tview((tcall or (lambda f, *a, **k: f(*a, **k)))(tobj, *txs, **_kw(kw, torch.tensor)))
    for i, o in enumerate(outs):
        ref[f"out{i}"] = np.array(False) if o is None else o.detach().numpy().copy()
    loss = _loss(outs, np.random.default_rng(seed), torch.tensor)
    if loss is not None:
        loss.backward()
    ref.update({f"xgrad{i}": t.grad.numpy().copy() for i, t in enumerate(txs) if t.grad is not None})
    if isinstance(tobj, torch.nn.Module):
        ref.update({f"grad.{n}": p.grad.numpy().copy() for n, p in tobj.named_parameters()
                    if p.grad is not None})
    return ref


def compare_call(ours, theirs: Expr, arrays, device, kw=None, call=None, tcall=None, view=_flat, tview=_flat,
                 label="", rtol=1e-5, atol=1e-6, seed=0):
    """``call(ours, *tensors, **kw)`` against ``tcall(theirs, ...)``: every output, every input's
    gradient and (for modules, whose weights are PyTorch's) every parameter's gradient.

    Args:
        ours: our module (PyTorch's state is loaded into it) or function.
        theirs: PyTorch's, as a ``golden.T`` expression.
        arrays: NumPy inputs (floating ones require grad).
        kw: keyword arguments; NumPy arrays among them become tensors (masks).
        call, tcall: how to call ours / PyTorch's (default: ``f(*inputs, **kw)``); ``label``
            must name what they do, as it is part of the recorded answer's key.
        view, tview: the list of output tensors (or None) of a result (default: a tuple as is).
    """
    kw = dict(kw or {})
    key = (f"call:{theirs.key}|{label}|" + "|".join(digest(a) for a in arrays)
           + f"|{_spell(dict(sorted(kw.items())))}|seed={seed}")
    ref = answer(key, lambda: _torch_run(theirs.obj, arrays, kw, seed, tcall, tview))
    state = {k[6:]: ag.tensor(v, device=device) for k, v in ref.items() if k.startswith("state.")}
    if state:
        ours.load_state_dict(state)
    xs = [ag.tensor(a, device=device, requires_grad=a.dtype.kind == "f") for a in arrays]
    outs = view((call or (lambda f, *a, **k: f(*a, **k)))(ours, *xs,
                                                          **_kw(kw, lambda v: ag.tensor(v, device=device))))
    n_ref = len([k for k in ref if k.startswith("out")])
    assert len(outs) == n_ref, f"{len(outs)} outputs, PyTorch gives {n_ref}"
    for i, o in enumerate(outs):
        if ref[f"out{i}"].dtype == bool and ref[f"out{i}"].ndim == 0 and not ref[f"out{i}"]:
            assert o is None, f"output {i} should be None"
        else:
            assert o is not None, f"output {i} is None"
            assert_close(_np(o), ref[f"out{i}"], rtol, atol, f"output {i}")
    loss = _loss(outs, np.random.default_rng(seed), lambda a: ag.tensor(a, device=device))
    if loss is not None:
        loss.backward()
    grad_rtol, grad_atol = rtol * 10, atol * 10
    for i, x in enumerate(xs):
        if f"xgrad{i}" in ref:
            assert x.grad is not None, f"no gradient for input {i}"
            assert_close(_np(x.grad), ref[f"xgrad{i}"], grad_rtol, grad_atol, f"gradient of input {i}")
    if state:
        for name, p in ours.named_parameters():
            if f"grad.{name}" in ref:
                assert_close(_np(p.grad), ref[f"grad.{name}"], grad_rtol, grad_atol, f"gradient of {name}")
            else:
                assert p.grad is None or not np.any(_np(p.grad)), f"{name} has a gradient, PyTorch's has none"
    return ref
