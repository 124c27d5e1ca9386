"""Op-table entries for the breadth ops of ``ops/unary_more.py``, ``ops/compare_more.py`` and
``ops/linalg_more.py``: rounding, log2/log10/exp2, erfinv, trigonometry, fmod, atan2, lerp, addcmul,
addcdiv, isinf/isclose/nan_to_num, cumprod, cdist, cross, kron, tensordot, inner, mv, addmm, baddbmm.

Domains keep away from the jumps of the rounding functions and fmod, from poles, and from
zero distances for cdist.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd as ag

from .spec import OpCase, array, broadcast_pair, shapes, unary
from .spec import torch_module as _torch


def tf(name, **kw):
    def call(*ts, **params):
        return getattr(_torch(), name)(*ts, **kw)

    call.__name__ = f"torch.{name}"
    return call


@st.composite
def off_integers(draw, scale=1.0):
    """Values at least 0.1 away from multiples of ``scale`` (and from the .5 points for round)."""
    shape = draw(shapes())
    whole = draw(hnp.arrays(np.float64, shape, elements=st.integers(-3, 3).map(float)))
    frac = draw(hnp.arrays(np.float64, shape, elements=st.floats(0.1, 0.4) | st.floats(0.6, 0.9)))
    return ((whole + frac) * scale,), {}


@st.composite
def fmod_pair(draw):
    """``(a, b)`` with ``a / b`` at least 0.1 away from an integer, both signs."""
    s = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4))
    b = draw(array(s.input_shapes[1], 0.3, 3.0))
    b = b * draw(hnp.arrays(np.float64, s.input_shapes[1], elements=st.sampled_from([-1.0, 1.0])))
    whole = draw(hnp.arrays(np.float64, s.result_shape, elements=st.integers(-3, 3).map(float)))
    frac = draw(hnp.arrays(np.float64, s.result_shape, elements=st.floats(0.1, 0.9)))
    sign = draw(hnp.arrays(np.float64, s.result_shape, elements=st.sampled_from([-1.0, 1.0])))
    return (sign * (np.abs(whole) + frac) * np.abs(b), b), {}


@st.composite
def three(draw, low3=None):
    """Three arrays broadcasting together (the third kept away from 0 when ``low3`` is given)."""
    s = draw(hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, max_side=4))
    a = draw(array(s.input_shapes[0]))
    b = draw(array(s.input_shapes[1]))
    c = draw(array(s.input_shapes[2], *(low3 if low3 else (-3.0, 3.0))))
    return (a, b, c), {}


@st.composite
def scan_input(draw, zeros=False):
    """One array of >= 1 dims and a dim; with ``zeros``, some exact zeros in it."""
    shape = draw(shapes(min_dims=1, max_side=4))
    elements = st.floats(0.3, 1.5) | st.floats(-1.5, -0.3)
    if zeros:
        elements = elements | st.just(0.0)
    a = draw(hnp.arrays(np.float64, shape, elements=elements))
    return (a,), {"dim": draw(st.integers(-len(shape), len(shape) - 1))}


@st.composite
def cdist_pair(draw):
    """``x1 (B, P, M)`` in [-3, -1], ``x2 (B, R, M)`` in [1, 3]: every coordinate differs by 2+."""
    b, p, r, m = (draw(st.integers(1, 3)) for _ in range(4))
    return (draw(array((b, p, m), -3.0, -1.0)), draw(array((b, r, m), 1.0, 3.0))), {
        "p": draw(st.sampled_from([1.0, 2.0, 3.0]))
    }


@st.composite
def cross_pair(draw):
    s = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=1, max_dims=3, max_side=3))
    n = max(len(s.input_shapes[0]), len(s.input_shapes[1]), 1)  # PyTorch wants equal numbers of dims
    shape0 = [1] * (n - len(s.input_shapes[0])) + list(s.input_shapes[0])
    shape1 = [1] * (n - len(s.input_shapes[1])) + list(s.input_shapes[1])
    k = draw(st.integers(1, n))
    shape0[-k], shape1[-k] = 3, 3
    return (draw(array(tuple(shape0))), draw(array(tuple(shape1)))), {"dim": -k}


@st.composite
def mats(draw, *shapes_fn):
    n = [draw(st.integers(1, 3)) for _ in range(4)]
    return tuple(draw(array(f(*n))) for f in shapes_fn), {}


def _cross_ref(a, b, dim):
    return np.cross(a, b, axis=dim)


def _cdist_ref(x1, x2, p):
    d = np.abs(x1[:, :, None, :] - x2[:, None, :, :])
    return (d**p).sum(-1) ** (1 / p)


def _erfinv_ref(a):
    from scipy.special import erfinv

    return erfinv(a)


CASES = [
    # ------------------------------------------------------------ rounding (zero gradient)
    OpCase("floor", ag.floor, np.floor, off_integers(), torch_fn=tf("floor"), covers=("fix",)),
    OpCase("ceil", lambda a: a.ceil(), np.ceil, off_integers(), torch_fn=lambda a: a.ceil()),
    OpCase("trunc", ag.trunc, np.trunc, off_integers(), torch_fn=tf("trunc")),
    OpCase("round", ag.round, np.round, off_integers(), torch_fn=tf("round")),
    OpCase(
        "round",
        lambda a: ag.round(a, decimals=1),
        lambda a: np.round(a, 1),
        off_integers(0.1),
        torch_fn=lambda a: _torch().round(a, decimals=1),
        id="round_decimals",
        rtol=1e-6,
    ),
    OpCase("frac", ag.frac, lambda a: a - np.trunc(a), off_integers(), torch_fn=tf("frac")),
    # ------------------------------------------------------------ float math
    OpCase("log2", ag.log2, np.log2, unary(low=0.1, high=3.0), torch_fn=tf("log2")),
    OpCase("log10", lambda a: a.log10(), np.log10, unary(low=0.1, high=3.0), torch_fn=lambda a: a.log10()),
    OpCase("exp2", ag.exp2, np.exp2, unary(), torch_fn=tf("exp2")),
    OpCase("erfinv", ag.erfinv, _erfinv_ref, unary(low=-0.9, high=0.9), torch_fn=tf("erfinv"), rtol=1e-6),
    OpCase("square", ag.square, np.square, unary(), torch_fn=tf("square")),
    OpCase("tan", ag.tan, np.tan, unary(low=-1.2, high=1.2), torch_fn=tf("tan")),
    OpCase("sinh", ag.sinh, np.sinh, unary(), torch_fn=tf("sinh")),
    OpCase("cosh", ag.cosh, np.cosh, unary(), torch_fn=tf("cosh")),
    OpCase("asin", ag.asin, np.arcsin, unary(low=-0.9, high=0.9), torch_fn=tf("asin"), covers=("arcsin",)),
    OpCase("acos", ag.acos, np.arccos, unary(low=-0.9, high=0.9), torch_fn=tf("acos"), covers=("arccos",)),
    OpCase("atan", ag.atan, np.arctan, unary(), torch_fn=tf("atan"), covers=("arctan",)),
    OpCase(
        "logit", ag.logit, lambda a: np.log(a / (1 - a)), unary(low=0.05, high=0.95), torch_fn=tf("logit")
    ),
    OpCase("fmod", ag.fmod, np.fmod, fmod_pair(), torch_fn=tf("fmod")),
    OpCase(
        "atan2",
        ag.atan2,
        np.arctan2,
        broadcast_pair(low=0.2, high=3.0),
        torch_fn=tf("atan2"),
        covers=("arctan2",),
    ),
    OpCase("hypot", ag.hypot, np.hypot, broadcast_pair(low=0.2, high=3.0), torch_fn=tf("hypot")),
    OpCase(
        "xlogy", ag.xlogy, lambda a, b: a * np.log(b), broadcast_pair(low=0.2, high=3.0), torch_fn=tf("xlogy")
    ),
    OpCase("lerp", ag.lerp, lambda a, b, w: a + w * (b - a), three(), torch_fn=tf("lerp")),
    OpCase(
        "addcmul",
        lambda a, b, c: ag.addcmul(a, b, c, value=0.5),
        lambda a, b, c: a + 0.5 * b * c,
        three(),
        torch_fn=lambda a, b, c: _torch().addcmul(a, b, c, value=0.5),
    ),
    OpCase(
        "addcdiv",
        lambda a, b, c: ag.addcdiv(a, b, c, value=-2),
        lambda a, b, c: a - 2 * b / c,
        three(low3=(0.5, 3.0)),
        torch_fn=lambda a, b, c: _torch().addcdiv(a, b, c, value=-2),
    ),
    # ------------------------------------------------------------ value tests
    OpCase(
        "isinf",
        lambda a: ag.isinf(1 / a),
        lambda a: np.isinf(1 / a),
        unary(low=-1, high=1),
        grad=False,
        gradgrad=False,
        covers=("isposinf", "isneginf", "signbit"),
    ),
    OpCase(
        "isclose",
        lambda a, b: ag.isclose(a, a + b * 1e-9),
        lambda a, b: np.isclose(a, a + b * 1e-9),
        broadcast_pair(),
        torch_fn=lambda a, b: _torch().isclose(a, a + b * 1e-9),
        grad=False,
        gradgrad=False,
        covers=("allclose",),
    ),
    OpCase(
        "nan_to_num",
        lambda a: ag.nan_to_num(ag.log(a), nan=7.0),
        lambda a: np.nan_to_num(np.log(a), nan=7.0),
        unary(low=-2, high=2, away_from=(0.0,)),
        grad=False,
        gradgrad=False,
    ),
    OpCase(
        "nan_to_num",
        lambda a: ag.nan_to_num(a * 2, posinf=1.0),
        lambda a: a * 2,
        unary(),
        torch_fn=lambda a: _torch().nan_to_num(a * 2, posinf=1.0),
        id="nan_to_num_finite",
    ),
    # ------------------------------------------------------------ scans and products
    OpCase(
        "cumprod",
        lambda a, dim: ag.cumprod(a, dim),
        lambda a, dim: np.cumprod(a, dim),
        scan_input(),
        torch_fn=lambda a, dim: _torch().cumprod(a, dim),
    ),
    OpCase(
        "cumprod",
        lambda a, dim: a.cumprod(dim),
        lambda a, dim: np.cumprod(a, dim),
        scan_input(zeros=True),
        torch_fn=lambda a, dim: _torch().cumprod(a, dim),
        id="cumprod_zeros",
        gradgrad=False,
    ),
    OpCase(
        "cdist",
        lambda a, b, p: ag.cdist(a, b, p),
        _cdist_ref,
        cdist_pair(),
        torch_fn=lambda a, b, p: _torch().cdist(a, b, p),
        rtol=1e-6,
    ),
    OpCase(
        "cross",
        lambda a, b, dim: ag.cross(a, b, dim=dim),
        _cross_ref,
        cross_pair(),
        torch_fn=lambda a, b, dim: _torch().cross(a, b, dim=dim),
    ),
    OpCase(
        "kron",
        ag.kron,
        np.kron,
        mats(lambda a, b, c, d: (a, b), lambda a, b, c, d: (c, d)),
        torch_fn=tf("kron"),
    ),
    OpCase(
        "tensordot",
        lambda a, b: ag.tensordot(a, b, 1),
        lambda a, b: np.tensordot(a, b, 1),
        mats(lambda a, b, c, d: (a, b), lambda a, b, c, d: (b, c)),
        torch_fn=lambda a, b: _torch().tensordot(a, b, 1),
    ),
    OpCase(
        "tensordot",
        lambda a, b: ag.tensordot(a, b, ([0, 2], [1, 0])),
        lambda a, b: np.tensordot(a, b, ([0, 2], [1, 0])),
        mats(lambda a, b, c, d: (a, b, c), lambda a, b, c, d: (c, a, d)),
        torch_fn=lambda a, b: _torch().tensordot(a, b, ([0, 2], [1, 0])),
        id="tensordot_pairs",
    ),
    OpCase(
        "inner",
        ag.inner,
        np.inner,
        mats(lambda a, b, c, d: (a, c), lambda a, b, c, d: (b, c)),
        torch_fn=tf("inner"),
    ),
    OpCase(
        "mv",
        ag.mv,
        lambda m, v: m @ v,
        mats(lambda a, b, c, d: (a, b), lambda a, b, c, d: (b,)),
        torch_fn=tf("mv"),
    ),
    OpCase(
        "addmm",
        lambda i, a, b: ag.addmm(i, a, b, beta=0.5, alpha=2),
        lambda i, a, b: 0.5 * i + 2 * a @ b,
        mats(lambda a, b, c, d: (a, c), lambda a, b, c, d: (a, b), lambda a, b, c, d: (b, c)),
        torch_fn=lambda i, a, b: _torch().addmm(i, a, b, beta=0.5, alpha=2),
    ),
    OpCase(
        "addmv",
        ag.addmv,
        lambda i, a, b: i + a @ b,
        mats(lambda a, b, c, d: (a,), lambda a, b, c, d: (a, b), lambda a, b, c, d: (b,)),
        torch_fn=tf("addmv"),
    ),
    OpCase(
        "addr",
        lambda i, a, b: ag.addr(i, a, b, beta=0.5, alpha=2),
        lambda i, a, b: 0.5 * i + 2 * np.outer(a, b),
        mats(lambda a, b, c, d: (a, c), lambda a, b, c, d: (a,), lambda a, b, c, d: (c,)),
        torch_fn=lambda i, a, b: _torch().addr(i, a, b, beta=0.5, alpha=2),
    ),
    OpCase(
        "baddbmm",
        ag.baddbmm,
        lambda i, a, b: i + a @ b,
        mats(lambda a, b, c, d: (d, a, c), lambda a, b, c, d: (d, a, b), lambda a, b, c, d: (d, b, c)),
        torch_fn=tf("baddbmm"),
    ),
    OpCase(
        "addbmm",
        ag.addbmm,
        lambda i, a, b: i + (a @ b).sum(0),
        mats(lambda a, b, c, d: (a, c), lambda a, b, c, d: (d, a, b), lambda a, b, c, d: (d, b, c)),
        torch_fn=tf("addbmm"),
    ),
]
