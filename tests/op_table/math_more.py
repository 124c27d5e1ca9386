"""Op-table entries for ``ops/math_more.py`` (fmax/fmin, logaddexp, sinc, copysign, float_power, ...)
and the reductions of ``ops/nan_reduce.py`` and ``ops/stats.py``.

Domains: fmax/fmin draw operands that never tie (a tie is a kink; ties and NaN are tested against
PyTorch in tests/test_math_more.py); sinc, sgn and copysign keep away from 0.
"""
from __future__ import annotations


import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd as ag

from .spec import OpCase, broadcast_pair, unary
from .spec import torch_module as _torch


def tf(name, **kw):
    """``torch.<name>`` called with the case's tensors (looked up when the test runs)."""
    def call(*ts, **params):
        return getattr(_torch(), name)(*ts, **kw)

    call.__name__ = f"torch.{name}"
    return call


@st.composite
def untied_pair(draw):
    """Two broadcasting arrays whose elements are never equal (quarter vs three-quarter points)."""
    s = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4))
    a = draw(hnp.arrays(np.float64, s.input_shapes[0], elements=st.integers(-3, 3).map(lambda k: k + 0.25)))
    b = draw(hnp.arrays(np.float64, s.input_shapes[1], elements=st.integers(-3, 3).map(lambda k: k + 0.75)))
    return (a, b), {}


def _logaddexp2_ref(a, b):
    return np.logaddexp2(a, b)


def _sinc_ref(a):
    return np.sinc(a)


nonzero = unary(away_from=[0.0])

CASES = [
    OpCase("fmax", ag.fmax, np.fmax, untied_pair(), torch_fn=tf("fmax")),
    OpCase("fmax", lambda a, b: a.fmax(b), np.fmax, untied_pair(), torch_fn=lambda a, b: a.fmax(b),
           id="fmax_method"),
    OpCase("fmin", ag.fmin, np.fmin, untied_pair(), torch_fn=tf("fmin")),
    OpCase("fmin", lambda a, b: b.fmin(a), lambda a, b: np.fmin(b, a), untied_pair(),
           torch_fn=lambda a, b: b.fmin(a), id="fmin_method"),
    OpCase("logaddexp", ag.logaddexp, np.logaddexp, broadcast_pair(), torch_fn=tf("logaddexp")),
    OpCase("logaddexp", lambda a, b: (a * 1000).logaddexp(b * 1000),
           lambda a, b: np.logaddexp(a * 1000, b * 1000),
           broadcast_pair(), torch_fn=lambda a, b: (a * 1000).logaddexp(b * 1000), id="logaddexp_large"),
    OpCase("logaddexp2", ag.logaddexp2, _logaddexp2_ref, broadcast_pair(), torch_fn=tf("logaddexp2")),
    OpCase("logaddexp2", lambda a, b: a.logaddexp2(b), _logaddexp2_ref, broadcast_pair(),
           torch_fn=lambda a, b: a.logaddexp2(b), id="logaddexp2_method"),
    # torch.sgn's gradient is a ZeroTensor (not convertible to NumPy); torch.sign is the same real function
    OpCase("sgn", ag.sgn, np.sign, nonzero, torch_fn=tf("sign")),
    OpCase("sgn", lambda a: a.sgn(), np.sign, nonzero, torch_fn=lambda a: a.sign(), id="sgn_method"),
    OpCase("positive", ag.positive, np.positive, unary(), torch_fn=tf("positive")),
    OpCase("positive", lambda a: a.positive(), np.positive, unary(), torch_fn=lambda a: a.positive(),
           id="positive_method"),
    OpCase("deg2rad", ag.deg2rad, np.deg2rad, unary(-400.0, 400.0), torch_fn=tf("deg2rad")),
    OpCase("deg2rad", lambda a: a.deg2rad(), np.deg2rad, unary(), torch_fn=lambda a: a.deg2rad(),
           id="deg2rad_method"),
    OpCase("rad2deg", ag.rad2deg, np.rad2deg, unary(), torch_fn=tf("rad2deg")),
    OpCase("rad2deg", lambda a: a.rad2deg(), np.rad2deg, unary(), torch_fn=lambda a: a.rad2deg(),
           id="rad2deg_method"),
    OpCase("sinc", ag.sinc, _sinc_ref, nonzero, torch_fn=tf("sinc")),
    OpCase("sinc", lambda a: a.sinc(), _sinc_ref, unary(low=-0.5, high=0.5, away_from=[0.0]),
           torch_fn=lambda a: a.sinc(), id="sinc_method_near_0"),
    OpCase("copysign", ag.copysign, np.copysign, broadcast_pair(away_from=[0.0]), torch_fn=tf("copysign"),
           differentiable=(0,)),
    OpCase("copysign", lambda a: a.copysign(-0.0), lambda a: np.copysign(a, -0.0), nonzero,
           torch_fn=lambda a: a.copysign(-0.0), id="copysign_scalar"),
    OpCase("float_power", ag.float_power, np.power, broadcast_pair(low=0.2, high=2.5),
           torch_fn=tf("float_power")),
    OpCase("float_power", lambda a: a.float_power(2.5), lambda a: np.power(a, 2.5), unary(0.2, 3.0),
           torch_fn=lambda a: a.float_power(2.5), id="float_power_scalar"),
    OpCase("heaviside", ag.heaviside, np.heaviside, broadcast_pair(), torch_fn=tf("heaviside"), grad=False),
    OpCase("heaviside", lambda a: a.round().heaviside(ag.zeros((), dtype=a.dtype, device=a.device)),
           lambda a: np.heaviside(np.round(a), 0.0), unary(), grad=False, id="heaviside_at_zero"),
    OpCase("float_power", lambda b: ag.float_power(1.5, b), lambda b: np.power(1.5, b), unary(),
           torch_fn=lambda b: _torch().float_power(1.5, b), id="float_power_scalar_base"),
]
