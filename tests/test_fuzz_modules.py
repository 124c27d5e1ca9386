"""Differential checks against PyTorch 2.13 for nn.init and the sampling fills under it
(found by the modules sweep: nn.init / Module API against PyTorch)."""
import math

import pytest

import autograd as ag
import nn

torch = pytest.importorskip("torch")


def _outcome(fn):
    try:
        fn()
    except (RuntimeError, NotImplementedError, ValueError, TypeError) as e:
        return type(e).__name__
    return "ok"


_FILLS = [
    ("uniform_ from > to", lambda L: L.zeros(3).uniform_(1, 0)),
    ("uniform_ to = inf", lambda L: L.zeros(3).uniform_(0, math.inf)),
    ("uniform_ from = nan", lambda L: L.zeros(3).uniform_(math.nan, 1)),
    ("uniform_ float32 out of range", lambda L: L.zeros(3).uniform_(-1e39, 1e39)),
    ("uniform_ float64 span overflows", lambda L: L.zeros(3, dtype=L.float64).uniform_(-1e308, 1e308)),
    ("uniform_ equal bounds", lambda L: L.zeros(3).uniform_(1, 1)),
    ("uniform_ int64", lambda L: L.zeros(3, dtype=L.int64).uniform_()),
    ("uniform_ bool", lambda L: L.zeros(3, dtype=L.bool).uniform_()),
    ("normal_ std < 0", lambda L: L.zeros(3).normal_(0, -1)),
    ("normal_ std nan", lambda L: L.zeros(3).normal_(0, math.nan)),
    ("normal_ std 0", lambda L: L.zeros(3).normal_(0, 0)),
    ("normal_ int32", lambda L: L.zeros(3, dtype=L.int32).normal_()),
    ("exponential_ lambda < 0", lambda L: L.zeros(3).exponential_(-1)),
    ("exponential_ lambda 0", lambda L: L.zeros(3).exponential_(0)),
    ("exponential_ int64", lambda L: L.zeros(3, dtype=L.int64).exponential_()),
    ("bernoulli_ p > 1", lambda L: L.zeros(3).bernoulli_(2.0)),
    ("bernoulli_ p < 0", lambda L: L.zeros(3).bernoulli_(-1.0)),
    ("normal() tensor mean, std < 0", lambda L: L.normal(L.zeros(3), -1.0)),
    ("rand int64", lambda L: L.rand(3, dtype=L.int64)),
    ("randn int64", lambda L: L.randn(3, dtype=L.int64)),
    ("rand_like int64", lambda L: L.rand_like(L.zeros(3, dtype=L.int64))),
    ("init.uniform_ b < a", lambda L: (torch.nn if L is torch else nn).init.uniform_(L.zeros(3), 1, 0)),
    ("init.normal_ std < 0", lambda L: (torch.nn if L is torch else nn).init.normal_(L.zeros(3), 0, -1)),
    ("init.xavier_uniform_ int64", lambda L: (torch.nn if L is torch else nn).init.xavier_uniform_(
        L.zeros(3, 3, dtype=L.int64))),
    ("init.kaiming_normal_ bool", lambda L: (torch.nn if L is torch else nn).init.kaiming_normal_(
        L.zeros(3, 3, dtype=L.bool))),
]


@pytest.mark.parametrize("name,fill", _FILLS, ids=[n for n, _ in _FILLS])
def test_sampling_fills_raise_where_pytorch_raises(name, fill):
    # Before: uniform_(1, 0) filled (0, 1] samples, normal_(0, -1) negated samples, exponential_(-1)
    # negative ones, bernoulli_(2.) all ones, and integer/bool tensors were filled with truncated
    # samples (rand(3, dtype=int64) -> zeros), where PyTorch 2.13 raises.
    assert _outcome(lambda: fill(ag)) == _outcome(lambda: fill(torch))


@pytest.mark.parametrize("args", [(3,), (3, 2, 1), ((2,),), (4, None, 0)])
def test_avg_pool1d_keeps_one_tuples_as_pytorch(args):
    # Before: AvgPool1d(3) kept kernel_size=3 (repr 'AvgPool1d(kernel_size=3, stride=3, padding=0)');
    # PyTorch 2.13 stores _single tuples: 'AvgPool1d(kernel_size=(3,), stride=(3,), padding=(0,))'.
    t, x = torch.nn.AvgPool1d(*args), nn.AvgPool1d(*args)
    assert repr(x) == repr(t)
    assert (x.kernel_size, x.stride, x.padding) == (t.kernel_size, t.stride, t.padding)
    data = torch.randn(2, 3, 9)
    got = x(ag.tensor(data.numpy())).numpy()
    assert abs(got - t(data).numpy()).max() < 1e-6


def test_relu6_is_a_hardtanh_with_its_bounds_as_pytorch():
    # Before: ReLU6 was a plain Module without min_val/max_val (PyTorch 2.13: Hardtanh(0., 6.)).
    for args in [(), (True,)]:
        t, x = torch.nn.ReLU6(*args), nn.ReLU6(*args)
        assert isinstance(x, nn.Hardtanh)
        assert (x.min_val, x.max_val, x.inplace) == (t.min_val, t.max_val, t.inplace)
        assert repr(x) == repr(t)
    assert nn.ReLU6()(ag.tensor([-1.0, 3.0, 7.0])).tolist() == [0.0, 3.0, 6.0]


_FLOAT_FILLS = [
    ("fill_ float16 1e6", lambda L: L.zeros(3, dtype=L.float16).fill_(1e6)),
    ("fill_ float16 int 100000", lambda L: L.zeros(3, dtype=L.float16).fill_(100000)),
    ("fill_ float16 65504", lambda L: L.zeros(3, dtype=L.float16).fill_(65504.0)),
    ("fill_ float32 1e39", lambda L: L.zeros(3).fill_(1e39)),
    ("fill_ float32 inf", lambda L: L.zeros(3).fill_(math.inf)),
    ("fill_ 0-d tensor 1e6 into float16", lambda L: L.zeros(3, dtype=L.float16).fill_(L.tensor(1e6))),
    ("full float16 1e6", lambda L: L.full((2,), 1e6, dtype=L.float16)),
    ("full default 1e39", lambda L: L.full((2,), 1e39)),
    ("masked_fill float16 -1e6", lambda L: L.zeros(3, dtype=L.float16).masked_fill(
        L.tensor([True, False, True]), -1e6)),
    ("index_fill float16 1e6", lambda L: L.zeros(3, dtype=L.float16).index_fill(0, L.tensor([0]), 1e6)),
    ("scatter float16 1e6", lambda L: L.zeros(3, dtype=L.float16).scatter(0, L.tensor([0]), 1e6)),
    ("init.constant_ float16 1e6", lambda L: (torch.nn if L is torch else nn).init.constant_(
        L.zeros(3, dtype=L.float16), 1e6)),
    ("setitem float16 1e6", lambda L: L.zeros(3, dtype=L.float16).__setitem__(0, 1e6)),
    ("float64 1e300", lambda L: L.zeros(3, dtype=L.float64).fill_(1e300)),
]


@pytest.mark.parametrize("name,fill", _FLOAT_FILLS, ids=[n for n, _ in _FLOAT_FILLS])
def test_float_fills_beyond_the_dtype_raise_as_pytorch(name, fill):
    # Before: zeros(3, dtype=float16).fill_(1e6) (and init.constant_, full, masked_fill, index_fill,
    # scatter) silently wrote inf; PyTorch 2.13 raises 'value cannot be converted to type c10::Half
    # without overflow' (a 0-d tensor value and setitem still write inf, as PyTorch).
    assert _outcome(lambda: fill(ag)) == _outcome(lambda: fill(torch))
