"""``ag.autograd``: ``Function``, ``backward`` and ``grad`` (as ``torch.autograd``)."""
from __future__ import annotations

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
         allow_unused=False):
    """Gradients of ``outputs`` with respect to ``inputs``, returned as a tuple.

    Leaves' ``.grad`` are not touched. With ``create_graph=True`` the results are
    differentiable (Hessian-vector products, gradient penalties).

    Example::

        >>> x = ag.tensor(3.0, requires_grad=True)
        >>> (g,) = ag.grad(x ** 3, x, create_graph=True)
        >>> ag.grad(g, x)[0]
        tensor(18.)
    """
    outputs = _seq(outputs)
    inputs_t = _seq(inputs)
    for i, t in enumerate(inputs_t):
        if not isinstance(t, Tensor):
            raise TypeError(f"grad: input {i} is a {type(t).__name__}, expected a Tensor")
        if not t.requires_grad:
            raise RuntimeError(f"One of the differentiated Tensors (input {i}) does not require grad")
    if retain_graph is None:
        retain_graph = create_graph
    seeds = _seed_grads(outputs, grad_outputs)
    return run_backward(outputs, seeds, retain_graph, create_graph, inputs=inputs_t,
                        allow_unused=allow_unused)


def Variable(data, requires_grad=False, volatile=False):  # noqa: N802 - PyTorch's legacy class name
    """Legacy ``torch.autograd.Variable``: since PyTorch 0.4 a Variable is a Tensor.

    Returns a new leaf sharing ``data``'s values (cut from ``data``'s graph), with
    ``requires_grad`` set as asked. ``volatile`` is accepted and ignored, as in PyTorch.
    """
    if not isinstance(data, Tensor):
        raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
    out = data.detach()
    return out.requires_grad_(True) if requires_grad else out


def __getattr__(name):  # torch.autograd's other names, imported on first use (no import cycle)
    import importlib

    if name in ("detect_anomaly", "set_detect_anomaly"):
        return getattr(importlib.import_module("autograd.anomaly"), name)
    if name in ("gradcheck", "gradgradcheck"):
        return getattr(importlib.import_module("autograd.gradcheck"), name)
    raise AttributeError(f"module 'autograd.autograd' has no attribute {name!r}")
