"""Op-table entries for ``ops/numeric_more.py``, ``ops/trapezoid.py`` and ``ops/numeric_random.py``:
the trapezoid rules, frexp's mantissa, ldexp and clamp_min / clamp_max (differentiable) and the
integer / bit / set ops with no gradient (shifts, gcd / lcm, nextafter, isin, histogram, poisson).

Domains: frexp draws values away from 0 and powers of two (where the mantissa jumps); clamp_*
keeps the input away from its bound (a kink). Edge cases (shifts past the bit width, frexp of
0 / inf / NaN / subnormals, empty isin, weighted histograms) are in tests/test_numeric_more.py.
The in-place gcd_ / lcm_ / ldexp_ are tested there too.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd as ag

from .spec import OpCase, array, shapes
from .spec import torch_module as _torch


@st.composite
def samples(draw, with_x=False):
    """``y`` (at least 1-d, small) and ``dim``; with ``with_x`` increasing 1-D sample points along
    ``dim``, else a ``dx`` parameter."""
    shape = draw(shapes(min_dims=1, max_dims=2, min_side=1, max_side=3))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    y = draw(array(shape))
    if with_x:
        steps = draw(array((shape[dim],), 0.2, 1.5))
        return (y, np.cumsum(steps)), {"dim": dim}
    return (y,), {"dim": dim, "dx": draw(st.sampled_from([1, 0.5, -2.0]))}


def _trapz_ref(y, x=None, dim=-1, dx=1):
    return np.asarray(np.trapezoid(y, x, dx=dx, axis=dim))


def _cumtrapz_ref(y, x=None, dim=-1, dx=1):
    y = np.moveaxis(y, dim, -1)
    step = dx if x is None else np.diff(x)
    return np.moveaxis(np.cumsum((y[..., 1:] + y[..., :-1]) * step / 2.0, axis=-1), -1, dim)


@st.composite
def off_powers_of_two(draw):
    """Values k + 0.3 (k in -4..3): never 0, never a power of two."""
    shape = draw(shapes(max_dims=2, max_side=3))
    return (draw(hnp.arrays(np.float64, shape, elements=st.integers(-4, 3).map(lambda k: k + 0.3))),), {}


@st.composite
def ints(draw, n=2, low=-20, high=20, second=None):
    """``n`` broadcasting int64 arrays (the second drawn from ``second`` = (low, high) if given)."""
    s = draw(hnp.mutually_broadcastable_shapes(num_shapes=n, max_dims=2, max_side=3))
    out = []
    for i, shape in enumerate(s.input_shapes):
        lo, hi = second if (second and i == 1) else (low, high)
        out.append(draw(hnp.arrays(np.int64, shape, elements=st.integers(lo, hi))))
    return tuple(out), {}


@st.composite
def ldexp_input(draw):
    shape = draw(shapes(max_dims=2, max_side=3))
    # exponents >= 0: PyTorch's gradient for a negative one is 0 (tests/test_numeric_more.py)
    return (draw(array(shape)), draw(hnp.arrays(np.int64, shape, elements=st.integers(0, 4)))), {}


@st.composite
def off_bound(draw, tensor_bound=False):
    """An array and a bound 0.5 (a number) or a broadcasting array, never equal to the elements."""
    shape = draw(shapes(max_dims=2, max_side=3))
    x = draw(hnp.arrays(np.float64, shape, elements=st.integers(-3, 3).map(lambda k: k + 0.25)))
    if tensor_bound:
        return (x, draw(hnp.arrays(np.float64, shape[-1:], elements=st.integers(-3, 3).map(float)))), {}
    return (x,), {}


def _shift_ref(left):
    def ref(a, s):
        s = np.broadcast_to(s, np.broadcast_shapes(a.shape, s.shape))
        out = np.left_shift(a, np.clip(s, 0, 63)) if left else np.right_shift(a, np.clip(s, 0, 63))
        return np.where(s >= 64, 0 if left else np.right_shift(a, 63), out)
    return ref


def _isin_ref(a, b, invert=False):
    return np.isin(a, b, invert=invert)


@st.composite
def isin_input(draw):
    (a, b), _ = draw(ints(low=-3, high=3))
    return (a.astype(np.float64), b), {"invert": draw(st.booleans())}


@st.composite
def histogram_input(draw):
    x = draw(array(draw(shapes(max_dims=2, max_side=4))))
    w = draw(array(x.shape, 0.0, 2.0))
    return (x, w), {"bins": draw(st.integers(1, 4)), "density": draw(st.booleans())}


def _torch_linspace(lo, hi, steps):
    """PyTorch's linspace: from the start for the first half of the points, from the end for the rest
    (NumPy's differs in the last bit, which moves an element lying on an inner edge)."""
    step = (hi - lo) / (steps - 1)
    return np.array([lo + i * step if i < steps // 2 else hi - (steps - 1 - i) * step for i in range(steps)])


def _histogram_ref(x, w, bins, density):
    if x.size == 0:
        return np.full(bins, np.nan if density else 0.0), np.linspace(0.0, 1.0, bins + 1)
    lo, hi = (x.min(), x.max()) if x.min() < x.max() else (x.min() - 0.5, x.max() + 0.5)
    return np.histogram(x, _torch_linspace(lo, hi, bins + 1), weights=w, density=density)


def tf(name):
    def call(*ts, **params):
        return getattr(_torch(), name)(*ts, **params)

    call.__name__ = f"torch.{name}"
    return call


CASES = [
    # ------------------------------------------------------------ trapezoid rules
    OpCase("trapezoid", ag.trapezoid, _trapz_ref, samples(), torch_fn=tf("trapezoid")),
    OpCase("trapezoid", ag.trapezoid, _trapz_ref, samples(with_x=True), torch_fn=tf("trapezoid"),
           covers=("trapz",), id="trapezoid_x"),
    OpCase("cumulative_trapezoid", ag.cumulative_trapezoid, _cumtrapz_ref, samples(),
           torch_fn=tf("cumulative_trapezoid")),
    OpCase("cumulative_trapezoid", ag.cumulative_trapezoid, _cumtrapz_ref, samples(with_x=True),
           torch_fn=tf("cumulative_trapezoid"), id="cumulative_trapezoid_x"),
    # ------------------------------------------------------------ frexp / ldexp / clamp_*
    OpCase("frexp", lambda a: tuple(ag.frexp(a)), lambda a: np.frexp(a), off_powers_of_two(),
           torch_fn=lambda a: tuple(_torch().frexp(a))),
    OpCase("ldexp", ag.ldexp, lambda a, e: a * 2.0 ** e, ldexp_input(), torch_fn=tf("ldexp"),
           covers=("ldexp_",)),
    OpCase("clamp_min", lambda a: ag.clamp_min(a, 0.5), lambda a: np.maximum(a, 0.5), off_bound(),
           torch_fn=lambda a: _torch().clamp_min(a, 0.5)),
    OpCase("clamp_max", ag.clamp_max, np.minimum, off_bound(tensor_bound=True), torch_fn=tf("clamp_max")),
    # ------------------------------------------------------------ no gradient
    OpCase("bitwise_left_shift", ag.bitwise_left_shift, _shift_ref(True), ints(second=(0, 70)),
           torch_fn=tf("bitwise_left_shift"), grad=False),
    OpCase("bitwise_right_shift", lambda a, s: a >> s, _shift_ref(False), ints(second=(0, 70)),
           torch_fn=lambda a, s: a >> s, grad=False),
    OpCase("gcd", ag.gcd, np.gcd, ints(), torch_fn=tf("gcd"), grad=False, covers=("gcd_", "lcm_")),
    OpCase("lcm", lambda a, b: a.lcm(b), np.lcm, ints(), torch_fn=lambda a, b: a.lcm(b), grad=False),
    OpCase("nextafter", lambda a, b: ag.nextafter(a.double(), b.double()),
           lambda a, b: np.nextafter(a.astype(np.float64), b.astype(np.float64)), ints(low=-2, high=2),
           torch_fn=lambda a, b: _torch().nextafter(a.double(), b.double()), grad=False),
    OpCase("isin", ag.isin, _isin_ref, isin_input(), torch_fn=tf("isin"), grad=False),
    OpCase("histogram", lambda x, w, **k: tuple(ag.histogram(x, weight=w, **k)), _histogram_ref,
           histogram_input(), torch_fn=lambda x, w, **k: tuple(_torch().histogram(x, weight=w, **k)),
           grad=False, rtol=1e-6, atol=1e-9),
    OpCase("poisson", lambda a: ag.poisson(a.abs() * 0), lambda a: np.zeros_like(a), off_bound(),
           torch_fn=lambda a: _torch().poisson(a.abs() * 0), grad=False),
]
