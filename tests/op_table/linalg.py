"""Op-table entries for the linear-algebra ops: matmul (``@``), mm, bmm, dot, outer, einsum.

Shapes include size-0 and size-1 dimensions, 1-D operands on either side of
``matmul`` and batch dimensions that broadcast (1 against n, missing against
present).
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd as ag

from .spec import OpCase, array
from .spec import torch_module as _torch


side = st.integers(0, 4)


@st.composite
def matmul_pair(draw, kinds=("vv", "mv", "vm", "mm", "batched")):
    """Two arrays ``matmul`` accepts: vector/matrix combinations and broadcast batches."""
    kind = draw(st.sampled_from(kinds))
    n, k, m = draw(side), draw(side), draw(side)
    if kind == "vv":
        sa, sb = (k,), (k,)
    elif kind == "mv":
        sa, sb = (n, k), (k,)
    elif kind == "vm":
        sa, sb = (k,), (k, m)
    elif kind == "mm":
        sa, sb = (n, k), (k, m)
    else:
        s = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2, max_side=3))
        ba, bb = s.input_shapes
        if not ba and not bb:
            ba = (draw(st.integers(1, 3)),)
        va, vb = draw(st.booleans()), draw(st.booleans())  # a vector on one side, sometimes
        sa = (k,) if va and bb and not vb else ba + (n, k)
        sb = (k,) if vb and ba and not va else bb + (k, m)
    return (draw(array(sa)), draw(array(sb))), {}


@st.composite
def bmm_pair(draw):
    b, n, k, m = draw(side), draw(side), draw(side), draw(side)
    return (draw(array((b, n, k))), draw(array((b, k, m)))), {}


@st.composite
def same_length(draw, second=True):
    k = draw(side)
    j = draw(side) if not second else k
    return (draw(array((k,))), draw(array((j,)))), {}


# equation, shapes (letters map to sizes drawn per example; "1" is a broadcast size-1 dim)
EINSUM = [
    ("ij,jk->ik", ["ij", "jk"]),
    ("bij,bjk->bik", ["bij", "bjk"]),
    ("ij,kj->i", ["ij", "kj"]),
    ("i,i->", ["i", "i"]),
    ("i,j->ij", ["i", "j"]),
    ("ij->ji", ["ij"]),
    ("ij->", ["ij"]),
    ("ii->i", ["ii"]),
    ("ii", ["ii"]),
    ("iij->j", ["iij"]),
    ("ij,ij->ij", ["1j", "ij"]),
    ("...ij,...jk->...ik", ["bij", "1jk"]),
    ("...ij->...", ["bcij"]),
    ("bi,bj,bk->ijk", ["bi", "bj", "bk"]),
    ("ij,jk", ["ij", "jk"]),
    ("ba,ab", ["ba", "ab"]),
]


@st.composite
def einsum_input(draw):
    eq, specs = draw(st.sampled_from(EINSUM))
    sizes = {c: draw(side) for c in "abcijk"}
    sizes["1"] = 1
    arrays = tuple(draw(array(tuple(sizes[c] for c in spec))) for spec in specs)
    return arrays, {"equation": eq}


def _einsum(*xs, equation):
    return ag.einsum(equation, *xs)


def _np_einsum(*xs, equation):
    return np.asarray(np.einsum(equation, *xs))


def _t_einsum(*xs, equation):
    return _torch().einsum(equation, *xs)


CASES = [
    OpCase("matmul", ag.matmul, np.matmul, matmul_pair(),
           torch_fn=lambda a, b: _torch().matmul(a, b)),
    OpCase("matmul", lambda a, b: a @ b, np.matmul, matmul_pair(), torch_fn=lambda a, b: a @ b,
           covers=("__matmul__",), id="matmul_operator"),
    OpCase("matmul", lambda a, b: a.matmul(b), np.matmul, matmul_pair(kinds=("batched",)),
           torch_fn=lambda a, b: a.matmul(b), id="matmul_batched"),
    OpCase("matmul", lambda a, b: b.__rmatmul__(a), np.matmul, matmul_pair(kinds=("mm",)),
           torch_fn=lambda a, b: b.__rmatmul__(a), covers=("__rmatmul__",), id="rmatmul"),
    OpCase("mm", ag.mm, np.matmul, matmul_pair(kinds=("mm",)), torch_fn=lambda a, b: _torch().mm(a, b)),
    OpCase("bmm", lambda a, b: a.bmm(b), np.matmul, bmm_pair(), torch_fn=lambda a, b: a.bmm(b)),
    OpCase("dot", ag.dot, lambda a, b: np.asarray(np.dot(a, b)), same_length(),
           torch_fn=lambda a, b: _torch().dot(a, b)),
    OpCase("vdot", ag.vdot, lambda a, b: np.asarray(np.vdot(a, b)), same_length(),
           torch_fn=lambda a, b: _torch().vdot(a, b)),
    OpCase("outer", ag.outer, np.outer, same_length(second=False),
           torch_fn=lambda a, b: _torch().outer(a, b)),
    OpCase("einsum", _einsum, _np_einsum, einsum_input(), torch_fn=_t_einsum),
]
