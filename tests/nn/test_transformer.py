"""Transformer layers: PyTorch state dicts load and give the same outputs and gradients (train with
dropout 0, and eval); without PyTorch, causality, padding and a falling loss are checked."""
from __future__ import annotations

import numpy as np
import pytest
from call_check import compare_call
from golden import T, prepared

import autograd as ag
import nn
import optim

RNG = np.random.default_rng(1)


@pytest.fixture(autouse=True)
def _fresh_rng():
    """Each test draws its inputs from its own generator (the recorded answers depend on them)."""
    global RNG
    RNG = np.random.default_rng(1)


def test_square_subsequent_mask():
    m = nn.Transformer.generate_square_subsequent_mask(4).numpy()
    expected = np.where(np.triu(np.ones((4, 4), bool), 1), -np.inf, 0.0).astype(np.float32)
    np.testing.assert_array_equal(m, expected)
    assert nn.Transformer.generate_square_subsequent_mask(3, dtype=ag.float64).dtype == ag.float64


def test_encoder_layer_names_and_activation():
    layer = nn.TransformerEncoderLayer(8, 2, 16)
    assert list(layer.state_dict()) == [
        "self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight",
        "self_attn.out_proj.bias", "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias",
        "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias"]
    assert nn.TransformerEncoderLayer(8, 2, activation="gelu").activation is nn.functional.gelu
    assert isinstance(nn.TransformerEncoderLayer(8, 2, activation=nn.GELU()).activation, nn.GELU)
    with pytest.raises(RuntimeError, match="relu/gelu"):
        nn.TransformerEncoderLayer(8, 2, activation="tanh")
    enc = nn.TransformerEncoder(layer, 3)
    assert len(enc.layers) == 3 and enc.layers[0] is not enc.layers[1]
    assert list(nn.TransformerEncoderLayer(8, 2, bias=False).state_dict()) == [
        "self_attn.in_proj_weight", "self_attn.out_proj.weight", "linear1.weight", "linear2.weight",
        "norm1.weight", "norm2.weight"]


@pytest.mark.parametrize("norm_first", [False, True])
def test_causal_encoder_ignores_the_future(device, norm_first):
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, norm_first=norm_first, batch_first=True)
    enc = nn.TransformerEncoder(layer, 2).double().to(device)
    x = RNG.standard_normal((2, 6, 8))
    mask = nn.Transformer.generate_square_subsequent_mask(6, device=device, dtype=ag.float64)
    out = enc(ag.tensor(x, device=device), mask=mask).detach().cpu().numpy()
    x2 = x.copy()
    x2[:, 4:] += 1.0
    out2 = enc(ag.tensor(x2, device=device), mask=mask).detach().cpu().numpy()
    np.testing.assert_allclose(out[:, :4], out2[:, :4], rtol=1e-12, atol=1e-12)
    assert not np.allclose(out[:, 4:], out2[:, 4:])


def test_padded_keys_do_not_matter(device):
    model = nn.Transformer(8, 2, 1, 1, 16, dropout=0.0).double().to(device).eval()
    src, tgt = RNG.standard_normal((5, 2, 8)), RNG.standard_normal((3, 2, 8))
    pad = np.zeros((2, 5), bool)
    pad[1, 3:] = True
    kw = dict(src_key_padding_mask=ag.tensor(pad, device=device),
              memory_key_padding_mask=ag.tensor(pad, device=device))
    out = model(ag.tensor(src, device=device), ag.tensor(tgt, device=device), **kw).detach().cpu().numpy()
    src[3:, 1] = 100.0  # padded positions of the second sequence
    out2 = model(ag.tensor(src, device=device), ag.tensor(tgt, device=device), **kw).detach().cpu().numpy()
    np.testing.assert_allclose(out, out2, rtol=1e-12, atol=1e-12)


def test_tiny_causal_model_learns():
    ag.manual_seed(0)
    emb, head = nn.Embedding(5, 16), nn.Linear(16, 5)
    enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(16, 2, 32, dropout=0.0, batch_first=True), 1)
    params = list(emb.parameters()) + list(head.parameters()) + list(enc.parameters())
    opt = optim.Adam(params, lr=1e-2)
    seq = ag.tensor([[0, 1, 2, 3, 4, 0, 1, 2]])
    mask = nn.Transformer.generate_square_subsequent_mask(7)
    losses = []
    for _ in range(30):
        logits = head(enc(emb(seq[:, :-1]), mask=mask, is_causal=True))
        loss = nn.functional.cross_entropy(logits.reshape(-1, 5), seq[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss))
    assert losses[-1] < 0.5 * losses[0]


def _compare(m, texpr, arrays, device, kw=None):
    ref = compare_call(m, texpr, arrays, device, kw, rtol=1e-5, atol=2e-6)
    assert list(m.state_dict()) == [k[6:] for k in ref if k.startswith("state.")]


def _mask(n):
    return np.where(np.triu(np.ones((n, n), bool), 1), -np.inf, 0.0).astype(np.float32)


TRANSFORMER = [dict(), dict(norm_first=True, activation="gelu"), dict(batch_first=True, bias=False),
               dict(eval=True)]


@pytest.mark.parametrize("kw", TRANSFORMER, ids=str)
def test_transformer_matches_torch(device, kw):
    kw = dict(kw)
    evaluate = kw.pop("eval", False)
    dropout = 0.0 if not evaluate else 0.3
    tm = T.nn.Transformer(8, 2, 2, 2, 16, dropout=dropout, **kw)
    m = nn.Transformer(8, 2, 2, 2, 16, dropout=dropout, **kw).to(device)
    if evaluate:
        m.eval()
        tm = prepared(tm, "eval()", lambda t: t.eval())
    bf = kw.get("batch_first", False)
    s = RNG.standard_normal((3, 6, 8) if bf else (6, 3, 8)).astype(np.float32)
    t = RNG.standard_normal((3, 5, 8) if bf else (5, 3, 8)).astype(np.float32)
    pad = np.zeros((3, 6), bool)
    pad[2, 4:] = True
    np.testing.assert_array_equal(nn.Transformer.generate_square_subsequent_mask(5).numpy(), _mask(5))
    _compare(m, tm, [s, t], device, dict(tgt_mask=_mask(5), src_key_padding_mask=pad,
                                         memory_key_padding_mask=pad))


def test_encoder_with_final_norm_and_causal_hint_matches_torch(device):
    tl = T.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
    tm = T.nn.TransformerEncoder(tl, 2, norm=T.nn.LayerNorm(8), enable_nested_tensor=False)
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
    m = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(8)).to(device)
    s = RNG.standard_normal((3, 6, 8)).astype(np.float32)
    _compare(m, tm, [s], device, dict(mask=_mask(6), is_causal=True))


def test_decoder_layer_matches_torch(device):
    tm = T.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, activation=T.nn.functional.gelu)
    m = nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, activation=nn.functional.gelu).to(device)
    t, mem = (RNG.standard_normal(shape).astype(np.float32) for shape in ((4, 2, 8), (6, 2, 8)))
    _compare(m, tm, [t, mem], device)
