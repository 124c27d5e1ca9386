"""GradScaler against PyTorch's: scaled losses, unscaled gradients, skipped steps, scale updates."""
import math

import numpy as np
import pytest

import autograd as ag
import nn
import optim

torch = pytest.importorskip("torch")


def _pair(seed=0):
    rng = np.random.default_rng(seed)
    w1, b1 = rng.standard_normal((8, 4)).astype(np.float32), rng.standard_normal(8).astype(np.float32)
    w2, b2 = rng.standard_normal((1, 8)).astype(np.float32), rng.standard_normal(1).astype(np.float32)
    ours = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1))
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    for m, lib in ((ours, ag), (theirs, torch)):
        with lib.no_grad():
            for p, a in zip(m.parameters(), (w1, b1, w2, b2)):
                p.copy_(lib.tensor(a))
    return ours, theirs


def _params_close(ours, theirs):
    for p, q in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-6, atol=1e-7)


def test_training_with_an_overflowing_step_matches_pytorch():
    # step 2's loss is inf: both skip the optimizer step and halve the scale; growth_interval=2
    # doubles it again after two finite steps
    ours, theirs = _pair()
    opt_o = optim.SGD(ours.parameters(), lr=0.1, momentum=0.9)
    opt_t = torch.optim.SGD(theirs.parameters(), lr=0.1, momentum=0.9)
    sc_o = ag.amp.GradScaler("cpu", init_scale=1024.0, growth_interval=2)
    sc_t = torch.amp.GradScaler("cpu", init_scale=1024.0, growth_interval=2)
    x = np.random.default_rng(1).standard_normal((16, 4)).astype(np.float32)
    for step in range(6):
        factor = math.inf if step == 2 else 1.0
        for model, opt, sc, lib in ((ours, opt_o, sc_o, ag), (theirs, opt_t, sc_t, torch)):
            opt.zero_grad()
            loss = (model(lib.tensor(x)) ** 2).mean() * factor
            sc.scale(loss).backward()
            sc.unscale_(opt)
            (torch.nn if lib is torch else nn).utils.clip_grad_norm_(model.parameters(), 1.0)
            sc.step(opt)
            sc.update()
        assert sc_o.get_scale() == sc_t.get_scale(), step
        assert sc_o.state_dict() == sc_t.state_dict(), step
        _params_close(ours, theirs)
    # 1024 -> 2048 after two finite steps -> 1024 after the inf one -> 2048 after two more
    assert [sc_o.get_scale(), sc_t.get_scale()] == [2048.0, 2048.0]


def test_a_skipped_step_leaves_the_parameters_unchanged():
    ours, _ = _pair()
    opt = optim.Adam(ours.parameters(), lr=0.1)
    sc = ag.amp.GradScaler("cpu")
    before = [p.detach().clone() for p in ours.parameters()]
    loss = ours(ag.ones(2, 4)).sum() * float("nan")
    sc.scale(loss).backward()
    assert sc.step(opt) is None
    sc.update()
    assert sc.get_scale() == 2.0 ** 15
    for p, q in zip(ours.parameters(), before):
        assert ag.equal(p.detach(), q)


def test_scaled_gradients_and_unscale_match_pytorch():
    ours, theirs = _pair(3)
    sc_o, sc_t = ag.amp.GradScaler("cpu"), torch.amp.GradScaler("cpu")
    x = np.random.default_rng(2).standard_normal((5, 4)).astype(np.float32)
    lo, lt = ours(ag.tensor(x)).sum(), theirs(torch.tensor(x)).sum()
    so, st = sc_o.scale(lo), sc_t.scale(lt)
    assert so.dtype == ag.float32 and float(so) == pytest.approx(float(st.detach()), rel=1e-6)
    so.backward()
    st.backward()
    for p, q in zip(ours.parameters(), theirs.parameters()):  # scaled by 65536
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-6)
    opt_o, opt_t = optim.SGD(ours.parameters(), lr=1.0), torch.optim.SGD(theirs.parameters(), lr=1.0)
    sc_o.unscale_(opt_o)
    sc_t.unscale_(opt_t)
    for p, q in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-6)
    assert isinstance(sc_o.scale([lo, (lo,)]), list)


def test_misuse_raises_as_pytorch():
    w = ag.ones(2, requires_grad=True)
    opt = optim.SGD([w], lr=0.5)
    sc = ag.amp.GradScaler("cpu")
    with pytest.raises(AssertionError, match="did not use scaler.scale"):
        sc.step(opt)
    sc.scale((w * w).sum()).backward()
    sc.unscale_(opt)
    with pytest.raises(RuntimeError, match="already been called on this optimizer"):
        sc.unscale_(opt)
    sc.step(opt)
    with pytest.raises(RuntimeError, match="step\\(\\) has already been called"):
        sc.step(opt)
    with pytest.raises(RuntimeError, match="after step"):
        sc.unscale_(opt)
    with pytest.raises(RuntimeError, match="Closure"):
        sc.step(opt, closure=lambda: 0.0)
    sc.update()
    with pytest.raises(AssertionError, match="No inf checks"):
        sc.update()
    with pytest.raises(AssertionError, match="growth factor"):
        ag.amp.GradScaler("cpu", growth_factor=1.0)
    with pytest.raises(ValueError, match="Tensor or an iterable"):
        sc.scale(3.0)
    with pytest.raises(RuntimeError, match="state dict is empty"):
        sc.load_state_dict({})


def test_state_dict_round_trip_and_new_scale():
    sc = ag.amp.GradScaler("cpu", init_scale=8.0, growth_interval=3)
    sc.load_state_dict({"scale": 4.0, "growth_factor": 3.0, "backoff_factor": 0.25, "growth_interval": 7,
                        "_growth_tracker": 2})
    assert sc.get_scale() == 4.0 and sc.get_growth_factor() == 3.0 and sc.get_growth_interval() == 7
    w = ag.ones(1, requires_grad=True)
    sc.scale(w.sum()).backward()
    sc.update(new_scale=2.0)
    assert sc.get_scale() == 2.0
    sc.update(new_scale=ag.tensor([16.0]))
    assert sc.state_dict()["scale"] == 16.0 and sc.state_dict()["_growth_tracker"] == 2


def test_cuda_scaler_without_cuda_is_disabled_with_a_warning(monkeypatch):
    monkeypatch.setattr(ag.cuda, "is_available", lambda: False)
    with pytest.warns(UserWarning, match="CUDA is not available"):
        sc = ag.cuda.amp.GradScaler(1024.0)
    assert not sc.is_enabled() and sc.get_scale() == 1.0 and sc.state_dict() == {}
    w = ag.ones(2, requires_grad=True)
    loss = (w * w).sum()
    assert sc.scale(loss) is loss
