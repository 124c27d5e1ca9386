"""Op-table entries for ``split_with_sizes``, ``unsafe_split``, ``unsafe_chunk`` and ``rsub``."""
from __future__ import annotations

from hypothesis import strategies as st

import autograd as ag

from .elementwise import scalar_and
from .shape import _chunk_ref, _split_ref, chunk_input, split_input
from .spec import OpCase, broadcast_pair, unary
from .spec import torch_module as _torch


@st.composite
def _rsub_alpha(draw):
    arrays, params = draw(broadcast_pair())
    return arrays, {**params, "alpha": draw(st.sampled_from([1, -1.5, 2]))}


CASES = [
    OpCase("split_with_sizes", lambda a, sizes, dim: ag.split_with_sizes(a, sizes, dim), _split_ref,
           split_input(sections=True),
           torch_fn=lambda a, sizes, dim: _torch().split_with_sizes(a, sizes, dim)),
    OpCase("split_with_sizes", lambda a, sizes, dim: a.split_with_sizes(sizes, dim=dim), _split_ref,
           split_input(sections=True), torch_fn=lambda a, sizes, dim: a.split_with_sizes(sizes, dim=dim),
           id="split_with_sizes_method"),
    OpCase("unsafe_split", lambda a, sizes, dim: ag.unsafe_split(a, sizes, dim), _split_ref,
           split_input(sections=False), torch_fn=lambda a, sizes, dim: _torch().unsafe_split(a, sizes, dim)),
    OpCase("unsafe_split", lambda a, sizes, dim: a.unsafe_split(sizes, dim=dim), _split_ref,
           split_input(sections=False), torch_fn=lambda a, sizes, dim: a.unsafe_split(sizes, dim=dim),
           id="unsafe_split_method"),
    OpCase("unsafe_chunk", lambda a, chunks, dim: ag.unsafe_chunk(a, chunks, dim), _chunk_ref, chunk_input(),
           torch_fn=lambda a, chunks, dim: _torch().unsafe_chunk(a, chunks, dim)),
    OpCase("unsafe_chunk", lambda a, chunks, dim: a.unsafe_chunk(chunks, dim), _chunk_ref, chunk_input(),
           torch_fn=lambda a, chunks, dim: a.unsafe_chunk(chunks, dim), id="unsafe_chunk_method"),
    OpCase("rsub", lambda a, b, alpha: ag.rsub(a, b, alpha=alpha), lambda a, b, alpha: b - alpha * a,
           _rsub_alpha(), torch_fn=lambda a, b, alpha: _torch().rsub(a, b, alpha=alpha)),
    OpCase("rsub", lambda a, s: ag.rsub(a, s), lambda a, s: s - a, scalar_and(unary()),
           torch_fn=lambda a, s: _torch().rsub(a, s), id="rsub_scalar_other"),
]
