"""The shadow device: a NumPy-backed stand-in for CuPy, for testing the GPU path on a CPU.

Its arrays behave like CuPy's in the ways that break code written for NumPy only
(DESIGN.md, "Testing the GPU path without a GPU"):

- implicit conversion to a host array (``np.asarray(x)``, ``np.array(x)``)
  raises ``TypeError``; ``x.get()`` and the backend's ``to_host`` work;
  ``item()``, ``tolist()``, ``float(x)``, ``bool(x)`` work (explicit syncs, as in CuPy);
- an operation mixing a shadow array with a host ``numpy.ndarray`` raises;
- the module exposes only functions CuPy also has, as plain functions
  (no ``np.add.at``: scatter-add goes through ``cupyx.scatter_add``), and
  reductions return 0-d arrays, never NumPy scalars;
- ``random.default_rng`` gives a generator with only the methods of
  ``cupy.random.Generator`` (no ``permutation``, ``choice``, ``normal``...),
  drawing NumPy's numbers so that seeded results equal the CPU's;
- DLPack: arrays report their own device type (``kDLExtDev``), so NumPy and
  PyTorch refuse them as they refuse CUDA memory; ``xp.from_dlpack`` takes them.

The backend is xpgrad's own :class:`autograd.backend.CupyBackend` running on
this module and a ``cupyx`` stand-in, so the CuPy code path itself is what runs.
"""
from __future__ import annotations

import types

import numpy as np

from autograd import backend
from autograd.arraylib.special import function as special_function

DEVICE = "shadow"


class ShadowArray:
    """A device array that refuses to become a host array implicitly."""

    __slots__ = ("_a", "__weakref__")
    __array_priority__ = 2000

    def __init__(self, a):
        if isinstance(a, ShadowArray):
            a = a._a
        self._a = a

    # -- what CuPy forbids
    def __array__(self, dtype=None, copy=None):
        raise TypeError(
            "Implicit conversion to a NumPy array is not allowed. Please use `.get()` to "
            "construct a NumPy array explicitly."
        )

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return _call(getattr(ufunc, method), inputs, kwargs)

    def __array_function__(self, func, types_, args, kwargs):
        return _call(func, args, kwargs)

    # -- explicit transfer
    def get(self):
        return self._a.copy()

    # -- attributes
    shape = property(lambda self: self._a.shape)
    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    strides = property(lambda self: self._a.strides)
    itemsize = property(lambda self: self._a.itemsize)
    nbytes = property(lambda self: self._a.nbytes)
    flags = property(lambda self: self._a.flags)
    T = property(lambda self: ShadowArray(self._a.T))
    mT = property(lambda self: ShadowArray(np.swapaxes(self._a, -1, -2)))

    @property
    def base(self):
        b = self._a.base
        if (b is not None and not isinstance(b, np.ndarray)
                and isinstance(getattr(b, "base", None), np.ndarray)):
            b = b.base  # as_strided's holder: a CuPy view's base is the array it views
        return None if b is None else ShadowArray(b) if isinstance(b, np.ndarray) else b

    @property
    def data_ptr(self):
        return self._a.__array_interface__["data"][0]

    @property
    def device(self):
        return _DEVICE0

    def __len__(self):
        return len(self._a)

    def __iter__(self):
        return (_wrap(v) for v in self._a)

    def __repr__(self):
        return "shadow_array(" + repr(self._a)[6:]

    def __bool__(self):
        return bool(self._a)

    def __float__(self):
        return float(self._a)

    def __int__(self):
        return int(self._a)

    def __index__(self):
        return self._a.__index__()

    def __getitem__(self, index):
        return _wrap(self._a[_unwrap(index)])

    def __setitem__(self, index, value):
        self._a[_unwrap(index)] = _unwrap(value)

    def __dlpack__(self, *args, **kwargs):
        raise BufferError(
            "a shadow (device) array cannot be exported to a host consumer through DLPack, as "
            "CUDA memory cannot; copy it to the host first (.get())")

    def __dlpack_device__(self):
        return (DLPACK_TYPE, 0)

    def __reduce__(self):
        raise TypeError("shadow arrays are not pickled")


def _method(name):
    def method(self, *args, **kwargs):
        return _call(getattr(self._a, name), args, kwargs)

    method.__name__ = name
    return method


for _name in ("reshape astype copy sum prod mean max min argmax argmin all any cumsum var std "
              "transpose swapaxes squeeze ravel fill item tolist clip nonzero dot repeat "
              "take view").split():
    setattr(ShadowArray, _name, _method(_name))

for _name in ("add sub mul truediv floordiv mod pow matmul and or xor lshift rshift".split()):
    for _fmt in ("__{}__", "__r{}__", "__i{}__"):
        _dunder = _fmt.format(_name)
        setattr(ShadowArray, _dunder, _method(_dunder))
for _dunder in ("__neg__ __pos__ __abs__ __invert__ __eq__ __ne__ __lt__ __le__ __gt__ "
                "__ge__").split():
    setattr(ShadowArray, _dunder, _method(_dunder))
ShadowArray.__hash__ = None


def _unwrap(obj):
    if isinstance(obj, ShadowArray):
        return obj._a
    if isinstance(obj, np.ndarray):
        raise TypeError(
            "Unsupported type <class 'numpy.ndarray'>: a shadow (device) array cannot be mixed "
            "with a host numpy.ndarray; move it to the device first"
        )
    if isinstance(obj, (tuple, list)):
        return type(obj)(_unwrap(o) for o in obj)
    if isinstance(obj, dict):
        return {k: _unwrap(v) for k, v in obj.items()}
    return obj


def _wrap(obj):
    if isinstance(obj, np.ndarray):
        return ShadowArray(obj)
    if isinstance(obj, np.generic):  # CuPy never returns NumPy scalars from array ops
        return ShadowArray(np.asarray(obj))
    if isinstance(obj, tuple):
        return tuple(_wrap(o) for o in obj)
    if isinstance(obj, list):
        return [_wrap(o) for o in obj]
    return obj


def _call(fn, args, kwargs):
    with np.errstate(all="ignore"):  # a GPU never warns about overflow or division by zero
        out = fn(*_unwrap(args), **_unwrap(kwargs))
    if getattr(fn, "__name__", "") in ("item", "tolist"):
        return out
    return _wrap(out)


# Names of NumPy's namespace that CuPy also provides (what the engine may use).
CUPY_NAMES = set("""
abs absolute add all allclose amax amin any arange arccos arcsin arctan arctan2 argmax argmin
argsort around array array_equal asarray ascontiguousarray atleast_1d atleast_2d broadcast_arrays
broadcast_to ceil clip concatenate copy cos cosh count_nonzero cumprod cumsum diag diagonal divide
dot einsum empty empty_like equal exp exp2 expand_dims expm1 eye flip floor floor_divide fmax fmin
full full_like greater greater_equal hstack identity isclose isfinite isinf isnan kron less
less_equal linspace log log10 log1p log2 logaddexp logical_and logical_not logical_or logical_xor
matmul max maximum mean min minimum mod moveaxis multiply nan_to_num ndim negative nonzero
not_equal ones ones_like outer pad power prod ravel reciprocal remainder repeat reshape roll
rollaxis round rsqrt searchsorted sign sin sinh tan split sqrt square squeeze stack std subtract sum
swapaxes take take_along_axis tanh tensordot tile trace transpose tril triu true_divide trunc
unique var vstack where zeros zeros_like bitwise_and bitwise_or bitwise_xor bitwise_not invert
float16 float32 float64 int8 int16 int32 int64 uint8 bool_ dtype ndarray pi inf nan e newaxis
result_type promote_types can_cast iinfo finfo shape size argwhere cbrt heaviside sort
put_along_axis signbit copysign fmod arcsinh arccosh arctanh hypot
left_shift right_shift gcd lcm nextafter frexp isin
""".split())


DLPACK_TYPE = 12  # kDLExtDev: "an extension device", neither CPU nor CUDA memory
_DEVICE0 = types.SimpleNamespace(id=0)

# The methods of cupy.random.Generator (cupy/random/_generator_api.pyx).
CUPY_GENERATOR_METHODS = frozenset("""
random uniform integers beta chisquare dirichlet exponential f geometric hypergeometric logseries
standard_exponential poisson power standard_normal gamma standard_gamma binomial
""".split())


class _Generator:
    """``default_rng`` of the shadow module: NumPy's generator, results on the device.

    Only ``cupy.random.Generator``'s methods exist, so code calling others fails here
    as it would on a GPU.
    """

    def __init__(self, seed):
        self._g = np.random.default_rng(seed)

    def __getattr__(self, name):
        if name not in CUPY_GENERATOR_METHODS:
            raise AttributeError(f"'cupy.random.Generator' object has no attribute {name!r}")
        fn = getattr(self._g, name)
        return lambda *a, **k: _wrap(fn(*_unwrap(a), **_unwrap(k)))


class _CudaDevice:
    """``cupy.cuda.Device(i)``: a context manager; the shadow machine has one device."""

    def __init__(self, index=0):
        if index != 0:
            raise RuntimeError(f"cudaErrorInvalidDevice: invalid device ordinal {index} (shadow has one)")
        self.id = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def synchronize(self):
        pass


def _from_dlpack(obj):
    if isinstance(obj, ShadowArray):
        return ShadowArray(obj._a)  # shares memory, as cupy.from_dlpack does
    raise BufferError(
        f"shadow from_dlpack: expected device memory, got a producer on DLPack device "
        f"{obj.__dlpack_device__()} (as cupy.from_dlpack refuses host memory)")


def _make_module():
    mod = types.ModuleType("shadow_xp", "CuPy-like array module of the shadow device")
    for name in CUPY_NAMES:
        obj = getattr(np, name, None)
        if obj is None:
            continue
        if callable(obj) and not isinstance(obj, type):
            setattr(mod, name, _function(obj))
        else:
            setattr(mod, name, obj)
    mod.ndarray = ShadowArray
    mod.asarray = _asarray
    mod.array = lambda a, dtype=None, copy=True: ShadowArray(
        np.array(a._a if isinstance(a, ShadowArray) else a, dtype=dtype, copy=copy))
    mod.random = types.SimpleNamespace(default_rng=_Generator)
    mod.linalg = types.SimpleNamespace(**{n: _function(getattr(np.linalg, n))  # cupy.linalg's batched ones
                                          for n in ("cholesky", "solve", "slogdet", "det", "inv", "svd", "qr",
                                                    "eigh", "eigvalsh")})
    mod.from_dlpack = _from_dlpack
    mod.lib = types.SimpleNamespace(stride_tricks=types.SimpleNamespace(as_strided=_as_strided))
    mod.cuda = types.SimpleNamespace(
        Device=_CudaDevice, runtime=types.SimpleNamespace(getDeviceCount=lambda: 1))
    return mod


def _scatter_add(target, index, values):
    """``cupyx.scatter_add(a, slices, value)``: unbuffered ``a[slices] += value`` (values broadcast, as
    CuPy's; spelled out for NumPy 2.4's np.add.at, see registry._lead_ones_for_add_at)."""
    from autograd.arraylib.registry import _lead_ones_for_add_at

    index, values = _unwrap(index), _unwrap(values)
    np.add.at(target._a, index, _lead_ones_for_add_at(target._a, index, values))


def _erf(a):
    return ShadowArray(backend.get_backend("cpu").erf(a._a))


# cupyx.scipy.special's functions the engine uses (ops/special_fns.py), here SciPy's on the host array.
CUPYX_SPECIAL_NAMES = """
erfc erfcx gammaln digamma polygamma i0 i0e i1 i1e ndtri log_ndtr entr gammainc gammaincc zeta
""".split()


def _special(name):
    def fn(*arrays):
        cpu = backend.get_backend("cpu")
        return ShadowArray(np.asarray(special_function(cpu, name)(*(_unwrap(a) for a in arrays))))

    return fn


def _make_cupyx():
    special = {name: _special(name) for name in CUPYX_SPECIAL_NAMES}
    return types.SimpleNamespace(
        scatter_add=_scatter_add,
        scipy=types.SimpleNamespace(special=types.SimpleNamespace(erf=_erf, **special)))


def _function(fn):
    def wrapper(*args, **kwargs):
        return _call(fn, args, kwargs)

    wrapper.__name__ = getattr(fn, "__name__", "fn")
    return wrapper


def _asarray(a, dtype=None):
    """``cupy.asarray``: device arrays pass through; host data (NumPy arrays too) is copied over."""
    if isinstance(a, ShadowArray):
        return a if dtype is None else a.astype(dtype)
    return ShadowArray(np.array(a, dtype=dtype, copy=True))


def _as_strided(a, shape, strides):
    return ShadowArray(np.lib.stride_tricks.as_strided(a._a, shape, strides, writeable=True))


class ShadowBackend(backend.CupyBackend):
    """The backend of the shadow device: xpgrad's CuPy backend on the stand-in modules."""

    dlpack_type = DLPACK_TYPE

    def __init__(self):
        super().__init__(xp=_make_module(), xpx=_make_cupyx())


def register_shadow() -> str:
    """Register the shadow device type (idempotent) and return its name."""
    if DEVICE not in backend._BACKENDS:
        backend.register_backend(DEVICE, ShadowBackend())
    return DEVICE
