"""More of ``torch.autograd.Function``'s API (kept apart: ``function.py`` is at its size limit):
``ctx.set_materialize_grads``, the ``setup_context`` style of ``forward``, and the
``once_differentiable`` decorator for ``backward``."""
from __future__ import annotations

import functools


class _CtxExtras:
    """Mixed into ``Function``."""

    __slots__ = ()
    _no_materialize = False

    def set_materialize_grads(self, value):
        """With ``False``, ``backward`` receives ``None`` (not zeros) for the outputs that got no
        gradient, as PyTorch."""
        self._no_materialize = not value

    @staticmethod
    def setup_context(ctx, inputs, output):
        """Override to write ``forward(*args)`` without ``ctx`` (PyTorch 2's style): ``apply`` then
        calls ``setup_context(ctx, inputs, output)`` to save what ``backward`` needs."""
        raise NotImplementedError

    @classmethod
    def _forward_then_setup(cls, ctx, args):
        output = cls.forward(*args)
        cls.setup_context(ctx, args, output)
        return output


def once_differentiable(fn):
    """Decorate a ``backward`` whose gradient is not differentiable: it runs without recording, and
    differentiating its result (double backward) raises, as PyTorch's."""
    from .grad_mode import no_grad, state
    from .tensor import Tensor

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with no_grad():
            outputs = fn(ctx, *args)
        anchor = next((a for a in args if isinstance(a, Tensor) and a.requires_grad), None)
        if not state.enabled or anchor is None:
            return outputs
        # the results require grad (through an input of the backward that does) at a node that raises
        single = not isinstance(outputs, tuple)
        outs = tuple(_DelayedError.apply(o, anchor) if isinstance(o, Tensor) and o.dtype.kind == "f" else o
                     for o in ((outputs,) if single else outputs))
        return outs[0] if single else outs

    return wrapper


def _delayed_error():
    from .function import Function

    class DelayedError(Function):
        """The identity, whose backward raises (a ``once_differentiable`` backward's result)."""

        @staticmethod
        def forward(ctx, x, anchor):
            return x.clone()

        @staticmethod
        def backward(ctx, g):
            raise RuntimeError("trying to differentiate twice a function that was marked with "
                               "@once_differentiable")

    return DelayedError


class _Lazy:
    cls = None

    def apply(self, x, anchor):
        if _Lazy.cls is None:
            _Lazy.cls = _delayed_error()
        return _Lazy.cls.apply(x, anchor)


_DelayedError = _Lazy()
