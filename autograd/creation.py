"""Creation functions: ``tensor``, ``zeros``, ``arange``, ``randn``, ...

All take ``dtype=None, device=None, requires_grad=False`` as PyTorch does; the
default float dtype is float32 (``set_default_dtype`` changes it).
"""
from __future__ import annotations

import numbers

from . import backend
from .random import integers_array, normal_array, permutation_array, uniform_array
from .ops._util import fill_int, fill_value as _fill_value
from .ops.random_checks import check_normal, check_uniform
from .tensor import Tensor


def _device(device):
    return backend.Device(device) if device is not None else backend.Device("cpu")


def _finish(data, device, requires_grad):
    t = Tensor._make(data, device)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _to_array(data, dtype=None, device=None):
    dtype = backend.as_dtype(dtype)
    if isinstance(data, Tensor):
        data = data._data
    elif isinstance(data, (list, tuple)) and any(isinstance(v, Tensor) for v in _flat(data)):
        data = [_to_host_nested(v) for v in data]
    if dtype is None and isinstance(data, (list, tuple)):
        dtype = backend.nested_dtype(data)
    else:
        data = backend.scalar_as_array(data)  # a NumPy scalar keeps its dtype, as a 0-d array would
    if backend.is_array(data):
        _check_dtype(data.dtype)
    dev = _device(device) if device is not None else (
        backend.device_of(data) if backend.is_array(data) else backend.Device("cpu"))
    try:
        return backend.asarray(data, dtype=dtype, device=dev, copy=True)
    except OverflowError:  # NumPy's: PyTorch converts each value as a fill value (uint8: -1 is 255)
        return _checked_ints(data, backend.as_dtype(dtype), dev)


def _checked_ints(data, dtype, dev):
    try:
        wide = backend.asarray(data, dtype=backend.int64, device=dev, copy=True)
        if wide.size:
            fill_int(int(wide.min()), dtype), fill_int(int(wide.max()), dtype)
    except (OverflowError, RuntimeError):
        raise RuntimeError(f"value cannot be converted to type {dtype} without overflow") from None
    return wide.astype(dtype)


_SUPPORTED = "float64, float32, float16, int64, int32, int16, int8, uint8, and bool"


def _check_dtype(dtype):
    """Raise PyTorch's TypeError for an array of objects, strings, dates, complex numbers..."""
    if dtype.kind not in "biuf":
        raise TypeError(f"can't convert np.ndarray of type numpy.{dtype.type.__name__}. The only "
                        f"supported types are: {_SUPPORTED}.")


def _flat(data):
    for v in data:
        if isinstance(v, (list, tuple)):
            yield from _flat(v)
        else:
            yield v


def _to_host_nested(v):
    if isinstance(v, Tensor):
        return backend.to_host(v._data)
    if isinstance(v, (list, tuple)):
        return [_to_host_nested(u) for u in v]
    return v


def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    size = tuple(_number(s) for s in size)  # 0-d tensors count as their ints, as in PyTorch
    for s in size:
        if not isinstance(s, numbers.Integral) or isinstance(s, bool):
            raise TypeError(f"size must be a sequence of ints, got {type(s).__name__}")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
    return tuple(int(s) for s in size)


def _float_dtype(dtype):
    d = backend.as_dtype(dtype)
    return d if d is not None else backend.get_default_dtype()


def tensor(data, dtype=None, device=None, requires_grad=False):
    """A new tensor holding a copy of ``data`` (a list, number, array or tensor).

    Example::

        >>> ag.tensor([[1., 2.], [3., 4.]])
        tensor([[1., 2.],
                [3., 4.]])
    """
    dev = backend.Device(device) if device is not None else None
    arr = _to_array(data, dtype, dev)
    return _finish(arr, backend.device_of(arr), requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Like ``tensor`` but shares memory with ``data`` when no conversion is needed."""
    if isinstance(data, Tensor):
        return data.to(device=device, dtype=dtype) if (device or dtype) else data
    if backend.is_array(data) and (device is None or backend.device_of(data) == device):
        _check_dtype(data.dtype)
        d = backend.as_dtype(dtype)
        arr = data if d is None or data.dtype == d else data.astype(d)
        return Tensor._make(arr, backend.device_of(arr))
    return tensor(data, dtype=dtype, device=device)


def from_numpy(array):
    """A CPU tensor sharing memory with a ``numpy.ndarray``."""
    arr = backend.from_numpy(array)
    _check_dtype(arr.dtype)
    t = Tensor._make(arr, backend.Device("cpu"))
    t._exported = True
    return t


def _filled(fill, size, dtype, device, requires_grad, float_default=True):
    dev = _device(device)
    d = backend.as_dtype(dtype) or (backend.get_default_dtype() if float_default else None)
    with dev.backend.device_context(dev.index):  # allocate on cuda:N, not the current GPU
        return _finish(dev.xp.full(_size(size), fill, dtype=d), dev, requires_grad)


def zeros(*size, dtype=None, device=None, requires_grad=False, **kw):
    """A tensor of zeros of the given size."""
    return _filled(0, _size_kw(size, kw, "zeros"), dtype, device, requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False, **kw):
    """A tensor of ones of the given size."""
    return _filled(1, _size_kw(size, kw, "ones"), dtype, device, requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False, **kw):
    """An uninitialised tensor (zeros here) of the given size."""
    return _filled(0, _size_kw(size, kw, "empty"), dtype, device, requires_grad)


def _size_kw(size, kw, name):
    """``zeros(size=(2, 3))`` as PyTorch takes it: the size given by keyword instead."""
    if kw.keys() - {"size"}:
        raise TypeError(f"{name}() got an unexpected keyword argument '{next(iter(kw.keys() - {'size'}))}'")
    if "size" in kw:
        if size:
            raise TypeError(f"{name}() got multiple values for argument 'size'")
        return (kw["size"],)
    return size


def _number(value):
    """A 0-d tensor as its Python number (PyTorch takes them for scalar arguments:
    ``arange(lengths.max())``); anything else as it is."""
    return value.item() if isinstance(value, Tensor) and value.ndim == 0 else value


def full(size, fill_value, dtype=None, device=None, requires_grad=False):
    """A tensor of ``size`` filled with ``fill_value`` (its dtype inferred from it)."""
    fill_value = _number(fill_value)
    if dtype is None:
        dtype = backend.scalar_dtype(fill_value)
    fill_value = _fill_value(fill_value, backend.as_dtype(dtype), check_float=True)
    return _filled(fill_value, (size,) if isinstance(size, numbers.Integral) else tuple(size),
                   dtype, device, requires_grad)


def arange(start=None, end=None, step=1, dtype=None, device=None, requires_grad=False):
    """Values from ``start`` to ``end`` (exclusive) by ``step``."""
    start, end, step = _number(start), _number(end), _number(step)
    if start is None and end is None:
        raise TypeError("arange() missing required argument 'end'")
    if start is None:  # arange(end=5)
        start = 0
    elif end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (end - start) / step < 0:
        raise RuntimeError("arange: upper bound and larger bound inconsistent with step sign "
                           f"(start={start}, end={end}, step={step})")
    dev = _device(device)
    d = backend.as_dtype(dtype) or backend.result_type((), (), (start, end, step))
    with dev.backend.device_context(dev.index):
        return _finish(dev.xp.arange(start, end, step).astype(d, copy=False), dev, requires_grad)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False):
    """``steps`` values evenly spaced from ``start`` to ``end`` inclusive."""
    start, end, steps = _number(start), _number(end), _number(steps)
    if steps < 0:
        raise RuntimeError(f"linspace: number of steps must be non-negative, got {steps}")
    start, end = _integral_ends(start, end, dtype)
    dev = _device(device)
    with dev.backend.device_context(dev.index):
        return _finish(dev.xp.linspace(start, end, steps).astype(_float_dtype(dtype)), dev, requires_grad)


def _integral_ends(start, end, dtype):
    """PyTorch's integral linspace/logspace first convert the ends to the dtype (truncating:
    ``linspace(0.5, 3, 5, dtype=int64)`` is ``[0, 0, 1, 2, 3]``, not ``[0, 1, 1, 2, 3]``)."""
    d = backend.as_dtype(dtype)
    if d is not None and d.kind in "iu":
        return int(start), int(end)
    return start, end


def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    """An ``n x m`` identity matrix."""
    for name, v in (("n", n), ("m", m)):
        if v is None and name == "m":
            continue
        if not isinstance(v, numbers.Integral) or isinstance(v, bool):
            raise TypeError(f"eye(): argument '{name}' must be int, not {type(v).__name__}")
        if v < 0:
            raise RuntimeError(f"eye(): {name} must be greater or equal to 0, got {v}")
    dev = _device(device)
    with dev.backend.device_context(dev.index):
        return _finish(dev.xp.eye(n, m, dtype=_float_dtype(dtype)), dev, requires_grad)


def rand(*size, dtype=None, device=None, requires_grad=False, generator=None):
    """Samples of U(0, 1)."""
    dev = _device(device)
    check_uniform(_float_dtype(dtype), 0.0, 1.0)
    data = uniform_array(_size(size), _float_dtype(dtype), dev, generator=generator)
    return _finish(data, dev, requires_grad)


def randn(*size, dtype=None, device=None, requires_grad=False, generator=None):
    """Samples of the standard normal distribution."""
    dev = _device(device)
    check_normal(_float_dtype(dtype), 1.0)
    data = normal_array(_size(size), _float_dtype(dtype), dev, generator=generator)
    return _finish(data, dev, requires_grad)


def randint(low, high=None, size=None, dtype=None, device=None, requires_grad=False, generator=None):
    """Integers drawn uniformly from ``[low, high)``; ``randint(high, size)`` also works."""
    if size is None:
        if high is None or not isinstance(high, (tuple, list)):
            raise TypeError("randint() missing required argument 'size'")
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    dev = _device(device)
    d = backend.as_dtype(dtype) or backend.int64
    shape = (size,) if isinstance(size, numbers.Integral) else _size((size,))
    # float and bool dtypes draw integers first (NumPy's integers() takes integer dtypes only)
    data = integers_array(low, high, shape, d if d.kind in "iu" else backend.int64, dev, generator)
    return _finish(data if data.dtype == d else data.astype(d), dev, requires_grad)


def randperm(n, *, dtype=None, device=None, requires_grad=False, generator=None):
    """A random permutation of the integers ``0, ..., n - 1`` (int64 unless ``dtype`` is given).

    Example::

        >>> p = ag.randperm(4)
        >>> sorted(p.tolist())
        [0, 1, 2, 3]
    """
    if not isinstance(n, numbers.Integral) or isinstance(n, bool):
        raise TypeError(f"randperm(): argument 'n' must be int, not {type(n).__name__}")
    if n < 0:
        raise RuntimeError(f"randperm(): n must be non-negative, got {n}")
    dev = _device(device)
    d = backend.as_dtype(dtype) or backend.int64
    data = permutation_array(int(n), dev, generator)
    return _finish(data if data.dtype == d else data.astype(d), dev, requires_grad)


def _like(fn, input, dtype, device, requires_grad, *args):
    # (the ``*_like`` functions accept ``layout``/``memory_format`` for PyTorch code: NumPy's layout)
    return fn(*args, *input.shape, dtype=dtype or input.dtype, device=device or input.device,
              requires_grad=requires_grad)


def zeros_like(input, dtype=None, device=None, requires_grad=False, *, layout=None,
               memory_format=None):
    return _like(zeros, input, dtype, device, requires_grad)


def ones_like(input, dtype=None, device=None, requires_grad=False, *, layout=None,
              memory_format=None):
    return _like(ones, input, dtype, device, requires_grad)


def empty_like(input, dtype=None, device=None, requires_grad=False, *, layout=None,
               memory_format=None):
    return _like(empty, input, dtype, device, requires_grad)


def full_like(input, fill_value, dtype=None, device=None, requires_grad=False, *, layout=None,
              memory_format=None):
    return full(input.shape, fill_value, dtype=dtype or input.dtype, device=device or input.device,
                requires_grad=requires_grad)


def rand_like(input, dtype=None, device=None, requires_grad=False, *, layout=None,
              memory_format=None):
    return _like(rand, input, dtype, device, requires_grad)


def randn_like(input, dtype=None, device=None, requires_grad=False, *, layout=None,
               memory_format=None):
    return _like(randn, input, dtype, device, requires_grad)
