"""The declarative op table's entry type and the strategies its entries use.

Each family module (``elementwise.py``, ``reduce.py``, ...) in this folder
defines ``CASES: list[OpCase]``; ``tests/test_ops.py`` runs every case through
the shared property tests (forward vs the NumPy reference, float64 gradcheck
with a random upstream gradient, gradgradcheck, and PyTorch when installed),
on every test device.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd as ag


@dataclass
class OpCase:
    """One op under test.

    Attributes:
        name: the exported ``autograd`` name this case covers.
        fn: ``fn(*tensors, **params)`` with autograd.
        ref: ``ref(*arrays, **params)`` with NumPy: the forward reference.
        inputs: strategy drawing ``(arrays, params)``: a tuple of float64
            arrays (each becomes a tensor that requires grad) and a dict of
            other arguments (dims, indices as NumPy arrays, scalars).
        torch_fn: ``torch_fn(*torch_tensors, **params)``; None when PyTorch
            has no direct equivalent.
        grad / gradgrad: whether first / second derivatives exist everywhere
            on the drawn domain.
        covers: further exported names this case exercises.
        differentiable: positions of ``arrays`` that get gradients (default all).
        eps: the finite-difference step of the gradient checks.
    """

    name: str
    fn: Callable
    ref: Callable
    inputs: st.SearchStrategy
    torch_fn: Callable | None = None
    grad: bool = True
    gradgrad: bool = True
    covers: tuple = ()
    differentiable: tuple | None = None
    rtol: float = 1e-7
    atol: float = 1e-7
    eps: float = 1e-6
    id: str = field(default="")

    def __post_init__(self):
        self.id = self.id or self.name


def shapes(min_dims=0, max_dims=3, min_side=0, max_side=4):
    """Array shapes, size-0 and size-1 dimensions and 0-d included."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def floats(low=-3.0, high=3.0):
    return st.floats(low, high, allow_nan=False, allow_infinity=False, width=64)


def array(shape, low=-3.0, high=3.0, away_from=None, gap=0.05):
    """A float64 array with elements in ``[low, high]`` (optionally kept ``gap`` away from points)."""
    elements = floats(low, high)
    if away_from is not None:
        elements = elements.filter(lambda v: all(abs(v - p) > gap for p in away_from))
    return hnp.arrays(np.float64, shape, elements=elements)


@st.composite
def unary(draw, low=-3.0, high=3.0, away_from=None, **shape_kw):
    """One array of any shape."""
    shape = draw(shapes(**shape_kw))
    return (draw(array(shape, low, high, away_from)),), {}


@st.composite
def broadcast_pair(draw, low=-3.0, high=3.0, low2=None, high2=None, away_from=None, away_from2=None):
    """Two arrays whose shapes broadcast together."""
    s = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4))
    a = draw(array(s.input_shapes[0], low, high, away_from))
    b = draw(array(s.input_shapes[1], low if low2 is None else low2,
                   high if high2 is None else high2, away_from2))
    return (a, b), {}


# ---------------------------------------------------------------- helpers shared by the table files
def torch_module():
    """PyTorch, imported when a comparison first needs it (the table loads without it)."""
    import torch

    return torch


def on_device(x, like):
    """A NumPy array (an index, a condition) as a tensor on ``like``'s device."""
    return ag.tensor(x, device=like.device)


def torch_array(x):
    """A NumPy array (or list) as a torch tensor."""
    return torch_module().from_numpy(np.asarray(x))
