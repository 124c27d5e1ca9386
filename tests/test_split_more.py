"""``split_with_sizes``, ``unsafe_split``, ``unsafe_chunk`` and ``rsub``: dtypes and the errors for bad
arguments as PyTorch 2.13's (the op table compares values and gradients)."""
from __future__ import annotations

import pytest

import autograd as ag

torch = pytest.importorskip("torch")

BAD = [
    lambda lib, x: lib.split_with_sizes(x, [2, 2]),
    lambda lib, x: lib.split_with_sizes(x, [2, -1, 4]),
    lambda lib, x: lib.split_with_sizes(x, [2, 3], dim=-1),
    lambda lib, x: lib.split_with_sizes(x, [1, 1], dim=2),
    lambda lib, x: lib.split_with_sizes(x, 2),
    lambda lib, x: lib.split_with_sizes(x.sum(), [1]),
    lambda lib, x: lib.unsafe_split(x, [2, 3]),
    lambda lib, x: lib.unsafe_split(x, 0),
    lambda lib, x: lib.unsafe_split(x, -1),
    lambda lib, x: lib.unsafe_split(x.sum(), 1),
    lambda lib, x: lib.unsafe_chunk(x, 0),
    lambda lib, x: lib.unsafe_chunk(x.sum(), 1),
    lambda lib, x: lib.unsafe_chunk(x, 2, 3),
    lambda lib, x: lib.rsub(x, True),
    lambda lib, x: lib.rsub(x.bool(), x.bool()),
    lambda lib, x: lib.rsub(x.long(), 2, alpha=0.5),
]


@pytest.mark.parametrize("k", range(len(BAD)))
def test_bad_arguments_raise_as_torch(k):
    with pytest.raises(Exception) as want:
        BAD[k](torch, torch.arange(10.0).reshape(5, 2))
    with pytest.raises(want.type) as got:
        BAD[k](ag, ag.arange(10.0).reshape(5, 2))
    assert str(got.value).splitlines()[0] == str(want.value).splitlines()[0]


@pytest.mark.parametrize("fn", [
    lambda lib, x: lib.rsub(x.long(), 2.5),
    lambda lib, x: lib.rsub(x, x.long()),
    lambda lib, x: lib.rsub(x.long(), x.int(), alpha=3),
    lambda lib, x: lib.rsub(x.int(), 2),
])
def test_rsub_dtype_and_values_as_torch(fn):
    want = fn(torch, torch.arange(6.0).reshape(3, 2))
    got = fn(ag, ag.arange(6.0).reshape(3, 2))
    assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1]
    assert got.tolist() == want.tolist()


def test_pieces_are_tuples_of_the_input():
    x = ag.arange(10.0).reshape(5, 2)
    for parts in (ag.split_with_sizes(x, [2, 3]), ag.unsafe_split(x, 2), x.unsafe_chunk(2, 1)):
        assert isinstance(parts, tuple)
    assert [p.shape for p in ag.unsafe_split(x, 2)] == [(2, 2), (2, 2), (1, 2)]
