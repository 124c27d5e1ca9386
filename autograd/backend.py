"""Array backends: the only module that imports numpy (and, lazily, cupy).

A :class:`Device` names where a tensor's data lives. Each device type has a
:class:`Backend` that gives the array module (``xp``) and the few operations
whose spelling differs between NumPy and CuPy (host transfer, scatter-add,
strided windows, random generators). Everything else in xpgrad reaches array
functions only through ``device.xp``.
"""
from __future__ import annotations

import contextlib
import numbers
import threading

import numpy as np

# ---------------------------------------------------------------- dtypes
float16 = np.dtype("float16")
float32 = np.dtype("float32")
float64 = np.dtype("float64")
int8 = np.dtype("int8")
int16 = np.dtype("int16")
int32 = np.dtype("int32")
int64 = np.dtype("int64")
uint8 = np.dtype("uint8")
bool_ = np.dtype("bool")

_DTYPE_ALIASES = {
    "float": float32, "float32": float32, "float64": float64, "double": float64,
    "float16": float16, "half": float16, "int": int32, "int32": int32,
    "int64": int64, "long": int64, "int16": int16, "int8": int8, "uint8": uint8,
    "bool": bool_,
}
_state = threading.local()
_DEFAULT = {"float": float32}


def as_dtype(dtype) -> np.dtype:
    """Normalise a dtype spelling (``ag.float32``, ``"float32"``, ``float``) to a dtype."""
    if dtype is None:
        return None
    if isinstance(dtype, np.dtype):
        return dtype
    if dtype is float:
        return float64
    if dtype is int:
        return int64
    if dtype is bool:
        return bool_
    if isinstance(dtype, str) and dtype in _DTYPE_ALIASES:
        return _DTYPE_ALIASES[dtype]
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"unsupported dtype {dtype!r}") from None


def get_default_dtype() -> np.dtype:
    return _DEFAULT["float"]


def set_default_dtype(dtype) -> None:
    d = as_dtype(dtype)
    if d.kind != "f":
        raise TypeError(f"set_default_dtype expects a floating dtype, got {d}")
    _DEFAULT["float"] = d


def category(dtype) -> int:
    """0 for bool, 1 for integers, 2 for floating point (PyTorch's promotion categories)."""
    k = dtype.kind
    return 2 if k == "f" else (0 if k == "b" else 1)


def is_floating(dtype) -> bool:
    return dtype.kind == "f"


def promote_types(a, b) -> np.dtype:
    """PyTorch's ``promote_types``: a higher category wins outright."""
    ca, cb = category(a), category(b)
    if ca != cb:
        return a if ca > cb else b
    return np.promote_types(a, b)


def scalar_dtype(value) -> np.dtype:
    """The dtype a Python scalar takes when it decides a result's category."""
    if isinstance(value, (bool, np.bool_)):
        return bool_
    if isinstance(value, numbers.Integral):
        return int64
    if isinstance(value, numbers.Real):
        return get_default_dtype()
    raise TypeError(f"unsupported scalar operand of type {type(value).__name__}")


def result_type(dims, zero_dims, scalars) -> np.dtype:
    """PyTorch's ``result_type`` from three priority levels of operands.

    Args:
        dims: dtypes of tensors with at least one dimension.
        zero_dims: dtypes of 0-d tensors.
        scalars: Python scalars.
    """
    result = None
    for d in dims:
        result = d if result is None else promote_types(result, d)
    for level in (zero_dims, [scalar_dtype(s) for s in scalars]):
        best = None
        for d in level:
            best = d if best is None else promote_types(best, d)
        if best is None:
            continue
        if result is None or category(best) > category(result):
            if level is not zero_dims and result is not None and category(best) == 2:
                best = get_default_dtype()
            result = best
    return result


def host_scalar(value):
    """A NumPy scalar or 0-d array as a Python scalar."""
    return value.item() if hasattr(value, "item") else value


# ---------------------------------------------------------------- backends
class Backend:
    """What a device type needs beyond its array module.

    Subclasses (NumPy here, CuPy lazily, a shadow device in the tests) fill in
    the operations whose spelling differs between array libraries.
    """

    name = "cpu"
    array_types: tuple = ()
    #: DLPack device type of the arrays (``kDLCPU`` = 1, ``kDLCUDA`` = 2).
    dlpack_type = 1
    #: Whether devices of this type carry an index read from the array (``cuda:N``).
    indexed = False

    def __init__(self, xp):
        self.xp = xp
        self._generators = {}

    def to_host(self, a):
        """Copy to a ``numpy.ndarray`` (explicit, never implicit)."""
        return a

    def from_host(self, a, index=0):
        return a

    def device_context(self, index=0):
        """A context manager making device ``index`` current (allocations land there)."""
        return contextlib.nullcontext()

    def scatter_add(self, target, index, values):
        """``target[index] += values`` with repeated indices accumulating."""
        np.add.at(target, index, values)

    def as_strided(self, a, shape, strides):
        return np.lib.stride_tricks.as_strided(a, shape, strides, writeable=False)

    def generator(self, index=0):
        g = self._generators.get(index)
        if g is None:
            with self.device_context(index):
                g = self._generators[index] = self.xp.random.default_rng(_seed_for(index))
        return g

    def permutation(self, generator, n):
        """A random permutation of ``range(n)`` as an int64 array."""
        return generator.permutation(n)

    def seed(self, seed):
        self._generators = {}
        _SEED["value"] = seed

    def device_count(self):
        return 1

    def is_available(self):
        return True

    def dlpack_from(self, obj):
        return self.xp.from_dlpack(obj)

    def erf(self, array):
        """Elementwise error function: SciPy's ufunc when installed, else ``math.erf`` per element."""
        try:
            from scipy.special import erf as scipy_erf
        except ImportError:
            import math

            host = self.to_host(array)
            out = np.vectorize(math.erf, otypes=[host.dtype])(host) if host.size else host.copy()
            return self.from_host(out)
        return scipy_erf(array)


_SEED = {"value": None}


def _seed_for(index):
    s = _SEED["value"]
    return None if s is None else [s, index]


class NumpyBackend(Backend):
    name = "cpu"
    array_types = (np.ndarray,)


class CupyBackend(Backend):
    """CuPy, imported on first use of a ``"cuda"`` device.

    ``xp`` and ``xpx`` (``cupy`` and ``cupyx``) may be given instead of imported:
    the test suite's shadow device runs this class on a CuPy-like stand-in, so
    the code below is exercised on machines without a GPU.
    """

    name = "cuda"
    dlpack_type = 2
    indexed = True

    def __init__(self, xp=None, xpx=None):
        if xp is None:
            try:
                import cupy as xp
                import cupyx as xpx
            except ImportError as e:  # pragma: no cover - depends on the machine
                raise RuntimeError(
                    "the 'cuda' device needs CuPy, which is not installed: install it with "
                    "pip install \"xpgrad[cuda]\" (or the CuPy wheel matching your CUDA, e.g. "
                    "pip install cupy-cuda12x)"
                ) from e
        super().__init__(xp)
        self._cupyx = xpx
        self.array_types = (xp.ndarray,)

    def to_host(self, a):
        return a.get()

    def from_host(self, a, index=0):
        with self.xp.cuda.Device(index):
            return self.xp.asarray(a)

    def device_context(self, index=0):
        return self.xp.cuda.Device(index)

    def scatter_add(self, target, index, values):
        self._cupyx.scatter_add(target, index, values)

    def as_strided(self, a, shape, strides):
        return self.xp.lib.stride_tricks.as_strided(a, shape, strides)

    def permutation(self, generator, n):
        # cupy.random.Generator has no permutation(): sort uniform draws (ties have probability ~0)
        return self.xp.argsort(generator.random(n)).astype(int64, copy=False)

    def device_count(self):
        try:
            return int(self.xp.cuda.runtime.getDeviceCount())
        except Exception:  # noqa: BLE001 - no driver or no GPU: CuPy raises its own error types
            return 0

    def erf(self, array):
        return self._cupyx.scipy.special.erf(array)


_BACKENDS: dict[str, Backend] = {"cpu": NumpyBackend(np)}
_FACTORIES = {"cuda": CupyBackend}


def register_backend(name: str, backend: Backend) -> None:
    """Register an extra device type (the test suite's shadow device uses this)."""
    _BACKENDS[name] = backend
    backend.name = name
    for key in [k for k in _DEVICES if k[0] == name or str(k[0]).startswith(name + ":")]:
        del _DEVICES[key]  # devices of other types stay interned (tensors hold them)
    _ARRAY_DEVICE.clear()


def get_backend(name: str) -> Backend:
    b = _BACKENDS.get(name)
    if b is None:
        factory = _FACTORIES.get(name)
        if factory is None:
            known = ", ".join(sorted(set(_BACKENDS) | set(_FACTORIES)))
            raise RuntimeError(f"unknown device type {name!r}; expected one of: {known}")
        failed = _UNAVAILABLE.get(name)
        if failed is not None:  # don't retry a failed import on every is_available()
            raise RuntimeError(failed)
        try:
            b = _BACKENDS[name] = factory()
        except RuntimeError as e:
            _UNAVAILABLE[name] = str(e)
            raise
    return b


_UNAVAILABLE: dict[str, str] = {}


def cuda_available() -> bool:
    try:
        return get_backend("cuda").device_count() > 0
    except RuntimeError:
        return False


# ---------------------------------------------------------------- devices
class Device:
    """Where a tensor lives: ``Device("cpu")``, ``Device("cuda:1")``.

    Devices are interned: equal devices are the same object.
    """

    __slots__ = ("type", "index", "backend", "xp", "array_type")

    def __new__(cls, spec="cpu", index=None):
        if isinstance(spec, Device):
            return spec
        key = (spec, index)
        d = _DEVICES.get(key)
        if d is not None:
            return d
        if not isinstance(spec, str):
            raise TypeError(f"device must be a string or Device, got {type(spec).__name__}")
        kind, _, idx = spec.partition(":")
        if idx:
            if not idx.isdigit():
                raise ValueError(f"invalid device string {spec!r}")
            if index is not None and int(idx) != index:
                raise ValueError(f"device {spec!r} conflicts with index {index}")
            index = int(idx)
        if index is not None and (not isinstance(index, numbers.Integral) or index < 0):
            raise ValueError(f"device index must be a non-negative int, got {index!r}")
        index = int(index or 0)
        canon = _DEVICES.get((kind, index, "canon"))
        if canon is None:
            if kind == "cpu" and index != 0:
                raise ValueError(f"cpu device has no index other than 0, got {spec!r}")
            if kind not in _BACKENDS and kind not in _FACTORIES:
                get_backend(kind)  # raises: unknown device type
            canon = object.__new__(cls)
            canon.type, canon.index = kind, index
            if kind in _BACKENDS:
                canon._resolve()
            # else: resolved on first use, so ag.device("cuda") works without CuPy, as in PyTorch
            _DEVICES[(kind, index, "canon")] = canon
        _DEVICES[key] = canon
        return canon

    def _resolve(self):
        backend = get_backend(self.type)  # "cuda" without CuPy raises here, saying how to install it
        self.backend, self.xp, self.array_type = backend, backend.xp, backend.array_types[0]

    def __getattr__(self, name):
        # only reached for the backend slots of a device not resolved yet
        if name in ("backend", "xp", "array_type"):
            self._resolve()
            return object.__getattribute__(self, name)
        raise AttributeError(f"'device' object has no attribute {name!r}")

    def __repr__(self):
        return f"device(type='{self.type}'" + (f", index={self.index})" if self.type != "cpu" else ")")

    def __str__(self):
        return self.type if self.type == "cpu" else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if isinstance(other, str):
            try:
                other = Device(other)
            except (ValueError, RuntimeError, TypeError):
                return False
        return self is other

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (Device, (str(self),))


_DEVICES: dict = {}
_ARRAY_DEVICE: dict = {}


def cuda_device(device=None) -> Device:
    """The device ``Tensor.cuda(device)`` means: ``None`` (cuda:0), an index, a string or a Device."""
    if device is None:
        return Device("cuda")
    if isinstance(device, numbers.Integral) and not isinstance(device, bool):
        return Device("cuda", int(device))
    return Device(device)


def device_of(array) -> Device:
    """The device an array lives on."""
    t = type(array)
    d = _ARRAY_DEVICE.get(t)
    if d is not None:
        return d
    for name, b in list(_BACKENDS.items()):
        if isinstance(array, b.array_types):
            if b.indexed:
                return Device(name, int(array.device.id))
            d = Device(name)
            _ARRAY_DEVICE[t] = d
            return d
    if t.__module__.startswith("cupy"):
        return Device("cuda", int(array.device.id))
    raise TypeError(f"not an array of a known device: {t.__name__}")


def is_array(obj) -> bool:
    try:
        device_of(obj)
        return True
    except TypeError:
        return False


def to_device(array, device: Device):
    """Move an array to ``device`` (through the host when the types differ)."""
    src = device_of(array)
    if src is device:
        return array
    if src.backend is device.backend:  # cuda:i -> cuda:j: a device-to-device copy
        with device.backend.device_context(device.index):
            return array.copy()
    host = src.backend.to_host(array)
    return device.backend.from_host(host, device.index)


_SAME_SIZE_INT = {2: int16, 4: int32, 8: int64}


def keep_where(values, mask):
    """``values`` where ``mask`` holds, +0.0 elsewhere (NaNs outside the mask dropped too).

    Branch-free: the bits of ``values`` ANDed with an all-ones or all-zeros word, several
    times faster than ``where`` on an irregular mask.
    """
    itype = _SAME_SIZE_INT[values.dtype.itemsize]
    bits = mask.astype(itype)
    bits = -bits
    out = values.view(itype) & bits
    return out.view(values.dtype)


def is_view(array) -> bool:
    """True when ``array`` shares memory it does not own (a view of another array)."""
    return getattr(array, "base", None) is not None


def to_host(array):
    """A ``numpy.ndarray`` copy (or the same array on the CPU)."""
    return device_of(array).backend.to_host(array)


def asarray(data, dtype=None, device: Device | None = None, copy=False):
    """Build an array on ``device`` from Python data, a NumPy array or another device's array."""
    device = device or Device("cpu")
    if is_array(data):
        a = to_device(data, device)
        if dtype is not None and a.dtype != dtype:
            return a.astype(dtype)
        return a.copy() if copy and a is data else a
    host = np.array(data, dtype=dtype, copy=True if copy else None)
    if dtype is None:
        if host.dtype.kind == "f":
            host = host.astype(get_default_dtype(), copy=False)
        elif host.dtype.kind in "iu" and host.dtype != uint8:
            host = host.astype(int64, copy=False)
    if host.dtype.kind not in "biuf":
        raise TypeError(f"cannot make a tensor from data of dtype {host.dtype} (got a "
                        f"{type(data).__name__}; expected numbers, nested lists of numbers or an array)")
    return device.backend.from_host(host, device.index)


def as_array(value, device: Device):
    """A result of an op as an array of ``device`` (NumPy turns 0-d results into scalars)."""
    if isinstance(value, device.backend.array_types):
        return value
    if isinstance(value, np.generic) or not is_array(value):
        if device.type == "cpu":
            return np.asarray(value)
        return device.xp.asarray(value)
    raise TypeError(f"an op returned {type(value).__name__}, expected an array of {device}")


def from_numpy(array):
    """Wrap a host ``numpy.ndarray`` without copying."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy expects a numpy.ndarray, got {type(array).__name__}")
    return array


def is_host_array(obj) -> bool:
    return isinstance(obj, np.ndarray)


def format_array(host) -> str:
    """Values in PyTorch's print style (4 decimals unless all are integral)."""
    opts = {"separator": ", ", "prefix": "tensor(", "threshold": 1000, "edgeitems": 3}
    if host.dtype == bool_:  # padded to the widest value present, as PyTorch: [True, True], [ True, False]
        width = 5 if host.size and not host.all() else 4
        opts["formatter"] = {"bool": lambda v: str(bool(v)).rjust(width)}
    if host.dtype.kind == "f" and host.size and not np.all(np.isfinite(host) & (np.mod(host, 1) == 0)):
        finite = host[np.isfinite(host)]
        mags = np.abs(finite)
        big = finite.size and (mags.max() >= 1e8 or mags[mags != 0].min(initial=1) < 1e-4)
        if big:
            opts.update(floatmode="maxprec", precision=4)
        else:
            opts.update(floatmode="fixed", precision=4, suppress_small=True)
    return np.array2string(host, **opts)


def dtype_name(dtype) -> str:
    """``autograd.float64``-style name of a dtype."""
    return "autograd." + ("bool" if dtype == bool_ else dtype.name)


# ---------------------------------------------------------------- files and memory
def host_contiguous(array):
    """A C-contiguous ``numpy.ndarray`` with ``array``'s values (what file writers need)."""
    host = to_host(array)
    return np.ascontiguousarray(host).reshape(host.shape)  # ascontiguousarray makes 0-d 1-d


def bfloat16_to_float32(raw, shape):
    """Widen little-endian bfloat16 bytes to a float32 host array (exact: bf16 is float32's top half)."""
    bits = np.frombuffer(raw, dtype="<u2").astype("<u4") << 16
    return bits.view("<f4").astype(float32).reshape(shape)


def data_ptr(array) -> int:
    """The address of an array's first element (NumPy, CuPy, or a ``data_ptr`` attribute)."""
    ptr = getattr(array, "data_ptr", None)
    if ptr is not None:
        return int(ptr() if callable(ptr) else ptr)
    mem = getattr(array, "data", None)
    if hasattr(mem, "ptr"):  # CuPy's MemoryPointer
        return int(mem.ptr)
    return int(array.__array_interface__["data"][0])


def buffer_of(array):
    """``(key, nbytes)`` of the memory block behind ``array``: views share their base's key.

    Follows the ``.base`` chain (NumPy and CuPy views both keep one) to the array
    that owns the memory and keys it by its data pointer, so a view and its base
    are counted once.
    """
    root = array
    base = getattr(root, "base", None)
    while base is not None and hasattr(base, "nbytes") and hasattr(base, "shape"):
        root = base
        base = getattr(root, "base", None)
    return (type(root), data_ptr(root)), int(root.nbytes)


# ---------------------------------------------------------------- special functions
def erf(array):
    """Elementwise error function on any device (used by GELU): the backend's ``erf``
    (``cupyx.scipy.special.erf`` on CUDA, SciPy's ufunc or ``math.erf`` on the CPU)."""
    return device_of(array).backend.erf(array)
