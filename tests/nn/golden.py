"""PyTorch's answers: computed live when torch is installed, replayed from a file when it is not.

Tests write PyTorch expressions through ``T`` instead of ``torch``:
``T.nn.Conv2d(4, 8, 3, stride=2).double()``. That returns an :class:`Expr`
holding a key spelled like the expression (``nn.Conv2d(4, 8, 3, stride=2).double()``)
and, when torch is importable, the real object. The comparison helpers
(``layer_check.compare_module``, ``compare_fn``, the loss tests' ``run``) give
:func:`answer` that key plus a digest of the inputs and a function that computes
PyTorch's arrays. With torch, the live answer is used and checked against the
recorded one; without torch, the recorded one is used. So the layer tests run,
and mean the same thing, on a machine without PyTorch.

Record (or refresh) the file after adding a case, with torch installed::

    XPGRAD_GOLDEN=record python -m pytest -p no:xdist tests/nn
"""
from __future__ import annotations

import atexit
import hashlib
import os

import numpy as np
import pytest

try:
    import torch as _torch
except ImportError:  # the replay path
    _torch = None

PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden.npz")
RECORDING = os.environ.get("XPGRAD_GOLDEN") == "record"
HAVE_TORCH = _torch is not None


def _spell(v):
    if isinstance(v, Expr):
        return v.key
    if isinstance(v, np.ndarray):
        return f"array{v.shape}:{v.dtype}:{digest(v)}"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k!r}: {_spell(x)}" for k, x in v.items()) + "}"
    if isinstance(v, (list, tuple)):
        inner = ", ".join(_spell(x) for x in v)
        return f"[{inner}]" if isinstance(v, list) else f"({inner})"
    return repr(v)


def _real(v):
    if isinstance(v, Expr):
        return v.obj
    if isinstance(v, dict):
        return {k: _real(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return type(v)(_real(x) for x in v)
    return v


class Expr:
    """A PyTorch expression: its spelling (``key``) and, with torch installed, its value (``obj``).

    NumPy arrays passed as arguments are spelled by a digest of their values.
    Each call runs with torch's generator seeded by its spelling.
    """

    def __init__(self, key, obj=None):
        self.key, self.obj = key, obj

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return Expr(f"{self.key}.{name}" if self.key else name,
                    getattr(self.obj, name) if HAVE_TORCH else None)

    def __call__(self, *args, **kwargs):
        spelled = [_spell(a) for a in args] + [f"{k}={_spell(v)}" for k, v in kwargs.items()]
        key = f"{self.key}({', '.join(spelled)})"
        obj = None
        if HAVE_TORCH:  # seeded by the spelling, so that a module's random init is the recorded one
            _torch.manual_seed(int(hashlib.sha1(key.encode()).hexdigest()[:8], 16))
            obj = self.obj(*_real(list(args)), **_real(kwargs))
        return Expr(key, obj)

    def __repr__(self):
        return answer("repr:" + self.key, lambda: {"repr": np.array(repr(self.obj))})["repr"].item()


T = Expr("", _torch)


def prepared(expr: Expr, label: str, fn) -> Expr:
    """``expr`` after ``fn(obj)`` changed its torch object in place (seeded), spelled ``expr.label``."""
    if HAVE_TORCH:
        _torch.manual_seed(0)
        with _torch.no_grad():
            fn(expr.obj)
    return Expr(f"{expr.key}.{label}", expr.obj)


_CALLS: dict = {}


def _test_id() -> str:
    """The running test's id without its device parameter, and the answer's number within it."""
    node = full = os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" ", 1)[0]
    for dev in ("cpu", "shadow", "cuda"):
        node = node.replace(f"[{dev}]", "").replace(f"[{dev}-", "[").replace(f"-{dev}]", "]")
        node = node.replace(f"-{dev}-", "-")
    n = _CALLS[full] = _CALLS.get(full, -1) + 1
    return f"{node}#{n}"


def digest(a) -> str:
    a = np.ascontiguousarray(a)
    return hashlib.sha1(str(a.dtype).encode() + str(a.shape).encode() + a.tobytes()).hexdigest()[:12]


class _Store:
    def __init__(self):
        self._arrays = None
        self._new = {}

    def arrays(self):
        if self._arrays is None:
            self._arrays = dict(np.load(PATH, allow_pickle=False)) if os.path.exists(PATH) else {}
        return self._arrays

    def get(self, h):
        prefix = h + "/"
        found = {k[len(prefix):]: v for k, v in self.arrays().items() if k.startswith(prefix)}
        return found or None

    def put(self, h, values):
        for k, v in values.items():
            self._new[f"{h}/{k}"] = np.asarray(v)

    def save(self):
        if self._new:
            merged = {**self.arrays(), **self._new}
            np.savez_compressed(PATH, **merged)


STORE = _Store()
if RECORDING:
    atexit.register(STORE.save)


_STALE_RTOL, _STALE_ATOL = 1e-4, 1e-5


def answer(key: str, compute, rtol=1e-6, atol=1e-7):
    """PyTorch's arrays for ``key``: ``compute()`` with torch, else the recorded ones.

    With torch installed and not recording, a recorded answer that differs from the
    live one fails the test (the file is stale: record it again).
    """
    key = f"{_test_id()}|{key}"
    h = hashlib.sha1(key.encode()).hexdigest()[:20]
    recorded = STORE.get(h)
    if not HAVE_TORCH:
        if recorded is None:
            pytest.fail(f"no recorded PyTorch answer for {key!r}: with torch installed, run "
                        "XPGRAD_GOLDEN=record python -m pytest -p no:xdist tests/nn")
        return recorded
    live = {k: np.asarray(v) for k, v in compute().items()}
    if RECORDING:
        STORE.put(h, live)
    elif recorded is not None:
        assert sorted(recorded) == sorted(live), f"recorded answer for {key!r} is stale"
        for k, v in live.items():
            if v.dtype.kind in "fc":  # PyTorch's own kernels differ by CPU: its AVX2 and AVX-512 erf
                # (GELU) differ by ~1e-6 absolute; a stale file (other inputs, other semantics) is
                # off by far more
                np.testing.assert_allclose(recorded[k], v, rtol=max(rtol, _STALE_RTOL),
                                           atol=max(atol, _STALE_ATOL),
                                           err_msg=f"recorded answer for {key!r} is stale ({k})")
            else:
                assert np.array_equal(recorded[k], v), f"recorded answer for {key!r} is stale ({k})"
    return live
