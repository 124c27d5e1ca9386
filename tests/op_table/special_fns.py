"""Op-table entries for ``ops/special_fns.py``: inverse hyperbolic functions, erfc, the gamma family
(lgamma, digamma, polygamma, mvlgamma, igamma, igammac) and i0 (the ``ag.special``-only functions are
checked in tests/test_special_fns.py). Domains keep away from the poles and branch points."""
from __future__ import annotations

import numpy as np

import autograd as ag

from .spec import OpCase, broadcast_pair, unary
from .spec import torch_module as _torch


def _sc(name, *lead):
    """``scipy.special.<name>`` (imported when a case runs), with leading arguments ``lead``."""
    def ref(*arrays):
        import scipy.special as sc

        return getattr(sc, name)(*lead, *arrays)

    return ref


def _tf(name, *lead):
    def call(*ts):
        return getattr(_torch(), name)(*lead, *ts)

    return call


def _mvlgamma_ref(a):
    """``multigammaln(a, 2)`` elementwise (SciPy's takes a scalar's domain check over the array)."""
    import scipy.special as sc

    return sc.gammaln(a) + sc.gammaln(a - 0.5) + 0.5 * np.log(np.pi)


CASES = [
    OpCase("asinh", ag.asinh, np.arcsinh, unary(), torch_fn=_tf("asinh"), covers=("arcsinh",)),
    OpCase("acosh", ag.acosh, np.arccosh, unary(low=1.1, high=4.0), torch_fn=_tf("acosh"),
           covers=("arccosh",)),
    OpCase("atanh", ag.atanh, np.arctanh, unary(low=-0.9, high=0.9), torch_fn=_tf("atanh"),
           covers=("arctanh",)),
    OpCase("erfc", ag.erfc, _sc("erfc"), unary(), torch_fn=_tf("erfc")),
    OpCase("lgamma", ag.lgamma, _sc("gammaln"), unary(low=-2.9, high=4.0, away_from=(-2.0, -1.0, 0.0)),
           torch_fn=_tf("lgamma"), rtol=1e-6, atol=1e-6),
    OpCase("digamma", ag.digamma, _sc("digamma"), unary(low=0.3, high=4.0), torch_fn=_tf("digamma"),
           rtol=1e-6, atol=1e-6),
    OpCase("polygamma", lambda x: ag.polygamma(1, x), _sc("polygamma", 1), unary(low=0.3, high=4.0),
           torch_fn=_tf("polygamma", 1), rtol=1e-6, atol=1e-6),
    OpCase("mvlgamma", lambda x: ag.mvlgamma(x, 2), _mvlgamma_ref, unary(low=1.0, high=4.0),
           torch_fn=lambda t: _torch().mvlgamma(t, 2), rtol=1e-6, atol=1e-6),
    OpCase("i0", ag.i0, _sc("i0"), unary(), torch_fn=_tf("i0")),
    OpCase("igamma", ag.igamma, _sc("gammainc"), broadcast_pair(low=0.5, high=3.0), torch_fn=_tf("igamma"),
           differentiable=(1,), rtol=1e-6, atol=1e-6),
    OpCase("igammac", ag.igammac, _sc("gammaincc"), broadcast_pair(low=0.5, high=3.0),
           torch_fn=_tf("igammac"), differentiable=(1,), rtol=1e-6, atol=1e-6),
]
