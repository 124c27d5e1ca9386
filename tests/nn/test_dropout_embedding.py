"""Dropout (statistics, eval identity, seeding, validation) and Embedding (lookup, padding_idx, max_norm)."""
from __future__ import annotations

import numpy as np
import pytest
from golden import T, answer, prepared
from layer_check import check_grads, compare_module

import autograd as ag
import nn.functional as F
from nn.modules.dropout import Dropout, Dropout1d, Dropout2d, Dropout3d
from nn.modules.sparse import Embedding


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_dropout_statistics(device, p):
    ag.manual_seed(0)
    x = ag.ones(200, 500, device=device, requires_grad=True)
    y = F.dropout(x, p)
    out = y.detach().cpu().numpy()
    zero = (out == 0).mean()
    assert abs(zero - p) < 0.01
    assert abs(out.mean() - 1.0) < 0.03  # inverted dropout preserves the mean
    np.testing.assert_allclose(out[out != 0], 1 / (1 - p), rtol=1e-6)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.cpu().numpy(), out)  # gradient through the same mask


def test_dropout_identity_in_eval_and_p0(device):
    x = ag.randn(4, 5, device=device)
    m = Dropout(0.5).eval()
    assert m(x) is x or np.array_equal(m(x).cpu().numpy(), x.cpu().numpy())
    assert np.array_equal(F.dropout(x, 0.5, training=False).cpu().numpy(), x.cpu().numpy())
    assert np.array_equal(F.dropout(x, 0.0).cpu().numpy(), x.cpu().numpy())
    assert not F.dropout(x, 1.0).cpu().numpy().any()
    assert m.train()(x).shape == x.shape


def test_dropout_seeded_and_dtype(device):
    x = ag.ones(50, device=device, dtype=ag.float32)
    ag.manual_seed(3)
    a = F.dropout(x, 0.5).cpu().numpy()
    ag.manual_seed(3)
    b = F.dropout(x, 0.5).cpu().numpy()
    np.testing.assert_array_equal(a, b)
    assert F.dropout(x, 0.5).dtype == ag.float32
    assert F.dropout(x.double(), 0.5).dtype == ag.float64


def test_dropout2d_zeros_whole_channels(device):
    ag.manual_seed(1)
    y = Dropout2d(0.5)(ag.ones(64, 32, 3, 4, device=device)).cpu().numpy()
    per_channel = y.reshape(64, 32, -1)
    assert np.all((per_channel == 0).all(-1) | (per_channel == 2.0).all(-1))
    assert abs((per_channel[..., 0] == 0).mean() - 0.5) < 0.05
    with pytest.warns(UserWarning, match="3D input"):  # read as (N, C, L), as PyTorch does
        y3 = F.dropout2d(ag.ones(8, 16, 5, device=device), 0.5)
    c = y3.cpu().numpy()
    assert np.all((c == 0).all(-1) | (c == 2.0).all(-1))
    with pytest.raises(RuntimeError, match="dropout2d"):
        F.dropout2d(ag.ones(2, 2, 2, 2, 2, device=device))


@pytest.mark.parametrize("layer, batched, unbatched", [
    (Dropout1d, (16, 32, 5), (32, 5)),
    (Dropout3d, (16, 32, 2, 3, 2), (32, 2, 3, 2)),
])
def test_channel_dropout_zeros_whole_channels_batched_or_not(device, layer, batched, unbatched):
    # an unbatched (C, L) input to dropout1d once got an elementwise mask, read as (N, C)
    ag.manual_seed(2)
    for shape in (batched, unbatched):
        y = layer(0.5)(ag.ones(*shape, device=device)).cpu().numpy()
        channels = y.reshape(-1, int(np.prod(shape[-(len(batched) - 2):])))
        assert np.all((channels == 0).all(-1) | (channels == 2.0).all(-1)), shape
        assert 0.3 < (channels[:, 0] == 0).mean() < 0.7
    with pytest.raises(RuntimeError, match=layer.__name__.lower()):
        layer(0.5)(ag.ones(*batched, 2, device=device))


def test_dropout_validation():
    for bad in (-0.1, 1.5):
        with pytest.raises(ValueError, match="between 0 and 1"):
            Dropout(bad)
        with pytest.raises(ValueError, match="between 0 and 1"):
            F.dropout(ag.ones(3), bad)
    assert repr(Dropout(0.3)) == "Dropout(p=0.3, inplace=False)"


def test_dropout_gradcheck(device):
    def fn(x):
        ag.manual_seed(5)  # the same mask at every evaluation
        return F.dropout(x, 0.4)

    check_grads(fn, [np.random.default_rng(0).standard_normal((3, 4))], device)


def test_embedding_matches_torch(device):
    idx = np.array([[1, 3, 0, 3], [4, 0, 0, 2]])
    for kw in (dict(), dict(padding_idx=0), dict(padding_idx=-2)):
        m = Embedding(5, 3, **kw).to(device).double()
        # the padding row too is random: forward must still return its values
        tm = prepared(T.nn.Embedding(5, 3, **kw).double(), "weight.normal_()", lambda t: t.weight.normal_())
        compare_module(m, tm, idx, device, 1e-12, 1e-12)
        assert repr(m) == repr(tm)


def test_embedding_padding_idx_zero_and_no_grad(device):
    ag.manual_seed(0)
    m = Embedding(10, 4, padding_idx=2).to(device)
    w = m.weight.detach().cpu().numpy()
    assert not w[2].any() and w[[0, 1, 3]].any()
    m(ag.tensor([[2, 1, 2], [5, 2, 1]], device=device)).sum().backward()
    g = m.weight.grad.cpu().numpy()
    assert not g[2].any()
    np.testing.assert_array_equal(g[1], 2.0)
    np.testing.assert_array_equal(g[5], 1.0)
    assert not g[[0, 3, 4]].any()


def test_embedding_init_is_standard_normal():
    ag.manual_seed(0)
    w = Embedding(2000, 50).weight.detach().numpy()
    assert abs(w.mean()) < 0.01 and abs(w.std() - 1) < 0.01
    assert Embedding(3, 2).weight.dtype == ag.float32


def test_embedding_max_norm_matches_torch(device):
    tm = T.nn.Embedding(6, 4, max_norm=1.0).double()
    m = Embedding(6, 4, max_norm=1.0).to(device).double()
    compare_module(m, tm, np.array([[0, 2], [2, 5]]), device, 1e-12, 1e-12)
    renormed = answer("weight after max_norm", lambda: {"w": tm.obj.weight.detach().numpy()})["w"]
    np.testing.assert_allclose(m.weight.detach().cpu().numpy(), renormed, rtol=1e-12)


@pytest.mark.parametrize("norm_type", [1.0, 3.0, float("inf")])
def test_embedding_max_norm_other_norms_match_torch(device, norm_type):
    # the inf norm once came out as 1 for every row ((|w| ** inf).sum() ** 0), so no row was rescaled
    tm = T.nn.Embedding(6, 4, max_norm=0.7, norm_type=norm_type).double()
    m = Embedding(6, 4, max_norm=0.7, norm_type=norm_type).to(device).double()
    ref = compare_module(m, tm, np.array([[0, 2], [2, 5]]), device, 1e-12, 1e-12)
    renormed = answer(f"weight after max_norm {norm_type}",
                      lambda: {"w": tm.obj.weight.detach().numpy()})["w"]
    np.testing.assert_allclose(m.weight.detach().cpu().numpy(), renormed, rtol=1e-12)
    assert not np.allclose(renormed[[0, 2, 5]], ref["state.weight"][[0, 2, 5]])  # rows were rescaled


def test_embedding_from_pretrained(device):
    w = ag.arange(6.0, device=device).reshape(3, 2)
    m = Embedding.from_pretrained(w)
    assert not m.weight.requires_grad
    np.testing.assert_array_equal(m(ag.tensor([2], device=device)).cpu().numpy(), [[4.0, 5.0]])


def test_embedding_errors(device):
    w = ag.randn(4, 3, device=device)
    with pytest.raises(RuntimeError, match="integer"):  # PyTorch raises RuntimeError
        F.embedding(ag.tensor([1.0, 2.0], device=device), w)
    with pytest.raises(IndexError, match="out of range"):
        F.embedding(ag.tensor([4], device=device), w)
    with pytest.raises(RuntimeError, match="2-D"):
        F.embedding(ag.tensor([0], device=device), ag.randn(4, device=device))
