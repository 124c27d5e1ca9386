"""``F.normalize``, ``F.cosine_similarity``, ``F.pairwise_distance`` and their layers: NumPy references,
gradcheck, PyTorch."""
from __future__ import annotations

import numpy as np
import pytest
from golden import T
from layer_check import check_grads, compare_fn

import autograd as ag
import nn
import nn.functional as F

RNG = np.random.default_rng(0)


@pytest.fixture(autouse=True)
def _fresh_rng():
    """Each test draws its inputs from its own generator (the recorded answers depend on them)."""
    global RNG
    RNG = np.random.default_rng(0)


def test_against_numpy(device):
    a, b = RNG.standard_normal((4, 5)), RNG.standard_normal((1, 5))
    A, B = ag.tensor(a, device=device), ag.tensor(b, device=device)
    np.testing.assert_allclose(F.normalize(A).cpu().numpy(), a / np.linalg.norm(a, axis=1, keepdims=True))
    cos = (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
    np.testing.assert_allclose(nn.CosineSimilarity()(A, B).cpu().numpy(), cos)
    np.testing.assert_allclose(nn.PairwiseDistance(p=1.0)(A, B).cpu().numpy(), np.abs(a - b + 1e-6).sum(1))
    z = ag.zeros(2, 3, device=device)
    assert np.all(F.normalize(z).cpu().numpy() == 0)  # eps keeps zero vectors finite
    assert np.all(F.cosine_similarity(z, z).cpu().numpy() == 0)


def test_gradients(device):
    a, b = RNG.standard_normal((3, 4)), RNG.standard_normal((3, 4))
    check_grads(lambda x: F.normalize(x, dim=0), [a], device)
    check_grads(F.cosine_similarity, [a, b], device)
    check_grads(lambda x, y: F.pairwise_distance(x, y, keepdim=True), [a, b], device)


@pytest.mark.parametrize("name,kw", [("normalize", dict(p=3.0, dim=0)), ("cosine_similarity", dict(dim=-1)),
                                     ("pairwise_distance", dict(p=1.5))], ids=str)
def test_matches_torch(device, name, kw):
    arrays = [RNG.standard_normal((4, 5))] + ([] if name == "normalize" else [RNG.standard_normal((4, 5))])
    compare_fn(getattr(F, name), getattr(T.nn.functional, name), arrays, device, **kw)
