"""The few ``Tensor`` methods of :mod:`autograd.tensor_api` that are more than a call to one op:
``__format__``, ``stride``, the ``new_*`` constructors, ``unfold`` and the in-place samplers."""
from __future__ import annotations

import numbers

from . import backend
from .creation import full, tensor
from .random import uniform_array
from .tensor import Tensor


def format_tensor(t, spec):
    """``format(t, spec)``: a 0-d tensor formats as its Python number (``f'{loss:.4f}'``); other
    tensors accept only the empty spec, as PyTorch."""
    if t.ndim == 0:
        return t.item().__format__(spec)
    if spec:
        raise TypeError(f"unsupported format string passed to Tensor.__format__ (format spec {spec!r} needs "
                        f"a 0-d tensor, this one has shape {tuple(t.shape)}; use t.item())")
    return repr(t)


def stride(t, dim=None):
    """Element strides of the backend array (``t.stride()`` or ``t.stride(dim)``)."""
    s = tuple(v // t._data.itemsize for v in t._data.strides)
    if dim is None:
        return s
    from .ops._util import norm_dim

    return s[norm_dim(dim, t.ndim)]


def _size(size):
    if len(size) == 1 and not isinstance(size[0], numbers.Integral):
        return tuple(size[0])
    return size


def new(t, fn, size, dtype, device, requires_grad):
    """``t.new_zeros(*size)`` and friends: ``t``'s dtype and device unless given."""
    return fn(*_size(size), dtype=dtype or t.dtype, device=device or t.device, requires_grad=requires_grad)


def new_full(t, size, fill_value, dtype, device, requires_grad):
    return full(tuple(size), fill_value, dtype=dtype or t.dtype, device=device or t.device,
                requires_grad=requires_grad)


def new_tensor(t, data, dtype, device, requires_grad):
    """A new leaf with a copy of ``data`` (``t``'s dtype and device unless given)."""
    if isinstance(data, Tensor):
        data = data.detach()
    return tensor(data, dtype=dtype or t.dtype, device=device or t.device, requires_grad=requires_grad)


def unfold(t, dimension, size, step):
    """``Tensor.unfold``: windows of ``size`` every ``step`` along ``dimension``; the window index
    replaces that dimension and the window's elements come last (a strided view's values)."""
    from .ops import selection as sel
    from .ops.window import sliding_windows

    from .ops._util import norm_dim

    if t.ndim == 0:
        return t.reshape(1)
    d = norm_dim(dimension, t.ndim)
    if size > t.shape[d]:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {t.shape[d]} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    w = sliding_windows(sel.movedim(t, d, -1), size, step)
    return sel.movedim(w, -2, d)


def _fill_sample(t, data):
    """Write samples into ``t`` as an unrecorded in-place change (as ``normal_`` does)."""
    t._check_inplace()
    t._data[...] = data
    t._bump()
    return t


def bernoulli_(t, p, generator):
    """Fill with 0/1 draws of probability ``p`` (a number or a tensor broadcasting to ``t``)."""
    from .ops.random_checks import check_bernoulli_p

    check_bernoulli_p(p)
    prob = p._data if isinstance(p, Tensor) else p
    u = uniform_array(t.shape, backend.float64, t.device, generator=generator)
    return _fill_sample(t, (u < prob).astype(t.dtype))


def exponential_(t, lambd, generator):
    """Fill with samples of the exponential distribution of rate ``lambd``."""
    from .ops.random_checks import check_exponential

    check_exponential(t._data.dtype, lambd)
    xp = t.device.xp
    u = uniform_array(t.shape, backend.float64, t.device, generator=generator)
    return _fill_sample(t, (-xp.log1p(-u) / lambd).astype(t.dtype))


def random_(t, from_, to, generator):
    """Fill with integers drawn uniformly from ``[from_, to)`` (``random_(to)``: ``[0, to)``;
    ``random_()``: ``[0, 2**mantissa]`` for floats, the dtype's range for integers)."""
    from .random import integers_array

    if to is None:
        if from_ not in (0, None):
            from_, to = 0, from_
        elif t.dtype.kind == "f":
            to = 2 ** (backend.Device("cpu").xp.finfo(t.dtype).nmant + 1) + 1
        elif t.dtype.kind == "b":
            to = 2
        else:
            to = int(backend.Device("cpu").xp.iinfo(t.dtype).max) + 1
        from_ = from_ or 0
    draw = integers_array(from_, to, t.shape, backend.int64, t.device, generator)
    return _fill_sample(t, draw.astype(t.dtype))


def is_nonzero(t):
    """``Tensor.is_nonzero``: whether the one element is nonzero (PyTorch's errors otherwise)."""
    n = t.numel()
    if n != 1:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous" if n == 0 else
                           "Boolean value of Tensor with more than one value is ambiguous")
    return bool(t.item() != 0)
