"""Random numbers: one default generator per device, seeded together by ``manual_seed``,
and :class:`Generator` objects for independent, reproducible streams (``torch.Generator``).

Every random function takes ``generator=``: ``None`` (the device's default
generator), an :class:`autograd.Generator`, or a raw backend generator
(``numpy.random.Generator`` for CPU tensors). :func:`backend_generator` turns
that argument into the generator that draws; new random ops call it.
"""
from __future__ import annotations

import json
import numbers
import secrets

from . import backend

__all__ = ["Generator", "manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state",
           "backend_generator", "check_generator", "default_generator"]

#: The seed of a fresh ``torch.Generator()`` (PyTorch's ``default_rng_seed_val``).
DEFAULT_SEED = 67280421310721
_U64 = 1 << 64
_STATE_VERSION = 1


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


def seed() -> int:
    """Seed every device's default generator with a non-deterministic seed and return it."""
    return manual_seed(secrets.randbits(63))


def initial_seed() -> int:
    """The seed of the default generators (``manual_seed``'s or ``seed``'s).

    Before any seeding the default generators draw from OS entropy; the first
    call then seeds them with a fresh random seed (statistically the same
    stream) so that the value returned reproduces what follows.
    """
    s = backend._SEED["value"]
    return seed() if s is None else s


def _check_seed(value, who="manual_seed"):
    """PyTorch's seed range: a Python int in [-2**63, 2**64); negatives wrap to uint64."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise RuntimeError(f"{who} expected a long, but got {type(value).__name__}")
    value = int(value)
    if not -(1 << 63) <= value < _U64:
        raise ValueError("Overflow when unpacking long long")
    return value % _U64


class Generator:
    """A random number generator with its own state, as ``torch.Generator``.

    Args:
        device: the device it draws on (``"cpu"`` by default, ``"cuda"``).

    A new generator starts from PyTorch's default seed, 67280421310721, so two
    fresh generators give the same numbers (not PyTorch's numbers: the
    algorithms differ). Pass it as ``generator=`` to ``rand``, ``randn``,
    ``randint``, ``randperm``, ``normal_``, ``uniform_``, ``DataLoader``,
    ``RandomSampler`` and ``random_split``.

    Example::

        >>> g = ag.Generator().manual_seed(0)
        >>> a = ag.rand(3, generator=g)
        >>> g.manual_seed(0) is g
        True
        >>> bool((ag.rand(3, generator=g) == a).all())
        True
    """

    def __init__(self, device="cpu"):
        self._device = backend.Device(device if device is not None else "cpu")
        self._seed = DEFAULT_SEED
        self._rng = None

    @property
    def device(self):
        """The device this generator draws on."""
        return self._device

    def __repr__(self):
        return f"<autograd.Generator object on device '{self._device}'>"

    def _raw(self):
        """The backend generator (created on first use, on this generator's device)."""
        if self._rng is None:
            dev = self._device
            with dev.backend.device_context(dev.index):
                self._rng = dev.backend.xp.random.default_rng(self._seed)
        return self._rng

    def manual_seed(self, seed):
        """Reset the generator to ``seed``; returns the generator."""
        self._seed = _check_seed(seed)
        self._rng = None
        return self

    def seed(self):
        """Reseed from a non-deterministic source; returns the new seed."""
        s = secrets.randbits(64)
        self.manual_seed(s)
        return s

    def initial_seed(self):
        """The seed the generator was last seeded with."""
        return self._seed

    def get_state(self):
        """The generator's state as a uint8 Tensor (restore it with :meth:`set_state`)."""
        return _encode_state(self._raw(), self._seed, self._device)

    def set_state(self, new_state):
        """Restore a state returned by :meth:`get_state`; returns the generator."""
        seed_value, bit_state = _decode_state(new_state, self._device)
        rng = self._fresh_rng(seed_value)
        rng.bit_generator.state = bit_state
        self._seed, self._rng = seed_value, rng
        return self

    def _fresh_rng(self, seed_value):
        dev = self._device
        with dev.backend.device_context(dev.index):
            return dev.backend.xp.random.default_rng(seed_value)


class _DefaultGenerator(Generator):
    """``ag.default_generator``: the CPU default generator that ``ag.manual_seed`` seeds."""

    def __init__(self):
        super().__init__("cpu")

    def _raw(self):
        return self._device.backend.generator(0)

    def manual_seed(self, seed):
        manual_seed(_check_seed(seed))
        return self

    def seed(self):
        return seed()

    def initial_seed(self):
        return initial_seed()

    def get_state(self):
        return _encode_state(self._raw(), backend._SEED["value"], self._device)

    def set_state(self, new_state):
        seed_value, bit_state = _decode_state(new_state, self._device)
        self._raw().bit_generator.state = bit_state
        backend._SEED["value"] = seed_value
        return self


default_generator = _DefaultGenerator()


def get_rng_state():
    """The CPU default generator's state as a uint8 Tensor."""
    return default_generator.get_state()


def set_rng_state(new_state):
    """Restore the CPU default generator's state from :func:`get_rng_state`."""
    default_generator.set_state(new_state)


def _bit_state(rng, device):
    state = getattr(getattr(rng, "bit_generator", None), "state", None)
    if not isinstance(state, dict):
        raise RuntimeError(f"get_state: the {device.type} backend's generator ({type(rng).__name__}) "
                           "cannot report its state; reseed it with manual_seed instead")
    return state


def _encode_state(rng, seed_value, device):
    from .creation import tensor

    doc = {"xpgrad_rng": _STATE_VERSION, "device": device.type, "seed": seed_value,
           "bit_generator": _bit_state(rng, device)}
    return tensor(list(json.dumps(doc).encode()), dtype=backend.uint8)


def _decode_state(state, device):
    from .tensor import Tensor

    if not isinstance(state, Tensor) or state.dtype != backend.uint8:
        raise TypeError("RNG state must be a uint8 Tensor (autograd.ByteTensor), as get_state returns")
    try:
        doc = json.loads(bytes(state.reshape(-1).tolist()).decode())
        ok = doc.get("xpgrad_rng") == _STATE_VERSION and isinstance(doc.get("bit_generator"), dict)
    except (ValueError, UnicodeDecodeError, AttributeError):
        ok = False
    if not ok:
        raise RuntimeError(f"set_state: not an RNG state returned by get_state ({state.numel()} bytes)")
    if doc.get("device") != device.type:
        raise RuntimeError(f"set_state: the state is of a {doc.get('device')!r} generator, "
                           f"this generator draws on {device.type!r}")
    return doc.get("seed"), doc["bit_generator"]


# ---------------------------------------------------------------- resolving ``generator=``
def check_generator(generator, who="generator"):
    """Check a ``generator=`` argument of CPU-side code (samplers, ``DataLoader``).

    Accepts ``None``, an :class:`autograd.Generator` on the CPU, or a
    ``numpy.random.Generator``; raises ``TypeError`` naming what is accepted.
    """
    if generator is not None:
        backend_generator(generator, backend.Device("cpu"), who)
    return generator


def backend_generator(generator, device, who="generator"):
    """The backend generator that draws for ``device`` given a ``generator=`` argument.

    Args:
        generator: ``None`` (the device's default generator, seeded by
            ``ag.manual_seed``), an :class:`autograd.Generator` of the same
            device type, or a raw generator of the device's backend
            (``numpy.random.Generator`` on the CPU).
        device (ag.device): where the samples go.
        who (str): the argument's name in error messages.

    Returns:
        The raw generator (``numpy.random.Generator`` / ``cupy.random.Generator``),
        with ``random``, ``standard_normal`` and ``integers``.

    Raises:
        TypeError: ``generator`` is none of the above.
        RuntimeError: an :class:`autograd.Generator` of another device type.
    """
    device = backend.Device(device)
    if generator is None:
        return device.backend.generator(device.index)
    if isinstance(generator, Generator):
        if generator.device.type != device.type:
            raise RuntimeError(f"Expected a '{device.type}' device type for generator but found "
                               f"'{generator.device.type}'")
        return generator._raw()
    if type(generator) is type(device.backend.generator(device.index)):
        return generator
    raise TypeError(f"{who} must be an autograd.Generator (or a raw {device.type} backend generator, "
                    f"e.g. numpy.random.default_rng(0) for the CPU), got {type(generator).__name__}")


def _float(dtype):
    return dtype if dtype.kind == "f" and dtype != backend.float16 else backend.float32


# Only Generator methods that cupy.random.Generator also has are used here: ``random``,
# ``standard_normal`` and ``integers`` (it has no ``normal`` with ``dtype`` and no
# ``permutation``: that one goes through the backend). Draws run with the device current,
# as a CuPy generator requires.
def uniform_array(shape, dtype, device, a=0.0, b=1.0, generator=None):
    """An array of U(a, b) samples, drawn directly in ``dtype`` (float32 stays float32)."""
    g = backend_generator(generator, device)
    with device.backend.device_context(device.index):
        x = g.random(shape, dtype=_float(dtype))
        if a != 0.0 or b != 1.0:
            x = x * (b - a) + a
        return x.astype(dtype, copy=False)


def normal_array(shape, dtype, device, mean=0.0, std=1.0, generator=None):
    """An array of N(mean, std²) samples, drawn directly in ``dtype``."""
    g = backend_generator(generator, device)
    with device.backend.device_context(device.index):
        x = g.standard_normal(shape, dtype=_float(dtype))
        if std != 1.0:
            x *= std
        if mean != 0.0:
            x += mean
        return x.astype(dtype, copy=False)


def integers_array(low, high, shape, dtype, device, generator=None):
    """An array of integers drawn uniformly from ``[low, high)``."""
    g = backend_generator(generator, device)
    with device.backend.device_context(device.index):
        return g.integers(low, high, size=shape, dtype=dtype)


def permutation_array(n, device, generator=None):
    """A random permutation of ``range(n)`` on ``device`` (int64)."""
    g = backend_generator(generator, device)
    with device.backend.device_context(device.index):
        return device.backend.permutation(g, n)
