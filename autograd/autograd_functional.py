"""``torch.autograd.functional``: ``vjp``, ``jvp``, ``vhp``, ``hvp``, ``jacobian`` and ``hessian``.

Reverse mode on the engine's ``grad`` (``jvp`` by the double-vjp trick, as PyTorch's). As
PyTorch: inputs and outputs are a Tensor or a tuple of Tensors and results keep that structure,
an input that an output does not depend on gets zeros (``strict=False``) or raises
(``strict=True``), and results are detached unless ``create_graph``. ``vectorize`` and
``strategy`` are accepted; the rows are computed one by one.
"""
from __future__ import annotations

from .autograd import grad as _grad
from .grad_mode import enable_grad
from .tensor import Tensor

__all__ = ["vjp", "jvp", "vhp", "hvp", "jacobian", "hessian"]


def _as_tuple(x, arg, fn):
    if isinstance(x, Tensor):
        return False, (x,)
    if not isinstance(x, (tuple, list)) or not all(isinstance(t, Tensor) for t in x):
        raise TypeError(f"The {arg} given to {fn} must be either a Tensor or a tuple of Tensors but the "
                        f"value at index 0 has type {type(x if not isinstance(x, (tuple, list)) else x[0])}.")
    return True, tuple(x)


def _prepare(inputs, create_graph):
    return tuple(t.detach().requires_grad_(True) if not (create_graph and t.requires_grad)
                 else t.view_as(t) for t in inputs)


def _vjp_rows(outputs, inputs, vs, create_graph, strict, fn):
    """The gradients of ``sum(out * v)`` with respect to each input (zeros where unused)."""
    used = [(o, v) for o, v in zip(outputs, vs) if o.requires_grad]
    if not used:
        if strict:
            raise RuntimeError("The output of the user-provided function is independent of input 0. "
                               "This is not allowed in strict mode.")
        return tuple(t.new_zeros(t.shape) for t in inputs)
    gs = _grad([o for o, _ in used], inputs, [v for _, v in used], create_graph=True, allow_unused=True)
    out = []
    for i, (g, t) in enumerate(zip(gs, inputs)):
        if g is None:
            if strict:
                raise RuntimeError(f"The output of the user-provided function is independent of input {i}. "
                                   "This is not allowed in strict mode.")
            g = t.new_zeros(t.shape)
        out.append(g if create_graph else g.detach())
    return tuple(out)


def _input_vectors(inputs, v, fn):
    """``v`` as a tuple of vectors shaped as ``inputs`` (ones for a single one-element input)."""
    if v is None:
        if len(inputs) != 1 or inputs[0].numel() != 1:
            raise RuntimeError("The vector v can only be None if the input to the user-provided function "
                               "is a single Tensor with a single element.")
        return (inputs[0].new_ones(inputs[0].shape),)
    return _as_tuple(v, "v", fn)[1]


def _grad_out(outputs, v, fn):
    if v is None:
        if len(outputs) != 1 or outputs[0].numel() != 1:
            raise RuntimeError("The vector v can only be None if the user-provided function returns a "
                               "single Tensor with a single element.")
        return (outputs[0].new_ones(outputs[0].shape),)
    _, vs = _as_tuple(v, "v", fn)
    if len(vs) != len(outputs):
        raise RuntimeError(f"v is a tuple of invalid length: should be {len(outputs)} but got {len(vs)}.")
    for o, g in zip(outputs, vs):
        if tuple(o.shape) != tuple(g.shape):
            raise RuntimeError(f"Entry 0 in v has invalid size: should be {list(o.shape)} but got "
                               f"{list(g.shape)}.")
    return vs


def _call(func, inputs):
    with enable_grad():
        out = func(*inputs)
    is_tuple, outs = _as_tuple(out, "outputs of the user-provided function", "the function")
    return is_tuple, outs


def _detach(x, create_graph):
    return x if create_graph else x.detach()


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), v^T J)``: the vector-Jacobian product at ``inputs``."""
    in_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
    inputs = _prepare(inputs, create_graph)
    out_tuple, outputs = _call(func, inputs)
    vs = _grad_out(outputs, v, "vjp")
    res = _vjp_rows(outputs, inputs, vs, create_graph, strict, "vjp")
    outs = tuple(_detach(o, create_graph) for o in outputs)
    return (outs if out_tuple else outs[0]), (res if in_tuple else res[0])


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), J v)``: the Jacobian-vector product, by differentiating a vjp (the double-vjp
    trick)."""
    in_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
    inputs = _prepare(inputs, create_graph)
    vs = _input_vectors(inputs, v, "jvp")
    out_tuple, outputs = _call(func, inputs)
    with enable_grad():
        dummies = tuple(o.new_zeros(o.shape).requires_grad_(True) for o in outputs)
        used = [(o, d) for o, d in zip(outputs, dummies) if o.requires_grad]
        if used:
            gi = _grad([o for o, _ in used], inputs, [d for _, d in used], create_graph=True,
                       allow_unused=True)
            pairs = [(g, w) for g, w in zip(gi, vs) if g is not None]
        else:
            pairs = []
        if pairs:
            res = _grad([g for g, _ in pairs], dummies, [w for _, w in pairs], create_graph=create_graph,
                        allow_unused=True)
        else:
            res = (None,) * len(outputs)
    res = tuple(o.new_zeros(o.shape) if r is None else _detach(r, create_graph) for r, o in zip(res, outputs))
    if strict and any(r is None for r in res):
        raise RuntimeError("The output of the user-provided function is independent of the input. This is "
                           "not allowed in strict mode.")
    outs = tuple(_detach(o, create_graph) for o in outputs)
    return (outs if out_tuple else outs[0]), (res if out_tuple else res[0])


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``: ``out.shape + in.shape`` per (output, input) pair."""
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
                         'function has more outputs than inputs, "forward-mode" tends to be more performant. '
                         'Otherwise, prefer to use "reverse-mode".')
    in_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
    inputs = _prepare(inputs, create_graph)
    out_tuple, outputs = _call(func, inputs)
    from .ops.shape import stack

    per_output = []
    for o in outputs:
        rows = []
        flat = o.reshape(-1)
        for k in range(flat.numel()):
            if o.requires_grad:
                gs = _grad(flat[k], inputs, retain_graph=True, create_graph=create_graph, allow_unused=True)
            else:
                gs = (None,) * len(inputs)
            row = []
            for i, (g, t) in enumerate(zip(gs, inputs)):
                if g is None:
                    if strict:
                        raise RuntimeError(f"Output 0 of the user-provided function is independent of input "
                                           f"{i}. This is not allowed in strict mode.")
                    g = t.new_zeros(t.shape)
                row.append(g)
            rows.append(row)
        jac = []
        for i, t in enumerate(inputs):
            if rows:
                j = stack([r[i] for r in rows]).reshape(tuple(o.shape) + tuple(t.shape))
            else:
                j = t.new_zeros(tuple(o.shape) + tuple(t.shape))
            jac.append(j if create_graph else j.detach())
        per_output.append(tuple(jac) if in_tuple else jac[0])
    return tuple(per_output) if out_tuple else per_output[0]


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a scalar ``func`` at ``inputs`` (``in.shape + in.shape``; a tuple of tuples for
    several inputs)."""
    in_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")

    def jac_func(*inp):
        out = func(*inp)
        if not isinstance(out, Tensor) or out.numel() != 1:
            raise RuntimeError("The function given to hessian should return a single Tensor with a single "
                               "element.")
        gs = _grad(out.reshape(()), inp, create_graph=True, allow_unused=True)
        return tuple(g if g is not None else t.new_zeros(t.shape) for g, t in zip(gs, inp))

    res = jacobian(jac_func, inputs, create_graph=create_graph, strict=strict)
    return res if in_tuple else res[0][0]


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), v^T H)`` for a scalar ``func``."""
    return _hessian_product(func, inputs, v, create_graph, strict, "vhp")


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), H v)`` for a scalar ``func`` (``H`` symmetric: the same as :func:`vhp`)."""
    return _hessian_product(func, inputs, v, create_graph, strict, "hvp")


def _hessian_product(func, inputs, v, create_graph, strict, fn):
    in_tuple, inputs = _as_tuple(inputs, "inputs", fn)
    inputs = _prepare(inputs, create_graph)
    vs = _input_vectors(inputs, v, fn)
    with enable_grad():
        out = func(*inputs)
        if not isinstance(out, Tensor) or out.numel() != 1:
            raise RuntimeError(f"The function given to {fn} should return a single Tensor with a single "
                               "element.")
        gs = _grad(out.reshape(()), inputs, create_graph=True, allow_unused=True)
        pairs = [(g, w) for g, w in zip(gs, vs) if g is not None and g.requires_grad]
        if pairs:
            hs = _grad([g for g, _ in pairs], inputs, [w for _, w in pairs], create_graph=create_graph,
                       allow_unused=True)
        else:
            hs = (None,) * len(inputs)
    res = tuple(t.new_zeros(t.shape) if h is None else _detach(h, create_graph) for h, t in zip(hs, inputs))
    return _detach(out, create_graph), (res if in_tuple else res[0])
