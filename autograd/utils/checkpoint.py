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
        args = list(ctx.others)
        inputs = []
        for i, t in zip(ctx.tensor_pos, ctx.saved_tensors):
            d = t.detach()
            d.requires_grad_(ctx.needs_input_grad[3 + i])
            args[i] = d
            inputs.append(d)
        now = _rng_states(ctx.devices) if ctx.preserve else None
        try:
            if ctx.preserve:
                _set_rng_states(ctx.rng)
            with enable_grad():
                out = ctx.fn(*args)
        finally:
            if now is not None:
                _set_rng_states(now)
        outs = (out,) if ctx.single else tuple(out)
        pairs = [(o, g) for o, g in zip(outs, grads) if o.requires_grad and g is not None]
        if pairs:
            _backward([o for o, _ in pairs], [g for _, g in pairs])
        input_grads = [None] * len(ctx.others)
        for i, d in zip(ctx.tensor_pos, inputs):
            input_grads[i] = d.grad
        return (None, None, None, *input_grads)


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
    parameters ``function`` uses through their ``.grad`` (as PyTorch's reentrant
    variant): ``autograd.grad`` with respect to such a parameter is not supported.

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
