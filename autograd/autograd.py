"""``ag.autograd``: ``Function``, ``backward`` and ``grad`` (as ``torch.autograd``)."""
from __future__ import annotations

import sys as _sys
import warnings
from collections.abc import Mapping

from .accumulate import _grad_lock, _run_post_hooks, accumulate_grad, post_accumulate_hooks
from .engine import run_backward
from .function import Function
from .tensor import Tensor

__all__ = ["Function", "Variable", "backward", "grad"]


def _seq(x):
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _seed_grads(outputs, grad_outputs):
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    grad_outputs = _seq(grad_outputs) if not isinstance(grad_outputs, Tensor) else (grad_outputs,)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(
            f"grad requires one gradient per output: got {len(grad_outputs)} for {len(outputs)} outputs"
        )
    seeds = []
    for out, g in zip(outputs, grad_outputs):
        if g is None:
            if out._data.size != 1:
                raise RuntimeError(
                    f"grad can be implicitly created only for scalar outputs; the output has shape "
                    f"{tuple(out.shape)}: pass gradient= (or grad_outputs=) of that shape"
                )
            g = Tensor._make(out.device.xp.ones(out.shape, out.dtype), out.device)
        else:
            if not isinstance(g, Tensor):
                from .creation import tensor

                g = tensor(g, dtype=out.dtype, device=out.device)
            if g.shape != out.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output has a shape of {tuple(g.shape)} and output "
                    f"has a shape of {tuple(out.shape)}"
                )
            if g.device is not out.device:
                raise RuntimeError(f"gradient is on {g.device} but the output is on {out.device}")
        seeds.append(g)
    return seeds


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate gradients of ``tensors`` into the ``.grad`` of the graph's leaves."""
    tensors = _seq(tensors)
    if retain_graph is None:
        retain_graph = create_graph
    seeds = _seed_grads(tensors, grad_tensors)
    if inputs is not None:
        inputs = _seq(inputs)
        if not inputs:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
        leaves = {}
        for t in inputs:
            # as PyTorch: a non-leaf input retains its gradient, and the engine writes its .grad
            # (once, however often it is named); a leaf that does not require grad is refused here
            t.retain_grad()
            if t.grad_fn is None:
                leaves[id(t)] = t
        grads = run_backward(tensors, seeds, retain_graph, create_graph, inputs=inputs,
                             allow_unused=True, run_inputs=True)
        done = []
        with _grad_lock:
            for t, g in zip(inputs, grads):
                if g is not None and leaves.pop(id(t), None) is not None:  # each leaf once
                    accumulate_grad(t, g, False, create_graph)  # may be the caller's or shared: copied
                    done.append(t)
        if post_accumulate_hooks.count:
            for t in done:
                _run_post_hooks(t)
        return
    run_backward(tensors, seeds, retain_graph, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Gradients of ``outputs`` with respect to ``inputs``, returned as a tuple.

    Leaves' ``.grad`` are not touched. With ``create_graph=True`` the results are
    differentiable (Hessian-vector products, gradient penalties). As PyTorch:
    ``inputs`` may be a dict (the result is then a dict of the same keys),
    ``only_inputs`` is deprecated and ignored (a ``FutureWarning`` when False),
    ``materialize_grads`` gives zeros for unused inputs, and ``is_grads_batched``
    takes each ``grad_outputs`` with a leading batch dimension (one
    vector-Jacobian product per row, stacked).

    Example::

        >>> x = ag.tensor(3.0, requires_grad=True)
        >>> (g,) = ag.grad(x ** 3, x, create_graph=True)
        >>> ag.grad(g, x)[0]
        tensor(18.)
    """
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, "
                         "but got: allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
    outputs = _seq(outputs)
    if type(inputs) is dict:
        inputs_t = tuple(inputs.values())
    elif isinstance(inputs, Mapping):
        raise TypeError(f"`inputs` argument to `grad()` must be a dict, not {type(inputs).__name__}. "
                        "Other Mapping types are not supported.")
    else:
        inputs_t = _seq(inputs)
    if not inputs_t:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    for i, t in enumerate(inputs_t):
        if not isinstance(t, Tensor):
            raise TypeError(f"grad: input {i} is a {type(t).__name__}, expected a Tensor")
        if not t.requires_grad:
            raise RuntimeError(f"One of the differentiated Tensors (input {i}) does not require grad")
    if not only_inputs:
        warnings.warn("only_inputs argument is deprecated and is ignored now (defaults to True). To "
                      "accumulate gradient for other parts of the graph, please use "
                      "torch.autograd.backward.", FutureWarning, stacklevel=2)
    if retain_graph is None:
        retain_graph = create_graph
    if is_grads_batched:
        result = _batched_grad(outputs, grad_outputs, retain_graph, create_graph, inputs_t, allow_unused)
    else:
        seeds = _seed_grads(outputs, grad_outputs)
        result = run_backward(outputs, seeds, retain_graph, create_graph, inputs=inputs_t,
                              allow_unused=allow_unused)
    if materialize_grads:
        from .creation import zeros_like

        result = tuple(r if r is not None else zeros_like(t, requires_grad=create_graph)
                       for r, t in zip(result, inputs_t))
    if type(inputs) is dict:
        return dict(zip(inputs.keys(), result))
    return tuple(result)


def _batched_grad(outputs, grad_outputs, retain_graph, create_graph, inputs, allow_unused):
    """``grad(..., is_grads_batched=True)``: one backward per row of the batched ``grad_outputs``."""
    from .ops.shape import stack

    if grad_outputs is None:
        raise RuntimeError("grad_outputs must be given (with a leading batch dimension) when "
                           "is_grads_batched=True")
    batched = list(_seq(grad_outputs))
    if len(batched) != len(outputs):
        raise RuntimeError(f"grad requires one gradient per output: got {len(batched)} for "
                           f"{len(outputs)} outputs")
    sizes = {g.shape[0] for g in batched if g is not None}
    for out, g in zip(outputs, batched):
        if g is None:
            raise RuntimeError("grad_outputs may not hold None when is_grads_batched=True")
        if tuple(g.shape[1:]) != tuple(out.shape):
            raise RuntimeError(
                f"If `is_grads_batched=True`, we interpret the first dimension of each grad_output as "
                f"the batch dimension. The sizes of the remaining dimensions are expected to match "
                f"the shape of corresponding output, but a mismatch was detected: grad_output has a "
                f"shape of {tuple(g.shape)} and output has a shape of {tuple(out.shape)}.")
    if len(sizes) != 1:
        raise RuntimeError("is_grads_batched: every grad_output needs the same batch size")
    (n,) = sizes
    rows = []
    for b in range(n):
        seeds = _seed_grads(outputs, [g[b] for g in batched])
        rows.append(run_backward(outputs, seeds, retain_graph or b < n - 1, create_graph,
                                 inputs=inputs, allow_unused=allow_unused))
    result = []
    for k, t in enumerate(inputs):
        col = [r[k] for r in rows]
        if all(c is None for c in col):
            result.append(None)
            continue
        from .creation import zeros_like

        result.append(stack([c if c is not None else zeros_like(t) for c in col]))
    return tuple(result)


def Variable(data, requires_grad=False, volatile=False):  # noqa: N802 - PyTorch's legacy class name
    """Legacy ``torch.autograd.Variable``: since PyTorch 0.4 a Variable is a Tensor.

    Returns a new leaf sharing ``data``'s values (cut from ``data``'s graph), with
    ``requires_grad`` set as asked. ``volatile`` is accepted and ignored, as in PyTorch.
    """
    if not isinstance(data, Tensor):
        raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
    out = data.detach()
    return out.requires_grad_(True) if requires_grad else out


# ``torch.autograd.function`` (``from torch.autograd.function import once_differentiable``): this
# module is a file, so the submodule is the registered ``autograd.function``
function = _sys.modules[Function.__module__]
_sys.modules.setdefault(__name__ + ".function", function)
# ``torch.autograd.functional`` (jacobian, hessian, vjp, jvp, vhp, hvp), the same way
from . import autograd_functional as functional  # noqa: E402  (needs grad, defined above)

_sys.modules.setdefault(__name__ + ".functional", functional)


def __getattr__(name):  # torch.autograd's other names, imported on first use (no import cycle)
    import importlib

    if name in ("detect_anomaly", "set_detect_anomaly"):
        return getattr(importlib.import_module("autograd.anomaly"), name)
    if name in ("gradcheck", "gradgradcheck"):
        return getattr(importlib.import_module("autograd.gradcheck"), name)
    raise AttributeError(f"module 'autograd.autograd' has no attribute {name!r}")
