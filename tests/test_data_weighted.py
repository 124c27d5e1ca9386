"""WeightedRandomSampler: PyTorch's arguments, errors and distribution; lazy draws."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import autograd as ag
from autograd.utils.data import DataLoader, TensorDataset, WeightedRandomSampler


def test_frequencies_follow_the_weights():
    w = [1.0, 0.0, 3.0, 6.0]
    draws = np.array(list(WeightedRandomSampler(w, 20000, generator=ag.Generator().manual_seed(0))))
    freq = np.bincount(draws, minlength=4) / draws.size
    np.testing.assert_allclose(freq, np.array(w) / 10, atol=0.015)
    assert freq[1] == 0


def test_seeded_generator_repeats_and_len():
    a = list(WeightedRandomSampler([0.2, 0.8], 50, generator=ag.Generator().manual_seed(3)))
    b = list(WeightedRandomSampler([0.2, 0.8], 50, generator=ag.Generator().manual_seed(3)))
    assert a == b and len(WeightedRandomSampler([0.2, 0.8], 50)) == 50
    assert all(isinstance(i, int) for i in a)


def test_without_replacement_draws_distinct_indices():
    s = WeightedRandomSampler(ag.tensor([1.0, 1.0, 5.0, 0.0, 2.0]), 4, replacement=False)
    for _ in range(20):
        d = list(s)
        assert len(set(d)) == 4 and 3 not in d
    with pytest.raises(RuntimeError, match="without replacement"):
        list(WeightedRandomSampler([1.0, 1.0], 3, replacement=False))


def test_huge_num_samples_is_lazy():
    s = WeightedRandomSampler([1.0] * 5, 10 ** 12)
    assert len(s) == 10 ** 12
    head = list(itertools.islice(iter(s), 100))
    assert len(head) == 100 and set(head) <= set(range(5))


def test_with_a_dataloader():
    ds = TensorDataset(ag.arange(4).float())
    loader = DataLoader(ds, batch_size=3, sampler=WeightedRandomSampler([0, 0, 1, 0], 6))
    assert [b[0].tolist() for b in loader] == [[2.0] * 3, [2.0] * 3]


@pytest.mark.parametrize("args,kw,exc,msg", [
    (([1.0], 0), {}, ValueError, "num_samples should be a positive integer"),
    (([1.0], True), {}, ValueError, "num_samples should be a positive integer"),
    (([1.0], 2), {"replacement": 1}, ValueError, "replacement should be a boolean"),
    (([[1.0, 2.0]], 2), {}, ValueError, "weights should be a 1d sequence"),
])
def test_errors_as_pytorch(args, kw, exc, msg):
    with pytest.raises(exc, match=msg):
        WeightedRandomSampler(*args, **kw)
    torch = pytest.importorskip("torch")
    with pytest.raises(exc, match=msg):
        torch.utils.data.WeightedRandomSampler(*args, **kw)


def test_matches_pytorch_semantics():
    torch = pytest.importorskip("torch")
    w = [0.0, 2.0, 0.0, 1.0]
    ours = WeightedRandomSampler(w, 3, replacement=False)
    theirs = torch.utils.data.WeightedRandomSampler(w, 3, replacement=False)
    assert len(ours) == len(theirs) == 3
    assert {1, 3} <= set(ours) and {1, 3} <= set(theirs)  # positive weights first
    assert ours.weights.dtype == ag.float64 and theirs.weights.dtype == torch.float64
    big_t = np.bincount(list(torch.utils.data.WeightedRandomSampler(w, 20000)), minlength=4) / 20000
    big_o = np.bincount(list(WeightedRandomSampler(w, 20000)), minlength=4) / 20000
    np.testing.assert_allclose(big_o, big_t, atol=0.03)
