"""Random numbers: one generator per device, seeded together by ``manual_seed``."""
from __future__ import annotations

from . import backend


def manual_seed(seed: int):
    """Seed the generators of every device (CPU and CUDA)."""
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TypeError(f"manual_seed expects an int, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"manual_seed expects a non-negative seed, got {seed}")
    for b in list(backend._BACKENDS.values()):
        b.seed(seed)
    backend._SEED["value"] = seed
    return seed


def _gen(device, generator):
    return generator if generator is not None else device.backend.generator(device.index)


def _float(dtype):
    return dtype if dtype.kind == "f" and dtype != backend.float16 else backend.float32


# Only Generator methods that cupy.random.Generator also has are used here: ``random``,
# ``standard_normal`` and ``integers`` (it has no ``normal`` with ``dtype`` and no
# ``permutation``: that one goes through the backend). Draws run with the device current,
# as a CuPy generator requires.
def uniform_array(shape, dtype, device, a=0.0, b=1.0, generator=None):
    """An array of U(a, b) samples, drawn directly in ``dtype`` (float32 stays float32)."""
    g = _gen(device, generator)
    with device.backend.device_context(device.index):
        x = g.random(shape, dtype=_float(dtype))
        if a != 0.0 or b != 1.0:
            x = x * (b - a) + a
        return x.astype(dtype, copy=False)


def normal_array(shape, dtype, device, mean=0.0, std=1.0, generator=None):
    """An array of N(mean, std²) samples, drawn directly in ``dtype``."""
    g = _gen(device, generator)
    with device.backend.device_context(device.index):
        x = g.standard_normal(shape, dtype=_float(dtype))
        if std != 1.0:
            x *= std
        if mean != 0.0:
            x += mean
        return x.astype(dtype, copy=False)


def integers_array(low, high, shape, dtype, device, generator=None):
    """An array of integers drawn uniformly from ``[low, high)``."""
    g = _gen(device, generator)
    with device.backend.device_context(device.index):
        return g.integers(low, high, size=shape, dtype=dtype)


def permutation_array(n, device, generator=None):
    """A random permutation of ``range(n)`` on ``device`` (int64)."""
    g = _gen(device, generator)
    with device.backend.device_context(device.index):
        return device.backend.permutation(g, n)
