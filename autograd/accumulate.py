"""Gradients into leaves: ``.grad`` accumulation (as PyTorch's AccumulateGrad) and the leaves'
post-accumulate-grad hooks, run as soon as a leaf's last incoming gradient has arrived."""
from __future__ import annotations

import threading

from . import backend
from .function import Function
from .grad_mode import state

#: Serialises accumulation into ``.grad`` (backward from several threads on one model).
_grad_lock = threading.Lock()


class _PostAccumulateHooks:
    """``Tensor.register_post_accumulate_grad_hook``'s registry: the hooks live on the leaf
    (``_post_acc_hooks``); ``count`` lets a backward skip the tracking when there are none."""

    count = 0

    def register(self, leaf, hook):
        hooks = leaf.__dict__.get("_post_acc_hooks")
        if hooks is None:
            hooks = leaf._post_acc_hooks = []
        hooks.append(hook)
        self.count += 1
        return _PostHandle(self, hooks, hook)


class _PostHandle:
    def __init__(self, registry, hooks, hook):
        self._registry, self._hooks, self._hook = registry, hooks, hook

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)
            self._registry.count -= 1


post_accumulate_hooks = _PostAccumulateHooks()


def _hooked(leaf, g, summed, visible, claimed):
    """``(leaf, gradient after the leaf's hooks, whether the leaf may adopt its array)``."""
    if leaf._hooks:
        _mark(visible, g)
        g = _apply_hooks(leaf._hooks, g)
        summed = False
    return leaf, g, summed or _adoptable(g._data, visible, claimed)


def _run_post_hooks(leaf):
    for hook in list(leaf.__dict__.get("_post_acc_hooks") or ()):
        r = hook(leaf)
        if r is not None:
            raise TypeError(f"a post-accumulate-grad hook must return None, but returned "
                            f"'{type(r).__name__}'")


class _EarlyLeaves:
    """Counts the edges still to deliver into each leaf that has post-accumulate hooks; when the
    last one has (or has brought nothing), the leaf's ``.grad`` is written and its hooks run."""

    def __init__(self, order, leaf_grads, visible, claimed, create_graph):
        self.leaf_grads, self.visible, self.claimed = leaf_grads, visible, claimed
        self.create_graph = create_graph
        left = self.left = {}
        for node in order:
            for e in node._edges:
                if e is not None and not isinstance(e[0], Function) and e[0].__dict__.get("_post_acc_hooks"):
                    left[id(e[0])] = left.get(id(e[0]), 0) + 1

    def arrived(self, target):
        key = id(target)
        n = self.left.get(key)
        if n is None:
            return
        if n > 1:
            self.left[key] = n - 1
            return
        del self.left[key]
        entry = self.leaf_grads.pop(key, None)
        if entry is None:
            return
        leaf, g, private = _hooked(*entry, self.visible, self.claimed)
        with _grad_lock:
            accumulate_grad(leaf, g, private, self.create_graph)
        _run_post_hooks(leaf)


def accumulate_grad(leaf, g, private=False, create_graph=False):
    """Add ``g`` into ``leaf.grad``, as PyTorch's AccumulateGrad.

    ``.grad`` is always an array of its own: ``g``'s array is adopted only when
    ``private`` (the engine made it and nothing else holds it), otherwise it is
    copied. A later gradient is added in place into a writable ``.grad``, except
    under ``create_graph`` (then ``.grad`` is a new, differentiable sum). Callers
    outside :func:`run_backward` hold ``_grad_lock``.
    """
    old = leaf.grad
    if old is None:
        if create_graph:
            leaf.grad = g if private else g.clone()
        else:
            a = g._data
            if not private:
                a = a.copy()  # C order
            leaf.grad = Tensor._make(a, g.device)
        return
    a = old._data
    if (not create_graph and old.grad_fn is None and not old.requires_grad
            and old.device is g.device and a.shape == g._data.shape and a.dtype == g._data.dtype
            and _writable(a)):
        a += g._data
        old._bump()
        return
    prev = state.enabled
    state.enabled = create_graph
    try:
        leaf.grad = old + g
    finally:
        state.enabled = prev


def _writable(a):
    """A C-contiguous array that may be written (not a read-only or broadcast view)."""
    flags = a.flags
    return flags.c_contiguous and getattr(flags, "writeable", True)


def _mark(visible, g):
    if g is not None:
        visible.add(backend.buffer_of(g._data)[0])


def _adoptable(a, visible, claimed):
    """Whether a leaf may keep array ``a`` as its ``.grad``: writable, contiguous, the whole of a
    memory block that no one outside the engine has seen and no other leaf has taken."""
    if not _writable(a):
        return False
    key, nbytes = backend.buffer_of(a)
    if nbytes != a.nbytes or key in visible or key in claimed:
        return False
    claimed.add(key)
    return True


def _apply_hooks(fns, g):
    for fn in list(fns):
        r = fn(g)
        if r is not None:
            _check_hook_result(fn, g, r)
            g = r
    return g


def _check_hook_result(fn, g, r):
    """A tensor hook may replace the gradient only by one of the same shape and dtype (PyTorch)."""
    name = getattr(fn, "__name__", type(fn).__name__)
    if not isinstance(r, Tensor):
        raise TypeError(f"hook '{name}' returned {type(r).__name__}: expected a Tensor or None")
    if r.shape != g.shape:
        raise RuntimeError(f"hook '{name}' has changed the size of value (was {tuple(g.shape)} "
                           f"got {tuple(r.shape)})")
    if r.dtype != g.dtype:
        raise RuntimeError(f"hook '{name}' has changed the type of value (was {g.dtype} got {r.dtype})")
    if r.device != g.device:
        raise RuntimeError(f"hook '{name}' has changed the device of value (was {g.device} "
                           f"got {r.device})")


from .tensor import Tensor  # noqa: E402
