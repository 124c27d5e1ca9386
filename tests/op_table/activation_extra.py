"""Op-table entries for the composite activations of ``nn/functional/activation_extra.py``.

Each is checked like an engine op (forward vs NumPy, gradcheck, gradgradcheck,
PyTorch, every device); inputs stay away from the kinks where the derivative
jumps.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import nn.functional as F

from .spec import OpCase, array, shapes, unary

_SELU_A, _SELU_S = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def _t(name):
    def fn(*a, **k):
        import torch

        return getattr(torch.nn.functional, name)(*a, **k)
    return fn


def _softplus(x):
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


@st.composite
def prelu_inputs(draw):
    shape = draw(st.sampled_from([(3,), (2, 3), (2, 3, 2), (1, 3, 2, 2)]))
    channels = draw(st.sampled_from([1, 3])) if len(shape) > 1 else 1
    x = draw(array(shape, away_from=(0.0,)))
    return (x, draw(array((channels,), -1.0, 1.0))), {}


def prelu_ref(x, w):
    w = w.reshape((-1,) + (1,) * (x.ndim - 2)) if x.ndim >= 2 and w.size > 1 else w
    return np.where(x > 0, x, w * x)


@st.composite
def glu_inputs(draw):
    shape = list(draw(shapes(min_dims=1, max_dims=3, min_side=1)))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    shape[dim] *= 2
    return (draw(array(tuple(shape))),), {"dim": dim}


def glu_ref(x, dim):
    a, b = np.split(x, 2, axis=dim)
    return a / (1 + np.exp(-b))


KINKS3 = (-3.0, 3.0)
CASES = [
    OpCase("hardsigmoid", F.hardsigmoid, lambda x: np.clip(x + 3, 0, 6) / 6, unary(-4, 4, KINKS3),
           torch_fn=_t("hardsigmoid"), gradgrad=True),
    OpCase("hardswish", F.hardswish, lambda x: x * np.clip(x + 3, 0, 6) / 6, unary(-4, 4, KINKS3),
           torch_fn=_t("hardswish")),
    OpCase("mish", F.mish, lambda x: x * np.tanh(_softplus(x)), unary(), torch_fn=_t("mish")),
    OpCase("prelu", F.prelu, prelu_ref, prelu_inputs(), torch_fn=_t("prelu")),
    OpCase("threshold", lambda x: F.threshold(x, 0.5, -2.0), lambda x: np.where(x > 0.5, x, -2.0),
           unary(away_from=(0.5,)), torch_fn=lambda x: _t("threshold")(x, 0.5, -2.0)),
    OpCase("glu", F.glu, glu_ref, glu_inputs(), torch_fn=_t("glu")),
    OpCase("selu", F.selu, lambda x: _SELU_S * np.where(x > 0, x, _SELU_A * np.expm1(x)),
           unary(away_from=(0.0,)), torch_fn=_t("selu")),
    OpCase("celu", lambda x: F.celu(x, 1.5), lambda x: np.where(x > 0, x, 1.5 * np.expm1(x / 1.5)),
           unary(away_from=(0.0,)), torch_fn=lambda x: _t("celu")(x, 1.5)),
    OpCase("softsign", F.softsign, lambda x: x / (1 + np.abs(x)), unary(away_from=(0.0,)),
           torch_fn=_t("softsign")),
    OpCase("tanhshrink", F.tanhshrink, lambda x: x - np.tanh(x), unary(), torch_fn=_t("tanhshrink")),
    OpCase("softshrink", lambda x: F.softshrink(x, 0.5),
           lambda x: np.where(x > 0.5, x - 0.5, np.where(x < -0.5, x + 0.5, 0.0)),
           unary(away_from=(-0.5, 0.5)), torch_fn=lambda x: _t("softshrink")(x, 0.5)),
    OpCase("hardshrink", lambda x: F.hardshrink(x, 0.5), lambda x: np.where(np.abs(x) > 0.5, x, 0.0),
           unary(away_from=(-0.5, 0.5)), torch_fn=lambda x: _t("hardshrink")(x, 0.5)),
    OpCase("rrelu", lambda x: F.rrelu(x), lambda x: np.where(x >= 0, x, x * (1 / 8 + 1 / 3) / 2),
           unary(away_from=(0.0,)), torch_fn=_t("rrelu")),
]
