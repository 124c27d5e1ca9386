"""Activation checkpointing, as ``torch.utils.checkpoint``: trade compute for memory.

``checkpoint(fn, *args)`` runs ``fn`` without recording its graph, keeping only
its inputs; the backward pass runs ``fn`` again (with the random state it first
saw) and backpropagates through that recomputed graph. Gradients equal those
of the plain run; the activations inside ``fn`` live only during its backward.
"""
from __future__ import annotations

import copy
import functools

from .. import backend
from ..autograd import backward as _backward
from ..creation import empty
from ..function import Function
from ..grad_mode import enable_grad, is_grad_enabled
from ..grad_mode import state as _mode
from ..random import get_rng_state, set_rng_state
from ..tensor import Tensor

__all__ = ["checkpoint", "checkpoint_sequential"]


def _rng_states(devices):
    """The CPU generator's state and a copy of each other device's default generator."""
    states = {"cpu": get_rng_state()}
    for dev in devices:
        if dev.type != "cpu":
            try:  # NumPy-like generators copy; one that cannot is not replayed
                states[dev] = copy.deepcopy(dev.backend.generator(dev.index))
            except Exception:  # noqa: BLE001
                continue
    return states


def _set_rng_states(states):
    for dev, state in states.items():
        if dev == "cpu":
            set_rng_state(state)
        else:  # the registry hands out this generator until the next manual_seed
            dev.backend._generators[dev.index] = copy.deepcopy(state)


class _Checkpoint(Function):
    """Runs ``fn`` unrecorded; ``backward`` recomputes it with grad enabled and backpropagates."""

    @staticmethod
    def forward(ctx, fn, preserve_rng_state, anchor, *args):
        ctx.fn, ctx.preserve = fn, preserve_rng_state
        ctx.devices = {a.device for a in args if isinstance(a, Tensor)}
        if preserve_rng_state:
            ctx.rng = _rng_states(ctx.devices)
        ctx.tensor_pos = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        ctx.others = [None if isinstance(a, Tensor) else a for a in args]
        ctx.save_for_backward(*(args[i] for i in ctx.tensor_pos))
        out = fn(*args)
        ctx.single = isinstance(out, Tensor)
        if not ctx.single and not (isinstance(out, tuple) and all(isinstance(o, Tensor) for o in out)):
            raise TypeError("checkpoint: the function must return a Tensor or a tuple of Tensors, got "
                            f"{type(out).__name__}")
        return out

    @staticmethod
    def backward(ctx, *grads):
        if is_grad_enabled():  # create_graph: the input gradients must stay functions of the inputs
            return _backward_create_graph(ctx, grads)
        args = list(ctx.others)
        inputs = []
        for i, t in zip(ctx.tensor_pos, ctx.saved_tensors):
            d = t.detach()
            d.requires_grad_(ctx.needs_input_grad[3 + i])
            args[i] = d
            inputs.append(d)
        with enable_grad():
            pairs = _rerun(ctx, args, grads)
        input_grads = [None] * len(ctx.others)
        wanted = [d for d in inputs if d.requires_grad]
        if pairs and _mode.accumulating:  # the parameters fn used get their .grad too
            _backward([o for o, _ in pairs], [g for _, g in pairs])
            for i, d in zip(ctx.tensor_pos, inputs):
                input_grads[i] = d.grad
        elif pairs and wanted:  # inside ag.grad (or backward(inputs=)): no .grad written
            from ..autograd import grad as _grad
            got = dict(zip(map(id, wanted), _grad([o for o, _ in pairs], wanted, [g for _, g in pairs],
                                                  allow_unused=True)))
            for i, d in zip(ctx.tensor_pos, inputs):
                input_grads[i] = got.get(id(d))
        return (None, None, None, *input_grads)


def _rerun(ctx, args, grads):
    """``fn(*args)`` again under the forward's random state: the ``(output, gradient)`` pairs that
    carry a gradient back."""
    now = _rng_states(ctx.devices) if ctx.preserve else None
    try:
        if ctx.preserve:
            _set_rng_states(ctx.rng)
        out = ctx.fn(*args)
    finally:
        if now is not None:
            _set_rng_states(now)
    outs = (out,) if ctx.single else tuple(out)
    return [(o, g) for o, g in zip(outs, grads) if o.requires_grad and g is not None]


def _backward_create_graph(ctx, grads):
    """Recompute ``fn`` on the saved inputs themselves (not detached copies), so that the
    gradients returned are differentiable with respect to them; the gradients are taken up to
    those inputs only (the engine carries them on), and the leaves ``fn`` reached by itself
    (parameters) get theirs in their ``.grad``, as in the run without ``create_graph``."""
    from ..autograd import grad as _grad
    from ..function import _next_seq
    args = list(ctx.others)
    for i, t in zip(ctx.tensor_pos, ctx.saved_tensors):
        args[i] = t
    wanted = [t for i, t in zip(ctx.tensor_pos, ctx.saved_tensors) if ctx.needs_input_grad[3 + i]]
    marker = _next_seq()
    pairs = _rerun(ctx, args, grads)
    params = (_inner_leaves([o for o, _ in pairs], marker, {id(t) for t in wanted})
              if _mode.accumulating else [])
    got = _grad([o for o, _ in pairs], wanted + params, [g for _, g in pairs], create_graph=True,
                allow_unused=True) if pairs and (wanted or params) else [None] * (len(wanted) + len(params))
    for p, g in zip(params, got[len(wanted):]):
        if g is not None:
            p.grad = g if p.grad is None else p.grad + g
    by_id = {id(t): g for t, g in zip(wanted, got)}
    input_grads = [None] * len(ctx.others)
    for i, t in zip(ctx.tensor_pos, ctx.saved_tensors):
        input_grads[i] = by_id.get(id(t)) if ctx.needs_input_grad[3 + i] else None
    return (None, None, None, *input_grads)


def _inner_leaves(outs, marker, skip):
    """The leaves requiring grad that nodes recorded after ``marker`` (the recomputation) use."""
    seen, leaves, stack = set(), {}, [o.grad_fn for o in outs if o.grad_fn is not None]
    while stack:
        node = stack.pop()
        if id(node) in seen or node._seq > marker:
            continue
        seen.add(id(node))
        for e in node._edges:
            if e is None:
                continue
            if isinstance(e[0], Function):
                stack.append(e[0])
            elif e[0].requires_grad and id(e[0]) not in skip:
                leaves[id(e[0])] = e[0]
    return list(leaves.values())


def checkpoint(function, *args, use_reentrant=None, preserve_rng_state=True, **kwargs):
    """Run ``function(*args, **kwargs)`` without keeping its activations; recompute them in backward.

    Args:
        function: returns a Tensor or a tuple of Tensors.
        *args: its arguments (Tensors and other values).
        use_reentrant (bool): accepted for PyTorch compatibility; both values use the
            same recomputation (``True`` rejects keyword arguments, as PyTorch).
        preserve_rng_state (bool): replay the random state of the first run (dropout
            draws the same masks), default True.
        **kwargs: keyword arguments of ``function``.

    Gradients reach the Tensor arguments through the returned value and the
    parameters ``function`` uses through their ``.grad`` when the backward fills
    ``.grad`` (``backward()``; ``autograd.grad`` and ``backward(inputs=...)`` leave
    them alone): ``autograd.grad`` with respect to such a parameter is not supported.
    ``create_graph=True`` works (gradient penalties through a checkpoint).

    Example::

        >>> lin = nn.Linear(3, 3)
        >>> x = ag.ones(2, 3, requires_grad=True)
        >>> checkpoint(lambda t: lin(t).tanh(), x, use_reentrant=False).sum().backward()
        >>> x.grad.shape
        (2, 3)
    """
    if use_reentrant and kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    fn = functools.partial(function, **kwargs) if kwargs else function
    # an always-differentiable anchor input: parameters used inside ``function`` get their
    # gradients even when no Tensor argument requires grad (PyTorch's non-reentrant behaviour)
    tensors = [a for a in args if isinstance(a, Tensor)]
    anchor = None
    if is_grad_enabled() and not any(t.requires_grad for t in tensors):
        device = tensors[0].device if tensors else "cpu"
        anchor = empty(0, dtype=backend.float32, device=device, requires_grad=True)
    return _Checkpoint.apply(fn, preserve_rng_state, anchor, *args)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Run a ``Sequential`` (or list of modules/functions) in ``segments`` checkpointed chunks.

    The last segment runs normally (its activations feed the loss right away), as PyTorch.

    Args:
        functions: an ``nn.Sequential`` or a list of callables applied in order.
        segments (int): number of chunks.
        input: the Tensor fed to the first function.
        use_reentrant, preserve_rng_state: as :func:`checkpoint`.
    """
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    if hasattr(functions, "children") and not isinstance(functions, (list, tuple)):
        functions = list(functions.children())
    functions = list(functions)

    def run(start, end):
        def forward(x):
            for j in range(start, end + 1):
                x = functions[j](x)
            return x
        return forward

    size = len(functions) // segments
    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(run(start, end), input, use_reentrant=use_reentrant,
                           preserve_rng_state=preserve)
    return run(end + 1, len(functions) - 1)(input)
