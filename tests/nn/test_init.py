"""nn.init: gains, fans, distributions (statistics), in-place semantics, seeding."""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd as ag
import nn
from nn import init

from golden import T, answer


def _np(t):
    return t.detach().cpu().numpy()


@pytest.mark.parametrize("name,param", [
    ("linear", None), ("conv1d", None), ("conv2d", None), ("conv_transpose2d", None), ("sigmoid", None),
    ("tanh", None), ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", 3),
    ("selu", None),
])
def test_calculate_gain_matches_torch(name, param):
    gain = T.nn.init.calculate_gain(name, param)
    expected = float(answer(gain.key, lambda: {"g": np.array(gain.obj)})["g"])
    assert init.calculate_gain(name, param) == pytest.approx(expected, rel=1e-12)


def test_calculate_gain_errors():
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="not a valid number"):
        init.calculate_gain("leaky_relu", True)


@pytest.mark.parametrize("shape", [(3, 5), (4, 2, 3), (8, 3, 3, 3), (2, 6, 1, 5, 2)])
def test_fans_match_torch(shape):
    ours = init._calculate_fan_in_and_fan_out(ag.empty(*shape))
    theirs = answer(f"fans {shape}", lambda: {"fans": np.array(
        T.nn.init._calculate_fan_in_and_fan_out(T.empty(*shape)).obj)})
    assert ours == tuple(theirs["fans"].tolist())
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(ag.empty(3))
    with pytest.raises(ValueError, match="not supported"):
        init.kaiming_uniform_(ag.empty(*shape), mode="fan_avg")


def _check_stats(t, mean, std, lo=None, hi=None):
    a = _np(t).astype(np.float64).ravel()
    assert abs(a.mean() - mean) < 4 * std / math.sqrt(a.size) + 1e-12
    assert abs(a.std() - std) < 0.05 * std
    if lo is not None:
        assert a.min() >= lo and a.max() <= hi


def test_distributions_have_the_right_statistics(device):
    ag.manual_seed(0)
    t = ag.empty(200, 100, device=device)
    fan_in, fan_out = 100, 200
    b = math.sqrt(6 / (fan_in + fan_out))
    assert init.xavier_uniform_(t) is t
    _check_stats(t, 0, b / math.sqrt(3), -b, b)
    init.xavier_normal_(t, gain=2.0)
    _check_stats(t, 0, 2.0 * math.sqrt(2 / (fan_in + fan_out)))
    init.kaiming_uniform_(t, a=0, nonlinearity="relu")
    bound = math.sqrt(2) * math.sqrt(3 / fan_in)
    _check_stats(t, 0, bound / math.sqrt(3), -bound, bound)
    init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu")
    _check_stats(t, 0, math.sqrt(2 / fan_out))
    init.kaiming_normal_(t, a=0.1)  # default leaky_relu
    _check_stats(t, 0, math.sqrt(2 / (1 + 0.01)) / math.sqrt(fan_in))
    init.uniform_(t, -2.0, 3.0)
    _check_stats(t, 0.5, 5 / math.sqrt(12), -2.0, 3.0)
    init.normal_(t, 1.0, 0.5)
    _check_stats(t, 1.0, 0.5)
    init.trunc_normal_(t, mean=0.0, std=1.0, a=-1.0, b=1.5)
    assert _np(t).min() >= -1.0 and _np(t).max() <= 1.5
    # the moments of N(0, 1) truncated to [a, b]
    pdf = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)
    cdf = lambda z: (1 + math.erf(z / math.sqrt(2))) / 2
    a, b = -1.0, 1.5
    mass = cdf(b) - cdf(a)
    mean = (pdf(a) - pdf(b)) / mass
    std = math.sqrt(1 + (a * pdf(a) - b * pdf(b)) / mass - mean ** 2)
    assert abs(_np(t).mean() - mean) < 0.03
    assert abs(_np(t).std() - std) < 0.03


def test_constant_ones_zeros_eye(device):
    t = ag.empty(3, 4, device=device)
    assert np.all(_np(init.constant_(t, 0.25)) == 0.25)
    assert np.all(_np(init.ones_(t)) == 1) and np.all(_np(init.zeros_(t)) == 0)
    np.testing.assert_array_equal(_np(init.eye_(t)), np.eye(3, 4))


def test_orthogonal(device):
    ag.manual_seed(1)
    for shape in [(6, 4), (4, 6), (3, 2, 2)]:
        t = ag.empty(*shape, device=device, dtype=ag.float64)
        init.orthogonal_(t, gain=2.0)
        m = _np(t).reshape(shape[0], -1)
        gram = m @ m.T if shape[0] <= m.shape[1] else m.T @ m
        np.testing.assert_allclose(gram, 4.0 * np.eye(gram.shape[0]), atol=1e-10)
    with pytest.raises(ValueError):
        init.orthogonal_(ag.empty(3))


def test_init_on_parameters_in_place_no_graph(device):
    lin = nn.Linear(10, 5, device=device)
    w = lin.weight
    init.normal_(lin.weight)
    assert lin.weight is w and w.requires_grad and w.grad_fn is None
    init.zeros_(lin.bias)
    assert np.all(_np(lin.bias) == 0)


def test_seeded_init_reproducible():
    ag.manual_seed(123)
    a = _np(nn.Linear(4, 3).weight).copy()
    ag.manual_seed(123)
    b = _np(nn.Linear(4, 3).weight)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, _np(nn.Linear(4, 3).weight))


def test_float64_init_keeps_dtype():
    t = ag.empty(5, 5, dtype=ag.float64)
    init.kaiming_uniform_(t, a=math.sqrt(5))
    assert t.dtype == ag.float64
