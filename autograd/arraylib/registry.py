"""The backend registry: a :class:`Backend` per device type (NumPy, CuPy imported lazily,
others registered by ``register_backend``, as the tests' shadow device is)."""
from __future__ import annotations

import contextlib

import numpy as np

from .dtypes import int64
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
        if not _scatter_along_axis(target, index, values):
            np.add.at(target, index, _lead_ones_for_add_at(target, index, values))

    def as_strided(self, a, shape, strides, writeable=False):
        return np.lib.stride_tricks.as_strided(a, shape, strides, writeable=writeable)

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

    def as_strided(self, a, shape, strides, writeable=False):
        return self.xp.lib.stride_tricks.as_strided(a, shape, strides)  # CuPy's views are writable

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
# the interning tables of devices.py, cleared here when a device type is (re)registered
_DEVICES: dict = {}  # (type, index) -> Device
_ARRAY_DEVICE: dict = {}  # array type -> Device (unindexed backends)


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


_SHORT_INDEX = 64  # up to this many positions of at least _WIDE_SLICE elements each, one strided
_WIDE_SLICE = 256  # add per position beats np.add.at (10x on notebook 13's upsampling gradient)


def _lead_ones_for_add_at(target, index, values):
    """``values`` with leading 1s up to the indexed result's dimensions. NumPy 2.4's ``np.add.at``
    of a 1-d target with a 2-d index and values broadcast over the index's leading dims (index
    (2, 3), values (3,)) adds garbage (uninitialised memory); with the 1s spelled out it is right."""
    if not isinstance(values, np.ndarray) or values.size == 1:
        return values
    items = index if index.__class__ is tuple else (index,)
    if not all(i.__class__ is slice or isinstance(i, np.ndarray) for i in items):
        return values
    arrays = [i.ndim for i in items if i.__class__ is not slice]
    ndim = (max(arrays) if arrays else 0) + (len(items) - len(arrays)) + target.ndim - len(items)
    extra = ndim - values.ndim
    return values.reshape((1,) * extra + values.shape) if extra > 0 else values


def _scatter_along_axis(target, index, values):
    """``np.add.at(target, index, values)`` for ``index_select``'s index (full slices, then one short
    integer vector) as one strided add per position, in the order np.add.at takes them (so the
    sums are the same bit for bit), at a fraction of its cost: np.add.at handles one element at a
    time. False (nothing done) for any other index."""
    if index.__class__ is not tuple or not index:
        return False
    *lead, positions = index
    if (positions.__class__ is not np.ndarray or positions.ndim != 1 or positions.dtype.kind not in "iu"
            or len(positions) > _SHORT_INDEX
            or any(s.__class__ is not slice or s != slice(None) for s in lead)):
        return False
    d = len(lead)
    if (values.shape != target.shape[:d] + positions.shape + target.shape[d + 1:]
            or values.size < _WIDE_SLICE * len(positions)):
        return False
    pre = (slice(None),) * d
    for j, k in enumerate(positions.tolist()):
        target[pre + (k,)] += values[pre + (j,)]
    return True
