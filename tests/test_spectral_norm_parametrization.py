"""``nn.utils.parametrizations.spectral_norm`` (the SN-GAN critic's layer wrapper) and the
conjugate-transpose spellings it is written with (``torch.vdot``, ``Tensor.H``/``mH``,
``adjoint``, ``conj``), against PyTorch. All were missing (AttributeError) before.
"""
import warnings

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")


def _critic(lib, dim=None):
    nn = lib.nn
    sn = nn.utils.parametrizations.spectral_norm
    kw = {} if dim is None else {"dim": dim}
    return nn.Sequential(sn(nn.Conv2d(2, 4, 3, 2, 1), **kw), nn.LeakyReLU(0.1),
                         sn(nn.ConvTranspose2d(4, 3, 2, 2), n_power_iterations=2), nn.LeakyReLU(0.1),
                         nn.Flatten(), sn(nn.Linear(3 * 8 * 8, 1), eps=1e-10))


def _pair(dim=None):
    torch.manual_seed(0)
    tm = _critic(torch, dim).double()
    am = _critic(ag, dim).double()
    assert sorted(am.state_dict()) == sorted(tm.state_dict())
    am.load_state_dict({k: ag.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    return tm, am


@pytest.mark.parametrize("dim", [None, 1])
def test_gan_critic_training_matches_torch(dim):
    tm, am = _pair(dim)
    rng = np.random.default_rng(0)
    for it in range(3):
        real, fake = rng.standard_normal((2, 3, 2, 8, 8))
        res = []
        for lib, m in ((torch, tm), (ag, am)):
            m.train()
            m.zero_grad()
            loss = m(lib.tensor(fake)).mean() - m(lib.tensor(real)).mean()  # two forwards, one backward
            loss.backward()
            grads = {k: p.grad.numpy().copy() for k, p in m.named_parameters()}
            bufs = {k: b.numpy().copy() for k, b in m.named_buffers()}
            res.append((loss.item(), grads, bufs))
        np.testing.assert_allclose(res[1][0], res[0][0], rtol=1e-10, err_msg=f"loss {it}")
        for k in res[0][1]:
            np.testing.assert_allclose(res[1][1][k], res[0][1][k], rtol=1e-8, atol=1e-12, err_msg=k)
        for k in res[0][2]:
            np.testing.assert_allclose(res[1][2][k], res[0][2][k], rtol=1e-10, atol=1e-12, err_msg=k)
        with torch.no_grad(), ag.no_grad():
            for (k, tp), ap in zip(tm.named_parameters(), am.parameters()):
                tp.sub_(0.1 * tp.grad)
                ap.sub_(0.1 * ap.grad)


def test_eval_uses_the_buffers_without_iterating():
    tm, am = _pair()
    x = np.random.default_rng(1).standard_normal((2, 2, 8, 8))
    tm.eval()
    am.eval()
    before = {k: b.numpy().copy() for k, b in am.named_buffers()}
    with torch.no_grad():
        yt = tm(torch.tensor(x)).numpy()
    with ag.no_grad():
        ya = am(ag.tensor(x)).numpy()
    np.testing.assert_allclose(ya, yt, rtol=1e-10)
    for k, b in am.named_buffers():
        np.testing.assert_array_equal(b.numpy(), before[k])


def test_one_dimensional_weight_is_normalized():
    out = []
    for lib in (ag, torch):
        m = lib.nn.utils.parametrizations.spectral_norm(lib.nn.Linear(3, 2), name="bias")
        with lib.no_grad():
            m.parametrizations.bias.original.copy_(lib.tensor([3.0, 4.0]))
        assert "parametrizations.bias.0._u" not in m.state_dict()
        out.append(m.bias.detach().numpy())
    np.testing.assert_allclose(out[0], out[1], rtol=1e-6)


def test_errors_match():
    for lib in (ag, torch):
        sn = lib.nn.utils.parametrizations.spectral_norm
        with pytest.raises(ValueError, match="has no parameter or buffer"):
            sn(lib.nn.Linear(2, 2), name="nope")
        with pytest.raises(ValueError, match="n_power_iterations"):
            sn(lib.nn.Linear(2, 2), n_power_iterations=0)
        with pytest.raises(IndexError, match="Dimension out of range"):
            sn(lib.nn.Linear(2, 2), dim=2)


def test_vdot_matches_dot_and_torch():
    a0, b0 = np.array([1.0, -2.0, 0.5]), np.array([0.3, 4.0, -1.0])
    res = []
    for lib in (ag, torch):
        a, b = lib.tensor(a0, requires_grad=True), lib.tensor(b0, requires_grad=True)
        r = lib.vdot(a, b)
        r.backward()
        res.append((r.item(), a.grad.numpy(), b.grad.numpy(), a.vdot(b).item()))
    for x, y in zip(*res):
        np.testing.assert_allclose(x, y)
    for lib in (ag, torch):
        with pytest.raises(RuntimeError, match="1D tensors expected"):
            lib.vdot(lib.ones(2, 2), lib.ones(2, 2))


@pytest.mark.parametrize("shape", [(2, 3), (2, 2, 3)])
@pytest.mark.parametrize("attr", ["H", "mH", "adjoint", "conj", "resolve_conj"])
def test_conjugate_transpose_spellings(shape, attr):
    x0 = np.arange(np.prod(shape), dtype=np.float64).reshape(shape)
    res = []
    for lib in (ag, torch):
        x = lib.tensor(x0)
        try:
            r = getattr(x, attr)
            r = r() if callable(r) else r
            res.append(("ok", r.numpy()))
        except RuntimeError as e:
            res.append(("err", str(e)))
    assert res[0][0] == res[1][0], res
    if res[0][0] == "ok":
        np.testing.assert_array_equal(res[0][1], res[1][1])
    else:
        assert res[0][1] == res[1][1]


@pytest.mark.parametrize("attr", ["H", "mH", "adjoint"])
def test_conjugate_transpose_small_ranks(attr):
    for lib in (ag, torch):
        with pytest.raises(RuntimeError, match="only supported on matrices"):
            r = getattr(lib.ones(3), attr)
            r() if callable(r) else r
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with pytest.raises(UserWarning, match="deprecated on 0-D"):
                r = getattr(lib.tensor(2.0), attr)
                r() if callable(r) else r


def test_conj_functions_on_real_tensors():
    for lib in (ag, torch):
        x = lib.ones(2, 3)
        assert lib.conj(x) is x and x.resolve_conj() is x and not x.is_conj()
        np.testing.assert_array_equal(lib.adjoint(x).numpy(), np.ones((3, 2)))
