"""Subtraction with a bool operand raises as PyTorch's (it computed, where PyTorch code never could)."""
from __future__ import annotations

import pytest

import autograd as ag

torch = pytest.importorskip("torch")

CASES = [
    (lambda L: L.ones(2) - L.tensor([True, False]), "with a bool tensor"),
    (lambda L: L.ones(2) - True, "with a bool tensor"),
    (lambda L: L.tensor([True]) - 1, "with a bool tensor"),
    (lambda L: True - L.ones(2), "with a bool tensor"),
    (lambda L: L.ones(2).sub_(True), "with a bool tensor"),
    (lambda L: L.sub(L.ones(2), L.tensor([True, True]), alpha=2), "with a bool tensor"),
    (lambda L: L.tensor([True]) - L.tensor([False]), "with two bool tensors is not supported. Use the `\\^`"),
]


@pytest.mark.parametrize("case, message", CASES)
def test_subtraction_with_a_bool_operand_raises(case, message):
    for lib in (torch, ag):
        with pytest.raises(RuntimeError, match=message):
            case(lib)


def test_subtraction_of_numbers_still_works():
    assert (ag.ones(2, dtype=ag.int64) - 1).tolist() == [0, 0]
    assert (1.5 - ag.ones(2)).tolist() == [0.5, 0.5]
