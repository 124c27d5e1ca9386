"""Op-table entries for the windowing primitive: ``sliding_windows`` (im2col) and ``fold_windows``.

Each draws 1-D or 2-D windows over the trailing dimensions of an input with a
few leading dimensions, with strides, dilations and asymmetric paddings.
"""
from __future__ import annotations

import itertools

import numpy as np
from hypothesis import strategies as st

import autograd as ag

from .spec import OpCase, array


@st.composite
def _window_params(draw):
    nd = draw(st.integers(1, 2))
    lead = tuple(draw(st.lists(st.integers(1, 3), min_size=0, max_size=2)))
    kernel, stride, dilation, pads, sizes = [], [], [], [], []
    for _ in range(nd):
        k, s, d = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 2))
        lo, hi = draw(st.integers(0, 2)), draw(st.integers(0, 2))
        n = draw(st.integers(max(1, d * (k - 1) + 1 - lo - hi), 7))
        kernel.append(k), stride.append(s), dilation.append(d), pads.append((lo, hi)), sizes.append(n)
    params = {"kernel_size": tuple(kernel), "stride": tuple(stride), "dilation": tuple(dilation),
              "padding": tuple(pads)}
    return lead, tuple(sizes), params


def _out(sizes, p):
    return tuple((n + lo + hi - d * (k - 1) - 1) // s + 1 for n, k, s, (lo, hi), d in
                 zip(sizes, p["kernel_size"], p["stride"], p["padding"], p["dilation"]))


@st.composite
def unfold_inputs(draw):
    lead, sizes, params = draw(_window_params())
    return (draw(array(lead + sizes)),), params


@st.composite
def fold_inputs(draw):
    lead, sizes, params = draw(_window_params())
    shape = lead + _out(sizes, params) + params["kernel_size"]
    return (draw(array(shape)),), dict(params, output_size=sizes)


def _slices(offs, p, out):
    return tuple(slice(o * d, o * d + s * (m - 1) + 1, s)
                 for o, d, s, m in zip(offs, p["dilation"], p["stride"], out))


def unfold_ref(x, kernel_size, stride, padding, dilation, value=0.0):
    p = {"kernel_size": kernel_size, "stride": stride, "padding": padding, "dilation": dilation}
    nd = len(kernel_size)
    sizes = x.shape[x.ndim - nd:]
    out = _out(sizes, p)
    xp = np.pad(x, ((0, 0),) * (x.ndim - nd) + tuple(padding), constant_values=value)
    res = np.empty(x.shape[:x.ndim - nd] + out + tuple(kernel_size))
    for offs in itertools.product(*(range(k) for k in kernel_size)):
        res[(Ellipsis,) + offs] = xp[(Ellipsis,) + _slices(offs, p, out)]
    return res


def fold_ref(cols, output_size, kernel_size, stride, padding, dilation):
    p = {"kernel_size": kernel_size, "stride": stride, "padding": padding, "dilation": dilation}
    nd = len(kernel_size)
    lead = cols.shape[:cols.ndim - 2 * nd]
    out = cols.shape[len(lead):len(lead) + nd]
    padded = tuple(n + lo + hi for n, (lo, hi) in zip(output_size, padding))
    res = np.zeros(lead + padded)
    for offs in itertools.product(*(range(k) for k in kernel_size)):
        res[(Ellipsis,) + _slices(offs, p, out)] += cols[(Ellipsis,) + offs]
    return res[(Ellipsis,) + tuple(slice(lo, lo + n) for n, (lo, _) in zip(output_size, padding))]


def _torch_unfold(x, kernel_size, stride, padding, dilation):
    """PyTorch's pad + Tensor.unfold per dimension (dilation by unfolding the dilated span)."""
    import torch

    nd = len(kernel_size)
    flat = [v for lo_hi in reversed(padding) for v in lo_hi]
    y = torch.nn.functional.pad(x, flat)
    for i, (k, s, d) in enumerate(zip(kernel_size, stride, dilation)):
        dim = x.ndim - nd + i
        y = y.unfold(dim, d * (k - 1) + 1, s)[..., ::d]
    return y


CASES = [
    OpCase("sliding_windows", ag.sliding_windows, unfold_ref, unfold_inputs(), torch_fn=_torch_unfold),
    OpCase("fold_windows", ag.fold_windows, fold_ref, fold_inputs()),
]
