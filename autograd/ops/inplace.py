"""In-place operations.

Recorded in-place ops (grad mode on, something requires grad) run the
out-of-place op and give this tensor the result and its node, without
writing into the old array, which a node may still need; when live views
share the tensor's memory, the result is written into it instead and the
views' histories are rebased (``_apply_shared``, autograd/view_tracking.py).
On a tracked view, the root is rewritten by a recorded scatter (``_apply_on_view``,
PyTorch's CopySlices). Unrecorded ones write into the array and bump the
version counter, so that a backward that saved it raises instead of using
changed values.
"""
from __future__ import annotations

from .. import backend
from ..grad_mode import no_grad, state
from ..tensor import Tensor
from ..view_tracking import live_views, rebase, shares_root
from . import elementwise as ew
from ._util import fill_value


_OVERLAP = ("unsupported operation: more than one element of the written-to tensor refers to a single "
            "memory location. Please clone() the tensor before performing the operation.")


def check_no_overlap(array):
    """PyTorch's assert_no_internal_overlap: an in-place op must not write through a dimension of
    stride 0 (an ``expand``-ed tensor), where several elements are one memory location."""
    if array.size and any(s == 0 and n > 1 for s, n in zip(array.strides, array.shape)):
        raise RuntimeError(_OVERLAP)


def _apply(t: Tensor, op, *args):
    t._check_inplace()
    check_no_overlap(t._data)
    recording = state.enabled and (
        t.requires_grad or any(isinstance(a, Tensor) and a.requires_grad for a in args)
    )
    if recording:
        if shares_root(t):  # made by a view op (not merely an array with a NumPy base)
            if _on_tracked_view(t):
                return _apply_on_view(t, op, args)
            raise RuntimeError(
                f"an in-place operation on a view (a tensor of shape {tuple(t.shape)} sharing memory "
                "with another tensor) cannot be recorded: the change would not reach the tensor it "
                "views. Use an out-of-place operation (y = y * 2 instead of y *= 2), or clone() the "
                "view first."
            )
        views = live_views(t)
        if views or t._exported:  # memory others see (views, NumPy) is written, as PyTorch does
            return _apply_shared(t, views, op, args)
        # Nodes that saved t see a newer version from now on; the op itself runs on a snapshot of
        # t (same array, history and counter), so its node keeps t's old value and old history.
        # That old array is never written again by recorded ops, so the snapshot keeps the old
        # counter (shared with views of the old array) and t moves on to a counter of its own.
        t._bump()
        old = Tensor._make(t._data, t.device, t.grad_fn, t._version, t._output_nr)
        old.requires_grad = t.requires_grad
        r = _result(t, op(old, *args))
        t._data = r._data
        t._take_history(r)
        # beyond every version of t saved so far, so that nodes which saved t itself (not the
        # snapshot) see that it changed
        t._version = [t._version[0] + 1]
        _adopt_counter(r, t)
        return t
    else:
        r = op(t, *args)
        if r.shape != t.shape:
            raise RuntimeError(
                f"output with shape {tuple(t.shape)} doesn't match the broadcast shape {tuple(r.shape)}"
            )
        if r.dtype != t.dtype and backend.category(r.dtype) > backend.category(t.dtype):  # can_cast
            from .math_more import torch_name

            raise RuntimeError(f"result type {torch_name(r.dtype)} can't be cast to the desired output type "
                               f"{torch_name(t.dtype)}")
        t._data[...] = r._data
    t._bump()
    return t


def _apply_shared(t, views, op, args):
    """A recorded in-place op on ``t`` whose memory live views share: the result is written into
    ``t``'s array (the views see it, as PyTorch's), the op runs on a copy of the old values (its
    node keeps them), the shared version counter moves on (nodes that saved ``t`` or a view raise
    when they would use the changed values) and each view's history is rebased onto ``t``'s."""
    old = Tensor._make(t._data.copy(), t.device, t.grad_fn, None, t._output_nr)
    old.requires_grad = t.requires_grad
    r = _result(t, op(old, *args))
    t._data[...] = r._data
    t._take_history(r)
    t._bump()
    rebase(t, views)
    return t


def _on_tracked_view(t):
    """True when ``t`` is a view whose root (still sharing its memory) can be rewritten."""
    viewof = t._viewof
    return viewof is not None and viewof[1] is not None and shares_root(t)


def _apply_on_view(t, op, args):
    """A recorded in-place op on a view ``t`` (PyTorch's CopySlices): the root's new value is its old
    one with the op's result written where ``t`` views it, recorded as an out-of-place scatter; the
    root and all its live views (``t`` among them) see the new values and are rebased onto it."""
    from .indexing import IndexPut

    root, remake = t._viewof
    device = t.device
    with no_grad():  # where t's elements lie in the root (flat positions)
        pos = remake(Tensor._make(device.xp.arange(root._data.size).reshape(root.shape), device))._data
    pos = pos.reshape(-1)
    if device.xp.unique(pos).size != pos.size:
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers to a single "
            "memory location. Please clone() the tensor before performing the operation."
        )
    old = Tensor._make(t._data.copy(), device, t.grad_fn, None, t._output_nr)
    old.requires_grad = t.requires_grad
    r = _result(t, op(old, *args))
    base = Tensor._make(root._data.copy(), device, root.grad_fn, None, root._output_nr)
    base.requires_grad = root.requires_grad
    new = IndexPut.apply(base.reshape(-1), r.reshape(-1), None, (pos,), False).reshape(root.shape)
    views = live_views(root)
    root._data[...] = new._data
    root._take_history(new)
    root._bump()
    rebase(root, views)
    return t


def _result(t, r):
    """The recorded op's result ``r`` checked against ``t``'s shape and cast to its dtype."""
    if r.shape != t.shape:
        raise RuntimeError(
            f"output with shape {tuple(t.shape)} doesn't match the broadcast shape {tuple(r.shape)}"
        )
    return r.to(t.dtype) if r.dtype != t.dtype else r


def _adopt_counter(r, t):
    """If r's node saved its output, watch t's version counter instead (t now holds that output)."""
    node = r.grad_fn
    saved = getattr(node, "_saved", None) if node is not None else None
    if saved.__class__ is not list or r._version is None:
        return
    for i, rec in enumerate(saved):
        if rec.__class__ is tuple and rec[0] == 1 and rec[3] is r._version:  # r's output record
            saved[i] = (1, rec[1], t._version[0], t._version, rec[4])


def add_(t, other, *, alpha=1):
    """In-place ``t += alpha * other``."""
    return _apply(t, lambda a, b: ew.add(a, b, alpha=alpha), other)


def sub_(t, other, *, alpha=1):
    """In-place ``t -= alpha * other``."""
    return _apply(t, lambda a, b: ew.sub(a, b, alpha=alpha), other)


def mul_(t, other):
    """In-place ``t *= other``."""
    return _apply(t, ew.mul, other)


def div_(t, other, *, rounding_mode=None):
    """In-place ``t /= other`` (``rounding_mode`` as ``div``'s)."""
    return _apply(t, lambda a, b: ew.div(a, b, rounding_mode=rounding_mode), other)


def clamp_(t, min=None, max=None):
    """In-place ``clamp``."""
    return _apply(t, lambda a: ew.clamp(a, min, max))


def zero_(t):
    """Fill with zeros."""
    return fill_(t, 0)


def fill_(t, value):
    """Fill with ``value``."""
    t._check_inplace()
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError("fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value.ndim} dimensions.")
        if state.enabled and value.requires_grad and t._data.dtype.kind in "fc":
            from .movement import to  # the value's gradient is the sum of the filled ones', as PyTorch's

            return _apply(t, _overwrite, to(value, t.device, t.dtype))
        value = fill_value(value.item(), t._data.dtype)
    else:
        value = fill_value(value, t._data.dtype, check_float=True)
    if state.enabled and t.requires_grad:
        return _apply(t, lambda a: _overwrite(a, value))
    t._data[...] = value
    t._bump()
    return t


def copy_(t, src):
    """Copy ``src``'s values into ``t`` (broadcasting, casting, across devices)."""
    from .movement import to

    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'src' must be Tensor, not {type(src).__name__}")
    check_no_overlap(t._data)
    src = to(src, t.device)
    if state.enabled and (t.requires_grad or src.requires_grad):
        return _apply(t, _overwrite, src)
    t._check_inplace()
    try:
        t._data[...] = src._data  # any cast, as PyTorch's copy_ (float -> int truncates)
    except ValueError:
        raise RuntimeError(f"copy_(): the source of shape {tuple(src.shape)} cannot be broadcast to "
                           f"the destination's shape {tuple(t.shape)}") from None
    t._bump()
    return t


def _overwrite(a, src):
    """``src`` broadcast over ``a`` as a recorded op: a zero gradient flows to ``a`` (as PyTorch's
    copy_/fill_), and no arithmetic touches ``a``'s values (``a * 0`` would turn inf and NaN into NaN)."""
    from .compare import where

    return where(Tensor._make(a.device.xp.ones(a.shape, dtype=bool), a.device), src, a)


def uniform_(t, a=0.0, b=1.0, generator=None):
    """Fill with samples of U(a, b) from the device's generator."""
    t._check_inplace()
    from ..random import uniform_array
    from .random_checks import check_uniform

    check_uniform(t._data.dtype, a, b)

    t._data[...] = uniform_array(t.shape, t.dtype, t.device, a, b, generator)
    t._bump()
    return t


def normal_(t, mean=0.0, std=1.0, generator=None):
    """Fill with samples of N(mean, std²) from the device's generator."""
    t._check_inplace()
    from ..random import normal_array
    from .random_checks import check_normal

    check_normal(t._data.dtype, std)

    t._data[...] = normal_array(t.shape, t.dtype, t.device, mean, std, generator)
    t._bump()
    return t
