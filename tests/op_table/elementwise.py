"""Op-table entries for the elementwise ops (arithmetic, unary math, comparisons, where, casts).

Domains keep inputs away from the points where an op is not differentiable
(0 for abs/relu/sign, the clamp bounds, ties of maximum/minimum, the jumps of
floor division and remainder) and from poles (division by ~0, log of ~0).
"""
from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd as ag

from .spec import OpCase, array, broadcast_pair, shapes, unary
from .spec import torch_module as _torch, on_device as _t


@st.composite
def pair_same(draw, low=-3.0, high=3.0):
    """``(a, b)`` broadcasting together with ``|a - b| >= 0.1`` everywhere (no ties).

    One operand has the broadcast shape and is built as the other plus an offset.
    """
    s = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4))
    small = draw(array(s.input_shapes[0], low, high))
    offset = draw(hnp.arrays(np.float64, s.result_shape, elements=st.floats(0.1, 2.0)))
    sign = draw(hnp.arrays(np.float64, s.result_shape, elements=st.sampled_from([-1.0, 1.0])))
    full = small + offset * sign
    return ((full, small) if draw(st.booleans()) else (small, full)), {}


@st.composite
def away_from_jumps(draw, low=0.3, high=3.0):
    """``(a, b)`` with ``a / b`` at least 0.1 away from an integer (floor/trunc/remainder jumps)."""
    s = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4))
    b = draw(array(s.input_shapes[1], low, high))
    sign = draw(hnp.arrays(np.float64, s.input_shapes[1], elements=st.sampled_from([-1.0, 1.0])))
    b = b * sign
    whole = draw(hnp.arrays(np.float64, s.result_shape, elements=st.integers(-3, 3).map(float)))
    frac = draw(hnp.arrays(np.float64, s.result_shape, elements=st.floats(0.1, 0.9)))
    a = (whole + frac) * b  # a has the broadcast shape
    return (a, b), {}


@st.composite
def scalar_and(draw, inputs, low=-2.5, high=2.5, away_from=None):
    """``inputs`` plus a Python float ``s`` in ``params``."""
    arrays, params = draw(inputs)
    s = draw(st.floats(low, high, allow_nan=False))
    if away_from is not None:
        s = s if all(abs(s - p) > 0.1 for p in away_from) else away_from[0] + 0.5
    return arrays, {**params, "s": s}


@st.composite
def with_mask(draw, n=2):
    """``n`` arrays and a boolean condition, all broadcasting together."""
    s = draw(hnp.mutually_broadcastable_shapes(num_shapes=n + 1, min_dims=0, max_dims=3, max_side=4))
    arrays = tuple(draw(array(s.input_shapes[i])) for i in range(n))
    cond = draw(hnp.arrays(np.bool_, s.input_shapes[n]))
    return arrays, {"cond": cond}


@st.composite
def clamp_input(draw, lo=-1.0, hi=1.0):
    shape = draw(shapes())
    return (draw(array(shape, -3, 3, away_from=(lo, hi), gap=0.05)),), {}


@st.composite
def float32_grid(draw):
    """Values ``k / 64`` that survive a float32 round trip (and its +-eps neighbours) exactly."""
    shape = draw(shapes())
    a = draw(hnp.arrays(np.float64, shape, elements=st.integers(-192, 192).map(lambda k: k / 64)))
    return (a,), {}


pos = unary(low=0.1, high=3.0)
nonzero = unary(low=-3.0, high=3.0, away_from=(0.0,))


def _div_away(low2=0.3):
    @st.composite
    def strat(draw):
        s = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4))
        a = draw(array(s.input_shapes[0]))
        b = draw(array(s.input_shapes[1], low2, 3.0))
        sign = draw(hnp.arrays(np.float64, s.input_shapes[1], elements=st.sampled_from([-1.0, 1.0])))
        return (a, b * sign), {}

    return strat()


def _floor_divide_ref(a, b):
    return np.floor_divide(a, b)


def tf(name, **kw):
    """``torch.<name>`` called with the case's tensors (looked up when the test runs)."""
    def call(*ts, **params):
        return getattr(_torch(), name)(*ts, **kw)

    call.__name__ = f"torch.{name}"
    return call


CASES = [
    # ------------------------------------------------------------ arithmetic
    OpCase("add", lambda a, b: a + b, np.add, broadcast_pair(), torch_fn=lambda a, b: a + b,
           covers=("__add__",)),
    OpCase("add", lambda a, b: ag.add(a, b, alpha=2.5), lambda a, b: a + 2.5 * b, broadcast_pair(),
           torch_fn=lambda a, b: _torch().add(a, b, alpha=2.5), id="add_alpha"),
    OpCase("add", lambda a, s: a + s, lambda a, s: a + s, scalar_and(unary()),
           torch_fn=lambda a, s: a + s, id="add_scalar"),
    OpCase("add", lambda a, s: s + a, lambda a, s: s + a, scalar_and(unary()),
           torch_fn=lambda a, s: s + a, id="radd_scalar"),
    OpCase("sub", lambda a, b: a - b, np.subtract, broadcast_pair(), torch_fn=lambda a, b: a - b),
    OpCase("sub", lambda a, b: ag.sub(a, b, alpha=-1.5), lambda a, b: a + 1.5 * b, broadcast_pair(),
           torch_fn=lambda a, b: _torch().sub(a, b, alpha=-1.5), id="sub_alpha"),
    OpCase("sub", lambda a, s: s - a, lambda a, s: s - a, scalar_and(unary()),
           torch_fn=lambda a, s: s - a, id="rsub_scalar"),
    OpCase("mul", lambda a, b: a * b, np.multiply, broadcast_pair(), torch_fn=lambda a, b: a * b),
    OpCase("mul", lambda a, s: a * s, lambda a, s: a * s, scalar_and(unary()),
           torch_fn=lambda a, s: a * s, id="mul_scalar"),
    OpCase("mul", lambda a: a * a, lambda a: a * a, unary(), torch_fn=lambda a: a * a,
           id="mul_self"),
    OpCase("div", lambda a, b: a / b, np.divide, _div_away(), torch_fn=lambda a, b: a / b,
           covers=("true_divide",)),
    OpCase("div", lambda a, b: ag.true_divide(a, b), np.divide, _div_away(),
           torch_fn=lambda a, b: _torch().true_divide(a, b), id="true_divide"),
    OpCase("div", lambda a, s: s / a, lambda a, s: s / a, scalar_and(nonzero),
           torch_fn=lambda a, s: s / a, id="rdiv_scalar"),
    OpCase("div", lambda a, b: ag.div(a, b, rounding_mode="floor"), _floor_divide_ref,
           away_from_jumps(), torch_fn=lambda a, b: _torch().div(a, b, rounding_mode="floor"),
           id="div_floor"),
    OpCase("div", lambda a, b: ag.div(a, b, rounding_mode="trunc"), lambda a, b: np.trunc(a / b),
           away_from_jumps(), torch_fn=lambda a, b: _torch().div(a, b, rounding_mode="trunc"),
           id="div_trunc"),
    # torch.floor_divide has no derivative; torch.div(rounding_mode="floor") is the same function
    OpCase("floor_divide", lambda a, b: a // b, _floor_divide_ref, away_from_jumps(),
           torch_fn=lambda a, b: _torch().div(a, b, rounding_mode="floor")),
    OpCase("remainder", lambda a, b: a % b, np.remainder, away_from_jumps(),
           torch_fn=lambda a, b: _torch().remainder(a, b)),
    OpCase("remainder", lambda a, b: ag.remainder(a, b), np.remainder, away_from_jumps(),
           torch_fn=lambda a, b: _torch().remainder(a, b), id="remainder_fn"),
    OpCase("pow", lambda a: a ** 2, lambda a: a ** 2, unary(), torch_fn=lambda a: a ** 2,
           id="pow_2"),
    OpCase("pow", lambda a: ag.pow(a, 3), lambda a: a ** 3, unary(), torch_fn=lambda a: a ** 3,
           id="pow_3"),
    OpCase("pow", lambda a: a ** 0.5, np.sqrt, pos, torch_fn=lambda a: a ** 0.5, id="pow_half"),
    OpCase("pow", lambda a: a ** -1.5, lambda a: a ** -1.5, pos, torch_fn=lambda a: a ** -1.5,
           id="pow_neg"),
    OpCase("pow", lambda a: a ** 0, lambda a: a ** 0, unary(), torch_fn=lambda a: a ** 0,
           id="pow_0"),
    OpCase("pow", lambda a: a ** 1, lambda a: a ** 1, unary(), torch_fn=lambda a: a ** 1,
           id="pow_1"),
    OpCase("pow", lambda a, b: a ** b, np.power, broadcast_pair(low=0.2, high=2.5),
           torch_fn=lambda a, b: a ** b, id="pow_tensor"),
    OpCase("pow", lambda b: 2.0 ** b, lambda b: 2.0 ** b, unary(), torch_fn=lambda b: 2.0 ** b,
           id="pow_scalar_base"),
    OpCase("pow", lambda b: ag.pow(1.5, b), lambda b: 1.5 ** b, unary(),
           torch_fn=lambda b: _torch().pow(1.5, b), id="pow_scalar_base_fn"),
    OpCase("neg", lambda a: -a, np.negative, unary(), torch_fn=lambda a: -a, covers=("negative",)),
    OpCase("neg", ag.negative, np.negative, unary(), torch_fn=tf("negative"), id="negative"),
    # ------------------------------------------------------------ unary math
    OpCase("exp", ag.exp, np.exp, unary(), torch_fn=tf("exp")),
    OpCase("exp", lambda a: a.exp(), np.exp, unary(), torch_fn=lambda a: a.exp(), id="exp_method"),
    OpCase("log", ag.log, np.log, pos, torch_fn=tf("log")),
    OpCase("log1p", ag.log1p, np.log1p, unary(low=-0.8, high=3.0), torch_fn=tf("log1p")),
    OpCase("expm1", ag.expm1, np.expm1, unary(), torch_fn=tf("expm1")),
    OpCase("sqrt", ag.sqrt, np.sqrt, pos, torch_fn=tf("sqrt")),
    OpCase("rsqrt", ag.rsqrt, lambda a: 1 / np.sqrt(a), pos, torch_fn=tf("rsqrt"), rtol=1e-6),
    OpCase("sin", ag.sin, np.sin, unary(), torch_fn=tf("sin")),
    OpCase("cos", ag.cos, np.cos, unary(), torch_fn=tf("cos")),
    OpCase("tanh", ag.tanh, np.tanh, unary(), torch_fn=tf("tanh")),
    OpCase("sigmoid", ag.sigmoid, lambda a: 1 / (1 + np.exp(-a)), unary(low=-8.0, high=8.0),
           torch_fn=tf("sigmoid")),
    OpCase("erf", ag.erf, np.vectorize(math.erf, otypes=[np.float64]), unary(), torch_fn=tf("erf")),
    OpCase("erf", lambda a: a.erf(), np.vectorize(math.erf, otypes=[np.float64]), unary(),
           torch_fn=lambda a: a.erf(), id="erf_method"),
    OpCase("relu", ag.relu, lambda a: np.maximum(a, 0), nonzero, torch_fn=tf("relu")),
    OpCase("abs", ag.abs, np.abs, nonzero, torch_fn=tf("abs"), covers=("absolute", "__abs__")),
    OpCase("abs", ag.absolute, np.abs, nonzero, torch_fn=tf("absolute"), id="absolute"),
    OpCase("sign", ag.sign, np.sign, nonzero, torch_fn=tf("sign")),
    OpCase("reciprocal", ag.reciprocal, lambda a: 1 / a, nonzero, torch_fn=tf("reciprocal")),
    OpCase("clamp", lambda a: ag.clamp(a, -1.0, 1.0), lambda a: np.clip(a, -1, 1), clamp_input(),
           torch_fn=lambda a: _torch().clamp(a, -1.0, 1.0), covers=("clip",)),
    OpCase("clamp", lambda a: a.clamp(min=-1.0), lambda a: np.maximum(a, -1), clamp_input(),
           torch_fn=lambda a: a.clamp(min=-1.0), id="clamp_min"),
    OpCase("clamp", lambda a: ag.clip(a, max=1.0), lambda a: np.minimum(a, 1), clamp_input(),
           torch_fn=lambda a: _torch().clip(a, max=1.0), id="clip_max"),
    OpCase("clamp", lambda a, lo: ag.clamp(a, min=lo), np.maximum, pair_same(),
           torch_fn=lambda a, lo: _torch().clamp(a, min=lo), id="clamp_tensor_min"),
    OpCase("maximum", ag.maximum, np.maximum, pair_same(), torch_fn=tf("maximum")),
    OpCase("minimum", ag.minimum, np.minimum, pair_same(), torch_fn=tf("minimum")),
    OpCase("where", lambda a, b, cond: ag.where(_t(cond, a), a, b),
           lambda a, b, cond: np.where(cond, a, b), with_mask(),
           torch_fn=lambda a, b, cond: _torch().where(_torch().from_numpy(cond), a, b)),
    OpCase("where", lambda a, b, cond: a.where(_t(cond, a), b),
           lambda a, b, cond: np.where(cond, a, b), with_mask(),
           torch_fn=lambda a, b, cond: a.where(_torch().from_numpy(cond), b), id="where_method"),
    OpCase("where", lambda a, cond: ag.where(_t(cond, a), a, 0.5),
           lambda a, cond: np.where(cond, a, 0.5), with_mask(1),
           torch_fn=lambda a, cond: _torch().where(_torch().from_numpy(cond), a, 0.5),
           id="where_scalar"),
    OpCase("where", lambda a, cond: ag.where(_t(cond, a), -1.5, a),
           lambda a, cond: np.where(cond, -1.5, a), with_mask(1),
           torch_fn=lambda a, cond: _torch().where(_torch().from_numpy(cond), -1.5, a),
           id="where_scalar_input"),
    OpCase("clone", ag.clone, np.copy, unary(), torch_fn=tf("clone")),
    OpCase("clone", lambda a: a.to(ag.float32), lambda a: a.astype(np.float32), float32_grid(),
           torch_fn=lambda a: a.to(_torch().float32), eps=2.0 ** -10, id="to_float32"),
    OpCase("clone", lambda a: a.float().double() * 3, lambda a: a * 3, float32_grid(),
           torch_fn=lambda a: a.float().double() * 3, eps=2.0 ** -10, id="cast_round_trip"),
    # ------------------------------------------------------------ comparisons and logic (no grad)
    OpCase("eq", lambda a, b: a == b, np.equal, broadcast_pair(), torch_fn=lambda a, b: a == b,
           grad=False, gradgrad=False),
    OpCase("eq", ag.eq, np.equal, broadcast_pair(), torch_fn=tf("eq"), grad=False, gradgrad=False,
           id="eq_fn"),
    OpCase("ne", ag.ne, np.not_equal, broadcast_pair(), torch_fn=tf("ne"), grad=False,
           gradgrad=False),
    OpCase("lt", lambda a, b: a < b, np.less, broadcast_pair(), torch_fn=lambda a, b: a < b,
           grad=False, gradgrad=False, covers=()),
    OpCase("le", ag.le, np.less_equal, broadcast_pair(), torch_fn=tf("le"), grad=False,
           gradgrad=False),
    OpCase("gt", lambda a, s: a > s, lambda a, s: a > s, scalar_and(unary()),
           torch_fn=lambda a, s: a > s, grad=False, gradgrad=False),
    OpCase("ge", ag.ge, np.greater_equal, broadcast_pair(), torch_fn=tf("ge"), grad=False,
           gradgrad=False),
    OpCase("logical_and", lambda a, b: ag.logical_and(a > 0, b > 0),
           lambda a, b: np.logical_and(a > 0, b > 0), broadcast_pair(),
           torch_fn=lambda a, b: _torch().logical_and(a > 0, b > 0), grad=False, gradgrad=False),
    OpCase("logical_or", lambda a, b: (a > 0) | (b > 0), lambda a, b: np.logical_or(a > 0, b > 0),
           broadcast_pair(), torch_fn=lambda a, b: (a > 0) | (b > 0), grad=False, gradgrad=False),
    OpCase("logical_xor", lambda a, b: ag.logical_xor(a > 0, b > 0),
           lambda a, b: np.logical_xor(a > 0, b > 0), broadcast_pair(),
           torch_fn=lambda a, b: _torch().logical_xor(a > 0, b > 0), grad=False, gradgrad=False),
    OpCase("logical_not", lambda a: ~(a > 0), lambda a: ~(a > 0), unary(),
           torch_fn=lambda a: ~(a > 0), grad=False, gradgrad=False),
    # on numbers, not bools: truth (nonzero) for the logical ops, bits for the bitwise ones
    # (trunc makes zeros)
    OpCase("logical_and", lambda a, b: a.trunc().logical_and(b.trunc()),
           lambda a, b: np.logical_and(np.trunc(a), np.trunc(b)), broadcast_pair(),
           torch_fn=lambda a, b: a.trunc().logical_and(b.trunc()), grad=False, gradgrad=False,
           id="logical_and_float"),
    OpCase("logical_or", lambda a, b: ag.logical_or(a.trunc().long(), b.trunc()),
           lambda a, b: np.logical_or(np.trunc(a), np.trunc(b)), broadcast_pair(),
           torch_fn=lambda a, b: _torch().logical_or(a.trunc().long(), b.trunc()), grad=False, gradgrad=False,
           id="logical_or_int_float"),
    OpCase("logical_xor", lambda a, b: ag.logical_xor(a.trunc().long(), b.trunc().long()),
           lambda a, b: np.logical_xor(np.trunc(a), np.trunc(b)), broadcast_pair(),
           torch_fn=lambda a, b: _torch().logical_xor(a.trunc().long(), b.trunc().long()), grad=False,
           gradgrad=False, id="logical_xor_int"),
    OpCase("logical_not", lambda a: a.trunc().long().logical_not(), lambda a: np.logical_not(np.trunc(a)),
           unary(), torch_fn=lambda a: a.trunc().long().logical_not(), grad=False, gradgrad=False,
           id="logical_not_int"),
    OpCase("bitwise_and", lambda a, b: a.trunc().long() & b.trunc().long(),
           lambda a, b: np.trunc(a).astype(np.int64) & np.trunc(b).astype(np.int64), broadcast_pair(),
           torch_fn=lambda a, b: a.trunc().long() & b.trunc().long(), grad=False, gradgrad=False),
    OpCase("bitwise_or", lambda a, b: ag.bitwise_or(a.trunc().long(), b.trunc().long()),
           lambda a, b: np.trunc(a).astype(np.int64) | np.trunc(b).astype(np.int64), broadcast_pair(),
           torch_fn=lambda a, b: _torch().bitwise_or(a.trunc().long(), b.trunc().long()), grad=False,
           gradgrad=False),
    OpCase("bitwise_xor", lambda a, b: a.trunc().long().bitwise_xor(b.trunc().long()),
           lambda a, b: np.trunc(a).astype(np.int64) ^ np.trunc(b).astype(np.int64), broadcast_pair(),
           torch_fn=lambda a, b: a.trunc().long().bitwise_xor(b.trunc().long()), grad=False, gradgrad=False),
    OpCase("bitwise_not", lambda a: ~a.trunc().long(), lambda a: ~np.trunc(a).astype(np.int64), unary(),
           torch_fn=lambda a: ~a.trunc().long(), grad=False, gradgrad=False),
    OpCase("isnan", lambda a: ag.isnan(a.log()), lambda a: np.isnan(np.log(a)), unary(low=-2, high=2),
           grad=False, gradgrad=False, covers=()),
    OpCase("isfinite", lambda a: ag.isfinite(1 / a), lambda a: np.isfinite(1 / a),
           unary(low=-2, high=2), grad=False, gradgrad=False),
    OpCase("equal", lambda a, b: ag.tensor(ag.equal(a, b), device=a.device), lambda a, b: np.array(
        a.shape == b.shape and bool(np.all(a == b))), broadcast_pair(), grad=False, gradgrad=False),
    OpCase("equal", lambda a: ag.tensor(ag.equal(a, a.clone()), device=a.device),
           lambda a: np.array(True), unary(), grad=False, gradgrad=False, id="equal_self"),
]
