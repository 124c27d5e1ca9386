"""Which tensors share memory with a base tensor (PyTorch's view tracking, cut down).

A view op (``Function.is_view``), ``detach()`` and ``.data`` register their outputs on the
*root* base (the tensor that owns the memory) with a weak reference, and remember how to
remake the view from the root. A recorded in-place op on a root with live views then writes
into the existing array (so the views see the new values) and rebases each view's history onto
the root's new one (:func:`rebase`), as PyTorch's view+inplace machinery does.
"""
from __future__ import annotations

import weakref

from .backend import buffer_of
from .grad_mode import state


class _Remake:
    """Remake a view from its root: the parent's remake, then ``cls.apply(parent, *rest)[index]``."""

    __slots__ = ("parent", "cls", "rest", "index")

    def __init__(self, parent, cls, rest, index):
        self.parent, self.cls, self.rest, self.index = parent, cls, rest, index

    def __call__(self, root):
        src = root if self.parent is None else self.parent(root)
        out = self.cls.apply(src, *self.rest)
        return out if self.index is None else out[self.index]


def register(src, outs, cls=None, rest=(), multi=False):
    """Record ``outs`` (tensors sharing ``src``'s memory) as views of ``src``'s root.

    ``cls``/``rest`` remake an output from ``src`` (``cls.apply(src, *rest)``, the ``i``-th
    output when ``multi``); without ``cls`` (``detach``, ``.data``) or in no-grad mode the view
    only sees the root's new values and keeps its (absent) history.
    """
    viewof = src._viewof
    if viewof is None or not shares_root(src):  # src owns its memory (a reshape may copy)
        root, parent, chain = src, None, True
    else:
        root, parent = viewof
        chain = parent is not None
    track = cls is not None and chain and state.enabled
    views = root._views
    if views is None:
        views = root._views = []
    for i, o in enumerate(outs):
        if o is None:
            continue
        o._viewof = (root, _Remake(parent, cls, rest, i if multi else None) if track else None)
        views.append(weakref.ref(o))
    if len(views) >= 64 and len(views) & 63 < len(outs):  # now and then, drop the dead ones
        views[:] = [w for w in views if w() is not None]


def shares_root(t):
    """True when ``t`` is a view (made by a view op, ``detach`` or ``.data``) still sharing the memory
    of its root: PyTorch's ``_is_view()``. Whether NumPy gave ``t`` an array with a ``.base`` does not
    say (a reshape that copied, or an op whose output is a view of a temporary, has one)."""
    viewof = t._viewof
    return viewof is not None and buffer_of(t._data)[0] == buffer_of(viewof[0]._data)[0]


def live_views(t):
    """The live tensors registered as views of ``t`` that still share its memory."""
    views = t._views
    if not views:
        return []
    alive = [v for v in (w() for w in views) if v is not None]
    views[:] = [weakref.ref(v) for v in alive]
    if not alive:
        return []
    key = buffer_of(t._data)[0]
    return [v for v in alive if buffer_of(v._data)[0] == key]


def rebase(t, views):
    """Give each tracked view of ``t`` the history of remaking it from ``t`` (after an in-place op)."""
    for v in views:
        v._version = t._version
        remake = v._viewof[1]
        if remake is None:
            continue
        new = remake(t)
        v._take_history(new)
