"""Reusable test helpers: hypothesis strategies for tensors and gradient assertions.

Needs the ``hypothesis`` package (``pip install "xpgrad[test]"``); ``import
autograd`` does not import it.

Example::

    from hypothesis import given
    import autograd as ag
    from autograd.testing import assert_gradcheck, tensors

    @given(tensors(shape=(3, 4), requires_grad=True))
    def test_tanh_grad(x):
        assert_gradcheck(ag.tanh, x)
"""
from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from . import backend
from .autograd import grad as _grad
from .creation import tensor as _tensor
from .gradcheck import _unravel, gradcheck, gradgradcheck
from .tensor import Tensor

__all__ = [
    "tensors", "shapes", "broadcastable_shapes", "basic_indices", "integer_indices", "bool_masks",
    "assert_close", "assert_gradcheck", "assert_gradgradcheck", "assert_same_on_devices",
]


# ---------------------------------------------------------------- strategies
def shapes(min_dims=0, max_dims=3, min_side=1, max_side=4):
    """Strategy for array shapes (tuples of ints), 0-d included by default."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def _elements(dtype):
    if dtype.kind == "f":
        width = 16 if dtype == backend.float16 else (32 if dtype == backend.float32 else 64)
        return st.floats(-10, 10, allow_nan=False, allow_infinity=False, width=width)
    if dtype.kind == "b":
        return st.booleans()
    return st.integers(-10, 10) if dtype.kind == "i" else st.integers(0, 10)


@st.composite
def tensors(draw, shape=None, dtype=backend.float64, elements=None, device="cpu", requires_grad=False):
    """Strategy for Tensors.

    Args:
        shape: a tuple, or a strategy of tuples (default: up to 3 dimensions of
            size 1 to 4, 0-d included).
        dtype: the tensor dtype (default float64, as gradient checks need).
        elements: a strategy for the values (default: finite values in
            ``[-10, 10]`` for floats, small integers, booleans).
        device: where the tensor lives.
        requires_grad: make the tensor a leaf that requires grad.

    Example::

        >>> from hypothesis import given
        >>> @given(tensors(shape=(2, 3), elements=st.floats(0.1, 1)))
        ... def test_log_is_negative(x):
        ...     assert bool((x.log() <= 0).all())
    """
    dtype = backend.as_dtype(dtype)
    if shape is None:
        shape = shapes()
    if isinstance(shape, st.SearchStrategy):
        shape = draw(shape)
    if isinstance(shape, int):
        shape = (shape,)
    host = draw(hnp.arrays(dtype, tuple(shape), elements=_elements(dtype) if elements is None else elements))
    return _tensor(host, dtype=dtype, device=device, requires_grad=requires_grad)


def broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, min_side=1, max_side=4, base_shape=()):
    """Strategy for a tuple of ``num_shapes`` shapes that broadcast together.

    Example::

        >>> from hypothesis import given
        >>> @given(broadcastable_shapes(2))
        ... def test_add_broadcasts(shapes):
        ...     a, b = (ag.ones(s) for s in shapes)
        ...     assert (a + b).ndim == max(len(s) for s in shapes)
    """
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=min_dims, max_dims=max_dims, min_side=min_side,
        max_side=max_side, base_shape=base_shape,
    ).map(lambda s: s.input_shapes)


def basic_indices(shape, allow_newaxis=True, allow_ellipsis=True):
    """Strategy for basic indices of ``shape``: ints, slices, ``None`` and ``...``.

    Slice steps are positive, as PyTorch requires (use ``flip`` for reversal).
    """
    return hnp.basic_indices(tuple(shape), allow_newaxis=allow_newaxis,
                             allow_ellipsis=allow_ellipsis).map(_positive_steps)


def _positive_steps(index):
    def fix(i):
        if isinstance(i, slice) and i.step is not None and i.step < 0:
            return slice(None, None, -i.step)
        return i

    return tuple(fix(i) for i in index) if isinstance(index, tuple) else fix(index)


@st.composite
def integer_indices(draw, shape, device="cpu", result_shape=None):
    """Strategy for a tuple of int64 index tensors, one per dimension of ``shape`` (in range,
    negative indices included).

    Repeated indices are drawn too (their gradients must accumulate).
    """
    kw = {} if result_shape is None else {"result_shape": result_shape}
    idx = draw(hnp.integer_array_indices(tuple(shape), **kw))
    return tuple(_tensor(i, dtype=backend.int64, device=device) for i in idx)


@st.composite
def bool_masks(draw, shape, device="cpu"):
    """Strategy for a bool tensor of ``shape`` (a boolean-indexing mask)."""
    host = draw(hnp.arrays(backend.bool_, tuple(shape), elements=st.booleans()))
    return _tensor(host, dtype=backend.bool_, device=device)


# ---------------------------------------------------------------- assertions
def _host(x):
    if isinstance(x, Tensor):
        return backend.to_host(x.detach()._data)
    if backend.is_array(x):
        return backend.to_host(x)
    return backend.asarray(x, device=backend.Device("cpu"))


def assert_close(actual, expected, rtol=1e-7, atol=1e-7, msg=""):
    """Assert that two tensors/arrays have the same shape and close values (NaNs equal).

    Raises ``AssertionError`` naming the worst element and the largest difference.
    """
    a, e = _host(actual), _host(expected)
    prefix = f"{msg}: " if msg else ""
    if tuple(a.shape) != tuple(e.shape):
        raise AssertionError(f"{prefix}shape mismatch: {tuple(a.shape)} vs expected {tuple(e.shape)}")
    if a.size == 0:
        return
    xp = backend.Device("cpu").xp
    af = xp.asarray(a, dtype=backend.float64).reshape(-1)
    ef = xp.asarray(e, dtype=backend.float64).reshape(-1)
    both_nan = xp.isnan(af) & xp.isnan(ef)
    same_inf = xp.isinf(af) & (af == ef)
    excess = xp.where(both_nan | same_inf, -1.0, xp.abs(af - ef) - (atol + rtol * xp.abs(ef)))
    bad = ~(excess <= 0)  # NaN against a number counts as bad
    if bad.any():
        j = int(xp.where(bad, xp.nan_to_num(excess, nan=xp.inf), -xp.inf).argmax())
        idx = tuple(int(k) for k in _unravel(j, a.shape))
        raise AssertionError(
            f"{prefix}{int(bad.sum())} of {a.size} elements differ (rtol={rtol}, atol={atol}); "
            f"worst at {idx}: {af[j]!r} vs expected {ef[j]!r}\n"
            f"actual:\n{a}\nexpected:\n{e}"
        )


def _float64_inputs(tensors):
    """float tensors as float64 leaves (keeping requires_grad; all of them if none requires it)."""
    any_grad = any(isinstance(t, Tensor) and t.requires_grad for t in tensors)
    out = []
    for t in tensors:
        if isinstance(t, Tensor) and t.dtype.kind == "f":
            req = t.requires_grad or not any_grad
            t = t.detach().to(backend.float64).requires_grad_(req)
        out.append(t)
    return tuple(out)


def assert_gradcheck(fn, *tensors, eps=1e-6, atol=1e-5, rtol=1e-3):
    """Assert that ``fn(*tensors)``'s gradients match finite differences (see :func:`gradcheck`).

    Floating-point tensors are checked in float64 (converted when needed); the
    ones that require grad are checked, or all of them when none does.
    """
    gradcheck(fn, _float64_inputs(tensors), eps=eps, atol=atol, rtol=rtol)


def assert_gradgradcheck(fn, *tensors, eps=1e-6, atol=1e-5, rtol=1e-3):
    """Assert that ``fn``'s second derivatives match finite differences (see :func:`gradgradcheck`)."""
    gradgradcheck(fn, _float64_inputs(tensors), eps=eps, atol=atol, rtol=rtol)


def _skip(reason):
    try:
        import pytest
    except ImportError:  # pragma: no cover - pytest is the usual runner
        raise RuntimeError(reason) from None
    pytest.skip(reason)


def assert_same_on_devices(fn, *tensors, devices=("cpu", "cuda"), rtol=1e-5, atol=1e-6, seed=0):
    """Assert that ``fn`` gives the same outputs and gradients on every device in ``devices``.

    Each tensor is copied to each device (a fresh leaf that requires grad when
    the original does), ``fn`` runs forward, and backward runs from its
    floating-point outputs with the same random upstream gradients. Outputs and
    gradients are compared with the first device's. A device type that is not
    available (no GPU) skips the test under pytest (raises otherwise).

    Args:
        fn: a function of Tensors returning a Tensor or a tuple of Tensors.
        devices: device names; the first is the reference.
        rtol, atol: tolerances of the comparison.
    """
    devs = []
    for d in devices:
        kind = str(d).partition(":")[0]
        if kind == "cuda" and not backend.cuda_available():
            _skip(f"device {d!r} is not available (needs CuPy and a CUDA GPU)")
        devs.append(backend.Device(d))
    rng = backend.Device("cpu").xp.random.default_rng(seed)
    reference = None
    for dev in devs:
        inputs = []
        for t in tensors:
            if isinstance(t, Tensor):
                c = t.detach().to(dev)
                if c is t or c._data is t._data:
                    c = _tensor(c, device=dev)
                if t.requires_grad:
                    c.requires_grad_(True)
                t = c
            inputs.append(t)
        outs = fn(*inputs)
        outs = (outs,) if isinstance(outs, Tensor) else tuple(outs)
        if reference is None:
            upstream = [rng.standard_normal(o.shape) if o.requires_grad else None for o in outs]
        diff = [(o, _tensor(u, dtype=o.dtype, device=dev)) for o, u in zip(outs, upstream)
                if u is not None]
        wanted = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
        grads = ()
        if diff and wanted:
            grads = _grad([p[0] for p in diff], wanted, [p[1] for p in diff], allow_unused=True)
        result = ([_host(o) for o in outs], [None if g is None else _host(g) for g in grads])
        if reference is None:
            reference = result
            continue
        for k, (a, e) in enumerate(zip(result[0], reference[0])):
            assert_close(a, e, rtol, atol, msg=f"output {k} on {dev} vs {devs[0]}")
        for k, (a, e) in enumerate(zip(result[1], reference[1])):
            if (a is None) != (e is None):
                raise AssertionError(f"gradient of input {k}: None on one device only ({dev} vs {devs[0]})")
            if a is not None:
                assert_close(a, e, rtol, atol, msg=f"gradient of input {k} on {dev} vs {devs[0]}")
