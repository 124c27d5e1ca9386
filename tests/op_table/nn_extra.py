"""Op-table entries for smooth composites of the LAYERS family: ``linear`` (one ``Addmm`` node with
its bias), ``local_response_norm``,
``affine_grid``, bicubic ``interpolate`` and the logistic/likelihood losses of
``nn/functional/loss_extra.py`` (forward vs NumPy, gradcheck, gradgradcheck, PyTorch, every device).
The piecewise ones (margins, ``grid_sample``, instance norm near constant instances) are
tested in tests/nn instead, away from their kinks."""
from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

import nn.functional as F

from .spec import OpCase, array


def _t(name):
    def fn(*a, **k):
        import torch

        return getattr(torch.nn.functional, name)(*a, **k)
    return fn


@st.composite
def lrn_inputs(draw):
    shape = draw(st.sampled_from([(1, 4, 3), (2, 3, 2, 2), (1, 5, 1, 2, 2)]))
    return (draw(array(shape)),), {"size": draw(st.sampled_from([1, 2, 3, 5])), "alpha": 0.5, "beta": 0.75}


def lrn_ref(x, size, alpha, beta, k=1.0):
    c = x.shape[1]
    sq = np.pad(x * x, [(0, 0), (size // 2, (size - 1) // 2)] + [(0, 0)] * (x.ndim - 2))
    return x / (k + alpha * sum(sq[:, i:i + c] for i in range(size)) / size) ** beta


@st.composite
def affine_inputs(draw):
    nd = draw(st.sampled_from([2, 3]))
    size = (2, 1) + tuple(draw(st.integers(1, 3)) for _ in range(nd))
    return (draw(array((2, nd, nd + 1))),), {"size": size, "align_corners": draw(st.booleans())}


def affine_ref(theta, size, align_corners):
    axes = []
    for s in reversed(size[2:]):
        line = np.linspace(-1, 1, s) if s > 1 else np.zeros(1)
        axes.append(line if align_corners or s <= 1 else line * (s - 1) / s)
    mesh = np.meshgrid(*reversed(axes), indexing="ij")
    base = np.stack(list(reversed(mesh)) + [np.ones(size[2:])], -1)
    return np.einsum("...k,njk->n...j", base, theta)


def _cubic_matrix(n, out, align_corners):
    a, m = -0.75, np.zeros((out, n))
    for i in range(out):
        s = (i * (n - 1) / (out - 1) if out > 1 else 0.0) if align_corners else (i + 0.5) * n / out - 0.5
        i0 = int(np.floor(s))
        for k, d in enumerate((s - i0 + 1, s - i0, 1 - s + i0, 2 - s + i0)):
            w = ((a + 2) * d - (a + 3)) * d * d + 1 if d <= 1 else ((a * d - 5 * a) * d + 8 * a) * d - 4 * a
            m[i, min(max(i0 - 1 + k, 0), n - 1)] += w
    return m


@st.composite
def bicubic_inputs(draw):
    x = draw(array((1, 2, draw(st.integers(1, 4)), draw(st.integers(1, 4)))))
    size = (draw(st.integers(1, 5)), draw(st.integers(1, 5)))
    return (x,), {"size": size, "mode": "bicubic", "align_corners": draw(st.booleans())}


def bicubic_ref(x, size, mode, align_corners):
    mh = _cubic_matrix(x.shape[2], size[0], align_corners)
    mw = _cubic_matrix(x.shape[3], size[1], align_corners)
    return np.einsum("ih,nchw,jw->ncij", mh, x, mw)


@st.composite
def margin_inputs(draw):
    shape = draw(st.sampled_from([(3,), (2, 4), (2, 3, 2)]))
    y = np.where(draw(array(shape)) < 0, -1.0, 1.0)
    return (draw(array(shape)),), {"target": y}


@st.composite
def multilabel_inputs(draw):
    shape = draw(st.sampled_from([(3,), (2, 4), (3, 2)]))
    return (draw(array(shape)), draw(array(shape, 0.0, 1.0))), {}


def _logsig(x):
    return -(np.maximum(-x, 0) + np.log1p(np.exp(-np.abs(x))))


@st.composite
def linear_inputs(draw):
    """``(input, weight[, bias])``: 1-D, 2-D and batched 3-D inputs, size-0 and size-1 sides."""
    n_in, n_out = draw(st.integers(0, 4)), draw(st.integers(0, 4))
    lead = draw(st.sampled_from([(), (3,), (0,), (2, 3)]))
    arrays = (draw(array(lead + (n_in,))), draw(array((n_out, n_in))))
    if draw(st.booleans()):
        arrays += (draw(array((n_out,))),)
    return arrays, {}


def linear_ref(x, w, b=None):
    return x @ w.T + (0 if b is None else b)


@st.composite
def gaussian_inputs(draw):
    shape = draw(st.sampled_from([(3,), (2, 4)]))
    arrays = (draw(array(shape)), draw(array(shape)), draw(array(shape, 0.2, 2.0)))
    return arrays, {"full": draw(st.booleans())}


CASES = [
    OpCase("linear", F.linear, linear_ref, linear_inputs(), torch_fn=_t("linear")),
    OpCase("local_response_norm", F.local_response_norm, lrn_ref, lrn_inputs(),
           torch_fn=_t("local_response_norm")),
    OpCase("affine_grid", F.affine_grid, affine_ref, affine_inputs(), torch_fn=_t("affine_grid")),
    OpCase("interpolate", F.interpolate, bicubic_ref, bicubic_inputs(), torch_fn=_t("interpolate"),
           id="interpolate_bicubic"),
    OpCase("soft_margin_loss",
           lambda x, target: F.soft_margin_loss(x, x.new_tensor(target), reduction="none"),
           lambda x, target: -_logsig(target * x), margin_inputs(),
           torch_fn=lambda x, target: _t("soft_margin_loss")(x, x.new_tensor(target), reduction="none")),
    OpCase("multilabel_soft_margin_loss", F.multilabel_soft_margin_loss,
           lambda x, t: np.mean(-(t * _logsig(x) + (1 - t) * _logsig(-x)).sum(-1) / x.shape[-1]),
           multilabel_inputs(), torch_fn=_t("multilabel_soft_margin_loss")),
    OpCase("gaussian_nll_loss", F.gaussian_nll_loss,
           lambda x, t, v, full: np.mean(0.5 * (np.log(v) + (x - t) ** 2 / v)) + (0.5 * math.log(2 * math.pi)
                                                                                 if full else 0.0),
           gaussian_inputs(), torch_fn=_t("gaussian_nll_loss")),
]
