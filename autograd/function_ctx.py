"""More of ``torch.autograd.Function``'s API (kept apart: ``function.py`` is at its size limit):
``ctx.set_materialize_grads``, ``ctx.mark_dirty``, the ``setup_context`` style of ``forward``,
the ``once_differentiable`` decorator for ``backward``, and the Node hooks
(``grad_fn.register_hook`` / ``register_prehook``)."""
from __future__ import annotations

import functools

from .observers import RemovableHandle


class _CtxExtras:
    """Mixed into ``Function``."""

    __slots__ = ()
    _no_materialize = False
    _dirty = None

    def register_hook(self, output_nr, hook=None):
        """PyTorch's Node hook ``fn(grad_inputs, grad_outputs)`` (may return new grad_inputs);
        as ``(output_nr, hook)``, a tensor hook on that output (``Tensor.register_hook``)."""
        return self._add_hook("post", output_nr) if hook is None else self._add_hook(output_nr, hook)

    def register_prehook(self, hook):
        """PyTorch's Node pre-hook ``fn(grad_outputs)`` (may return new grad_outputs)."""
        return self._add_hook("pre", hook)

    def _add_hook(self, key, hook):
        if self._hooks is None:
            self._hooks = {}
        self._hooks.setdefault(key, []).append(hook)
        return RemovableHandle(self._hooks[key], hook)

    def mark_dirty(self, *args):
        """Declare the inputs that ``forward`` modified in place; each must also be returned. The
        output is then that same tensor, holding this node's history, as PyTorch's."""
        self._dirty = args

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


def took_dirty(ctx, args, made):
    """``apply``'s outputs ``made`` with each input marked dirty (``ctx.mark_dirty``) in its
    output's place: the input itself takes the output's history, and its version moves on."""
    from .view_tracking import live_views, rebase, shares_root

    made = list(made)
    for d in ctx._dirty:
        if not any(d is a for a in args):
            raise RuntimeError(f"{ctx.name()}: mark_dirty() got a tensor that is not an input of forward")
        k = next((i for i, o in enumerate(made) if o is not None and o._data is d._data), None)
        if k is None:
            raise RuntimeError("Some elements marked as dirty during the forward method were not returned "
                               "as output. The inputs that are modified inplace must all be outputs of the "
                               "Function.")
        out = made[k]
        d._bump()
        if out.grad_fn is not None:
            if d.grad_fn is None and d.requires_grad:
                raise RuntimeError("a leaf Variable that requires grad has been used in an in-place "
                                   "operation.")
            if shares_root(d):
                raise RuntimeError(f"{ctx.name()}: an input marked dirty is a view of another tensor; "
                                   "in-place changes of views in a custom Function are not supported "
                                   "(pass a clone() or the base tensor)")
            saved = ctx._saved  # saved as the input or the output: now the output, on d's counter
            if saved.__class__ is list:
                for i, rec in enumerate(saved):
                    if rec.__class__ is tuple and (rec[0] == 0 and rec[1] is d
                                                   or rec[0] == 1 and rec[4] == k):
                        saved[i] = (1, d._data, d._version[0], d._version, k)
            views = live_views(d)
            d._take_history(out)
            rebase(d, views)
        made[k] = d
    return tuple(made)
