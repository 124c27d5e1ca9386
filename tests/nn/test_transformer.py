"""Transformer layers: PyTorch state dicts load and give the same outputs and gradients (train with
dropout 0, and eval); without PyTorch, causality, padding and a falling loss are checked."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import optim

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


def _compare(m, tm, args, targs, device, kw=None, tkw=None):
    torch = pytest.importorskip("torch")
    from layer_check import assert_close, load_from_torch

    load_from_torch(m, tm, device)
    out, tout = m(*args, **(kw or {})), tm(*targs, **(tkw or {}))
    assert_close(out.detach().cpu().numpy(), tout.detach().numpy(), 1e-5, 2e-6, "output")
    g = RNG.standard_normal(tout.shape).astype(np.float32)
    out.backward(ag.tensor(g, device=device))
    tout.backward(torch.tensor(g))
    for x, tx in zip(args, targs):
        assert_close(x.grad.cpu().numpy(), tx.grad.numpy(), 1e-4, 2e-5, "input gradient")
    for name, p in m.named_parameters():
        assert_close(p.grad.cpu().numpy(), tm.get_parameter(name).grad.numpy(), 1e-4, 2e-5, name)


def _pair(shape, device):
    import torch

    a = RNG.standard_normal(shape).astype(np.float32)
    return ag.tensor(a, device=device, requires_grad=True), torch.tensor(a, requires_grad=True)


TRANSFORMER = [dict(), dict(norm_first=True, activation="gelu"), dict(batch_first=True, bias=False),
               dict(eval=True)]


@pytest.mark.parametrize("kw", TRANSFORMER, ids=str)
def test_transformer_matches_torch(device, kw):
    torch = pytest.importorskip("torch")
    kw = dict(kw)
    evaluate = kw.pop("eval", False)
    torch.manual_seed(0)
    tm = torch.nn.Transformer(8, 2, 2, 2, 16, dropout=0.0 if not evaluate else 0.3, **kw)
    m = nn.Transformer(8, 2, 2, 2, 16, dropout=0.0 if not evaluate else 0.3, **kw).to(device)
    assert list(m.state_dict()) == list(tm.state_dict())
    if evaluate:
        m.eval(), tm.eval()
    bf = kw.get("batch_first", False)
    (s, ts), (t, tt) = _pair((3, 6, 8) if bf else (6, 3, 8), device), _pair((3, 5, 8) if bf else (5, 3, 8),
                                                                             device)
    pad = np.zeros((3, 6), bool)
    pad[2, 4:] = True
    mask = nn.Transformer.generate_square_subsequent_mask(5, device=device)
    tmask = torch.nn.Transformer.generate_square_subsequent_mask(5)
    _compare(m, tm, (s, t), (ts, tt), device,
             dict(tgt_mask=mask, src_key_padding_mask=ag.tensor(pad, device=device),
                  memory_key_padding_mask=ag.tensor(pad, device=device)),
             dict(tgt_mask=tmask, src_key_padding_mask=torch.tensor(pad),
                  memory_key_padding_mask=torch.tensor(pad)))


def test_encoder_with_final_norm_and_causal_hint_matches_torch(device):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    tl = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
    tm = torch.nn.TransformerEncoder(tl, 2, norm=torch.nn.LayerNorm(8), enable_nested_tensor=False)
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
    m = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(8)).to(device)
    (s, ts) = _pair((3, 6, 8), device)
    mask = nn.Transformer.generate_square_subsequent_mask(6, device=device)
    _compare(m, tm, (s,), (ts,), device, dict(mask=mask, is_causal=True),
             dict(mask=torch.nn.Transformer.generate_square_subsequent_mask(6), is_causal=True))


def test_decoder_layer_matches_torch(device):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    tm = torch.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, activation=torch.nn.functional.gelu)
    m = nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, activation=nn.functional.gelu).to(device)
    (t, tt), (mem, tmem) = _pair((4, 2, 8), device), _pair((6, 2, 8), device)
    _compare(m, tm, (t, mem), (tt, tmem), device)
