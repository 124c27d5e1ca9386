"""The graph half of ``Tensor``: requires_grad_, detach, retain_grad, hooks, backward, version counters.

A mixin of :class:`autograd.tensor.Tensor`, kept in its own file so that ``tensor.py`` stays a
list of one-line delegates to the ops.
"""
from __future__ import annotations

import weakref

from .grad_mode import state
from .backend import buffer_of
from .view_tracking import register, shares_root


class TensorGraph:
    """Tensor's methods about its place in the graph (mixed into :class:`Tensor`)."""

    __slots__ = ()

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` in place (leaves only)."""
        if self.grad_fn is not None and not requires_grad:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use "
                "a computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError(
                f"only Tensors of floating point dtype can require gradients, got {self._data.dtype}"
            )
        self.requires_grad = bool(requires_grad)
        return self

    def detach(self):
        """A new tensor sharing the data, cut from the graph."""
        t = Tensor._make(self._data, self.device)
        if self._version is None:
            self._version = [0]
        t._version = self._version
        register(self, (t,))
        return t

    def detach_(self):
        """Cut this tensor from the graph in place."""
        self.grad_fn = None
        self.requires_grad = False
        return self

    def retain_grad(self):
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        if self.grad_fn is None:
            if not self.requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        fn = self.grad_fn
        if fn._retained is None:
            fn._retained = {}
        fn._retained[self._output_nr] = weakref.ref(self)
        self._retains_grad = True

    def _take_history(self, src):
        """Take ``src``'s place in the graph (after an in-place op): its node, output number and
        requires_grad. A ``retain_grad()`` moves along, so that ``.grad`` is the gradient of the new
        value, as PyTorch's (hooks stay with the old value, as PyTorch's)."""
        old_fn, old_nr = self.grad_fn, self._output_nr
        self.grad_fn, self._output_nr, self.requires_grad = src.grad_fn, src._output_nr, src.requires_grad
        if self._retains_grad:
            kept = old_fn._retained if old_fn is not None else None
            if kept is not None and old_nr in kept and kept[old_nr]() is self:
                del kept[old_nr]
            if self.grad_fn is not None:
                self.retain_grad()

    @property
    def retains_grad(self):
        return self._retains_grad

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed.

        The hook may return a new gradient. Returns a handle with ``remove()``.
        """
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            return self.grad_fn.register_hook(self._output_nr, hook)
        from .function import _HookHandle

        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return _HookHandle(self._hooks, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """Call ``hook(self)`` on this leaf each time a backward pass has updated its ``.grad``.

        The engine writes the leaf's ``.grad`` as soon as all its gradients of the pass
        have arrived and calls the hook then, while backward goes on with the rest of the
        graph. ``hook`` must return None. Returns a handle with ``remove()``.
        """
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        from .accumulate import post_accumulate_hooks

        return post_accumulate_hooks.register(self, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate the gradient of this tensor into the leaves' ``.grad``.

        Args:
            gradient: the gradient of some scalar with respect to this tensor;
                needed unless it holds a single element.
            retain_graph: keep the graph's saved values for another backward
                (defaults to ``create_graph``).
            create_graph: record the backward pass so the gradient can be
                differentiated again.
        """
        from .autograd import backward

        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def _bump(self):
        """Mark an in-place change (the version counter the saved-tensor check reads)."""
        v = self._version
        if v is None:
            self._version = [1]
        else:
            v[0] += 1

    def _check_inplace(self):
        if not (self.requires_grad and state.enabled):
            if self._nograd_view and state.enabled:
                raise RuntimeError(
                    "A view was created in no_grad mode and is being modified inplace with grad mode "
                    "enabled. Given that this use case is ambiguous and error-prone, it is forbidden. You "
                    "can clarify your code by moving both the view and the inplace either both inside the "
                    "no_grad block (if you don't want the inplace to be tracked) or both outside (if you "
                    "want the inplace to be tracked)."
                )
            return
        fn = self.grad_fn
        if fn is None:
            raise RuntimeError(
                "a leaf Variable that requires grad is being used in an in-place operation "
                f"(tensor of shape {tuple(self.shape)}); wrap it in `with ag.no_grad():` or "
                "use an out-of-place operation."
            )
        if not shares_root(self):  # not a view (a reshape that copied is not one)
            return
        while fn.is_view and fn._edges and fn._edges[0] is not None:  # walk a chain of views to its base
            base = fn._edges[0][0]
            # a leaf at the end of the chain whose memory this tensor shares (a copy in the chain,
            # e.g. transpose().reshape(), ends the sharing)
            if isinstance(base, Tensor):
                if buffer_of(base._data)[0] != buffer_of(self._data)[0]:
                    return
                raise RuntimeError(
                    f"a view of a leaf Variable that requires grad is being used in an in-place operation "
                    f"(a view of shape {tuple(self.shape)} made by {fn.name()}{fn.where()} of a leaf of "
                    f"shape {tuple(base.shape)}); wrap it in `with ag.no_grad():` or use an out-of-place "
                    "operation."
                )
            fn = base

    @property
    def _version_value(self):
        return self._version[0] if self._version else 0


Tensor = None  # the Tensor class, set by tensor.py once it exists (it is built on this mixin)
