"""ag.Generator (torch.Generator): seeding, state round trips, use by every random function."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.random import backend_generator
from autograd.utils.data import DataLoader, RandomSampler, random_split
from conftest import SHADOW


def draws(g):
    return [ag.rand(3, generator=g).tolist(), ag.randn(2, 2, generator=g).tolist(),
            ag.randint(0, 100, (4,), generator=g).tolist(), ag.randperm(6, generator=g).tolist(),
            ag.empty(3).normal_(generator=g).tolist(), ag.empty(3).uniform_(-1, 1, generator=g).tolist()]


def test_fresh_generators_agree_and_default_seed_is_pytorchs():
    a, b = ag.Generator(), ag.Generator("cpu")
    assert a.initial_seed() == 67280421310721  # torch.Generator().initial_seed()
    assert a.device == ag.device("cpu") and str(a.device) == "cpu"
    assert draws(a) == draws(b)


def test_manual_seed_reproduces_and_returns_the_generator():
    g = ag.Generator()
    assert g.manual_seed(123) is g and g.initial_seed() == 123
    first = draws(g)
    g.manual_seed(123)
    assert draws(g) == first
    assert draws(ag.Generator().manual_seed(124)) != first


def test_generator_is_independent_of_the_global_seed():
    g = ag.Generator().manual_seed(5)
    ag.manual_seed(0)
    x = ag.rand(4, generator=g).tolist()
    ag.manual_seed(99)
    g.manual_seed(5)
    assert ag.rand(4, generator=g).tolist() == x


def test_state_round_trip_is_a_uint8_tensor():
    g = ag.Generator().manual_seed(7)
    ag.rand(5, generator=g)
    state = g.get_state()
    assert isinstance(state, ag.Tensor) and state.dtype == ag.uint8 and state.ndim == 1
    after = draws(g)
    g.manual_seed(0)  # move elsewhere, then restore
    g.set_state(state)
    assert draws(g) == after and g.initial_seed() == 7
    h = ag.Generator().set_state(state)  # another generator takes the state too
    assert draws(h) == after


def test_state_errors():
    g = ag.Generator()
    with pytest.raises(TypeError, match="uint8"):
        g.set_state(ag.zeros(3))
    with pytest.raises(RuntimeError, match="get_state"):
        g.set_state(ag.zeros(3, dtype=ag.uint8))


def test_seed_argument_checks_as_pytorch():
    g = ag.Generator()
    assert g.manual_seed(-1).initial_seed() == 2 ** 64 - 1  # PyTorch wraps negatives to uint64
    with pytest.raises(ValueError, match="Overflow"):
        g.manual_seed(2 ** 64)
    with pytest.raises(RuntimeError, match="long"):
        g.manual_seed(1.5)
    s = g.seed()
    assert g.initial_seed() == s and 0 <= s < 2 ** 64


def test_pytorch_seed_range_and_state_type_agree():
    torch = pytest.importorskip("torch")
    tg, g = torch.Generator(), ag.Generator()
    assert tg.initial_seed() == g.initial_seed()
    assert tg.manual_seed(-1).initial_seed() == g.manual_seed(-1).initial_seed()
    assert tg.get_state().dtype == torch.uint8 and g.get_state().dtype == ag.uint8


def test_global_rng_state_and_seed():
    ag.manual_seed(3)
    assert ag.initial_seed() == 3
    state = ag.get_rng_state()
    x = ag.rand(4).tolist()
    ag.rand(10)
    ag.set_rng_state(state)
    assert ag.rand(4).tolist() == x
    s = ag.seed()
    assert ag.initial_seed() == s
    y = ag.rand(3).tolist()
    ag.manual_seed(s)
    assert ag.rand(3).tolist() == y
    assert ag.default_generator.get_state().dtype == ag.uint8


def test_numpy_generators_still_work_and_others_are_refused():
    a = ag.rand(3, generator=np.random.default_rng(0)).tolist()
    assert ag.rand(3, generator=np.random.default_rng(0)).tolist() == a
    for bad in (3, "gen", object()):
        with pytest.raises(TypeError, match="autograd.Generator"):
            ag.rand(2, generator=bad)


def test_backend_generator_helper():
    cpu = ag.device("cpu")
    g = ag.Generator().manual_seed(1)
    raw = backend_generator(g, cpu)
    assert raw is backend_generator(g, cpu)  # the generator's own stream, not a copy
    assert backend_generator(None, cpu) is cpu.backend.generator(0)
    rng = np.random.default_rng(0)
    assert backend_generator(rng, cpu) is rng


@pytest.mark.skipif(not SHADOW, reason="the shadow device is not registered")
def test_generator_of_another_device_is_refused():
    shadow = SHADOW
    g = ag.Generator(shadow)
    assert g.device.type == "shadow"
    with pytest.raises(RuntimeError, match="device type"):
        ag.rand(2, generator=g)
    x = ag.rand(3, device=shadow, generator=g.manual_seed(0))
    assert x.device.type == "shadow"
    y = ag.rand(3, device=shadow, generator=g.manual_seed(0))
    assert x.tolist() == y.tolist()
    with pytest.raises(TypeError, match="autograd.Generator"):  # a host generator for device memory
        ag.rand(2, device=shadow, generator=np.random.default_rng(0))
    with pytest.raises(RuntimeError, match="state"):  # CuPy's generator cannot report its state
        g.get_state()


def test_data_pipeline_accepts_generators():
    ds = list(range(10))
    orders = []
    for _ in range(2):
        g = ag.Generator().manual_seed(4)
        orders.append([b.tolist() for b in DataLoader(ds, batch_size=3, shuffle=True, generator=g)])
        orders.append(list(RandomSampler(ds, generator=ag.Generator().manual_seed(4))))
        orders.append([list(s) for s in random_split(ds, [3, 7], generator=ag.Generator().manual_seed(4))])
    assert orders[:3] == orders[3:]
    assert sorted(sum(orders[0], [])) == ds
    # a NumPy generator is accepted too
    assert len(list(DataLoader(ds, shuffle=True, generator=np.random.default_rng(0)))) == 10


@pytest.mark.parametrize("make", [lambda ds, g: DataLoader(ds, shuffle=True, generator=g),
                                  lambda ds, g: RandomSampler(ds, generator=g),
                                  lambda ds, g: random_split(ds, [1, 1], generator=g)])
def test_data_pipeline_refuses_other_generators(make):
    with pytest.raises(TypeError, match=r"autograd\.Generator.*numpy\.random\.default_rng"):
        make([0, 1], object())
    with pytest.raises(TypeError, match="autograd.Generator"):
        make([0, 1], 42)
