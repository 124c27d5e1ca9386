"""An adversarial review of the attention layers against PyTorch 2.13: modules loaded from PyTorch's
state_dict, the same float64 inputs, outputs and the gradients of every parameter and input compared
(rtol 1e-9), on PyTorch's regular (not the inference fast) path."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F

torch = pytest.importorskip("torch")

RTOL = 1e-9


def _np(t):
    return t.detach().cpu().numpy() if isinstance(t, ag.Tensor) else t.detach().numpy()


def _compare(tcall, call, tmodule, module, arrays, masks=None, seed=0):
    """Run both on the same inputs (floats require grad; ``masks`` do not); compare outputs and grads."""
    masks = masks or {}
    if tmodule is not None:
        tmodule.double()
        module.load_state_dict({k: v.detach().numpy().copy() for k, v in tmodule.state_dict().items()})
    tin = [torch.tensor(a, requires_grad=True) for a in arrays]
    xin = [ag.tensor(a, requires_grad=True) for a in arrays]
    tout = tcall(*tin, **{k: torch.tensor(v) for k, v in masks.items()})
    out = call(*xin, **{k: ag.tensor(v) for k, v in masks.items()})
    touts = [t for t in (tout if isinstance(tout, tuple) else (tout,)) if t is not None]
    outs = [t for t in (out if isinstance(out, tuple) else (out,)) if t is not None]
    assert len(outs) == len(touts)
    rng = np.random.default_rng(seed)
    tloss, loss = 0, 0
    for a, b in zip(touts, outs):
        np.testing.assert_allclose(_np(b), _np(a), rtol=RTOL, atol=1e-12)
        g = rng.standard_normal(tuple(a.shape))
        g[~np.isfinite(_np(a))] = 0
        tloss = tloss + (torch.nan_to_num(a, 0.0) * torch.tensor(g)).sum()
        loss = loss + (ag.nan_to_num(b, 0.0) * ag.tensor(g)).sum()
    tloss.backward()
    loss.backward()
    pairs = list(zip(tin, xin))
    if tmodule is not None:
        pairs += [(tp, p) for (_, tp), (_, p) in zip(tmodule.named_parameters(), module.named_parameters())]
    for a, b in pairs:
        expected = np.zeros(tuple(a.shape)) if a.grad is None else _np(a.grad)
        got = np.zeros(tuple(b.shape)) if b.grad is None else _np(b.grad)
        np.testing.assert_allclose(got, expected, rtol=RTOL, atol=1e-12)


# ---------------------------------------------------------------- scaled_dot_product_attention
def test_sdpa_without_keys_gives_zeros():
    """S = 0 (no key at all) raised 'zero-size array to reduction'; PyTorch returns zeros (and zero grads)."""
    rng = np.random.default_rng(0)
    _compare(torch.nn.functional.scaled_dot_product_attention, F.scaled_dot_product_attention, None, None,
             [rng.standard_normal((2, 3, 5)), rng.standard_normal((2, 0, 5)), rng.standard_normal((2, 0, 2))])


def test_sdpa_gqa_needs_a_heads_dimension():
    """enable_gqa with 2-D inputs was silently ignored; PyTorch raises IndexError (no dimension -3)."""
    q, k = ag.randn(4, 5), ag.randn(6, 5)
    with pytest.raises(IndexError, match="enable_gqa"):
        F.scaled_dot_product_attention(q, k, k, enable_gqa=True)


@pytest.mark.parametrize("shapes", [((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7)), ((4, 5), (6, 5), (6, 3)),
                                    ((2, 3, 6, 5), (2, 3, 4, 5), (2, 3, 4, 2)),
                                    ((2, 1, 4, 5), (2, 3, 6, 5), (2, 3, 6, 2))])
@pytest.mark.parametrize("mask", [None, "bool", "float", "bool_row", "dead_row", "batched"])
@pytest.mark.parametrize("causal", [False, True])
def test_sdpa_masks_and_causal_alignment(shapes, mask, causal):
    """Bool / float masks broadcast from (L, S), (1, S) and full batch shapes, rows with no key
    left (zeros), is_causal top-left aligned when L != S, and scale=."""
    if causal and mask is not None:
        pytest.skip("PyTorch refuses is_causal with a mask")
    rng = np.random.default_rng(1)
    (qs, ks, _), (L, S) = shapes, (shapes[0][-2], shapes[1][-2])
    masks = {
        None: None, "bool": rng.random((L, S)) < 0.7, "float": rng.standard_normal((L, S)),
        "bool_row": rng.random((1, S)) < 0.6, "dead_row": np.arange(L)[:, None] + np.zeros(S) != 1,
        "batched": rng.standard_normal(np.broadcast_shapes(qs[:-2], ks[:-2]) + (L, S)),
    }
    kw = {"is_causal": causal, "scale": 0.3}
    extra = {} if masks[mask] is None else {"attn_mask": masks[mask]}
    _compare(lambda *a, **m: torch.nn.functional.scaled_dot_product_attention(*a, **m, **kw),
             lambda *a, **m: F.scaled_dot_product_attention(*a, **m, **kw), None, None,
             [rng.standard_normal(s) for s in shapes], extra)


def test_sdpa_float_mask_gradient_and_gqa():
    rng = np.random.default_rng(2)
    mask = rng.standard_normal((2, 1, 4, 6))
    mask[0, 0, 1] = -np.inf  # a dead row: zero output, zero gradients
    _compare(lambda q, k, v, m: torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=m),
             lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m), None, None,
             [rng.standard_normal((2, 3, 4, 5)), rng.standard_normal((2, 3, 6, 5)),
              rng.standard_normal((2, 3, 6, 7)), mask])
    _compare(lambda q, k, v: torch.nn.functional.scaled_dot_product_attention(q, k, v, enable_gqa=True),
             lambda q, k, v: F.scaled_dot_product_attention(q, k, v, enable_gqa=True), None, None,
             [rng.standard_normal((2, 4, 3, 5)), rng.standard_normal((2, 2, 6, 5)),
              rng.standard_normal((2, 2, 6, 3))])


# ---------------------------------------------------------------- MultiheadAttention
def _mha_pair(**kw):
    torch.manual_seed(0)
    tm = torch.nn.MultiheadAttention(8, 2, **kw)
    with torch.no_grad():
        for p in tm.parameters():
            p.copy_(torch.randn_like(p) * 0.5)  # nonzero biases
    return tm, nn.MultiheadAttention(8, 2, **kw, dtype=ag.float64)


def _mha_masks(n, L, S, rng):
    kpm = np.zeros((n, S), bool)
    kpm[0, 1] = kpm[1, 2:] = True
    dead = np.zeros((L, S), bool)
    dead[2] = True  # a query row with no key: NaN with need_weights (PyTorch's softmax), else zeros
    return [{}, {"key_padding_mask": kpm}, {"key_padding_mask": np.where(kpm, -np.inf, 0.0)},
            {"attn_mask": rng.random((L, S)) < 0.3}, {"attn_mask": rng.standard_normal((n * 2, L, S))},
            {"attn_mask": np.triu(np.full((L, S), -np.inf), 1), "is_causal": True, "key_padding_mask": kpm},
            {"attn_mask": np.triu(np.ones((L, S), bool), 1), "is_causal": True}, {"attn_mask": dead},
            {"key_padding_mask": np.ones((n, S), bool)}]


@pytest.mark.parametrize("cfg", [{}, {"kdim": 6, "vdim": 7}, {"bias": False}, {"add_bias_kv": True},
                                 {"add_zero_attn": True, "batch_first": True}])
@pytest.mark.parametrize("weights", [(True, True), (True, False), (False, True)])
def test_mha_matches_pytorch(cfg, weights):
    need_weights, average = weights
    rng = np.random.default_rng(3)
    tm, m = _mha_pair(**cfg)
    bf = cfg.get("batch_first", False)
    L, S, n = 4, 5, 3

    def shape(length, dim):
        return (n, length, dim) if bf else (length, n, dim)

    for masks in _mha_masks(n, L, S, rng):
        for train in (True, False):
            tm.train(train)
            m.train(train)
            extra = {"need_weights": need_weights, "average_attn_weights": average}
            extra["is_causal"] = masks.pop("is_causal", False)
            arrays = [rng.standard_normal(shape(L, 8)), rng.standard_normal(shape(S, cfg.get("kdim", 8))),
                      rng.standard_normal(shape(S, cfg.get("vdim", 8)))]
            _compare(lambda *a, **k: tm(*a, **k, **extra), lambda *a, **k: m(*a, **k, **extra), tm, m,
                     arrays, masks)
            tm.zero_grad()
            m.zero_grad()


def test_mha_self_attention_and_unbatched():
    rng = np.random.default_rng(4)
    tm, m = _mha_pair(batch_first=True)
    x = rng.standard_normal((3, 4, 8))
    kpm = np.array([[0, 0, 0, 1], [0, 1, 0, 0], [1, 1, 1, 1]], bool)
    for need_weights in (True, False):  # query is key is value: PyTorch's packed projection
        _compare(lambda a, **k: tm(a, a, a, need_weights=need_weights, **k),
                 lambda a, **k: m(a, a, a, need_weights=need_weights, **k), tm, m, [x],
                 {"key_padding_mask": kpm})
        tm.zero_grad()
        m.zero_grad()
    tm, m = _mha_pair(kdim=6, vdim=5)
    for masks in ({}, {"key_padding_mask": np.array([0, 1, 0, 0, 1], bool)},
                  {"attn_mask": rng.standard_normal((2, 3, 5))}):
        _compare(tm, m, tm, m, [rng.standard_normal((3, 8)), rng.standard_normal((5, 6)),
                                rng.standard_normal((5, 5))], masks)
        tm.zero_grad()
        m.zero_grad()


def test_mha_key_and_value_must_agree():
    """Mismatched key / value raised deep inside (or not at all); PyTorch's AssertionErrors."""
    m = nn.MultiheadAttention(8, 2)
    with pytest.raises(AssertionError, match=r"key shape \(4, 2, 8\) does not match value shape \(5, 2, 8\)"):
        m(ag.zeros(3, 2, 8), ag.zeros(4, 2, 8), ag.zeros(5, 2, 8))
    m = nn.MultiheadAttention(8, 2, kdim=3, vdim=5)
    with pytest.raises(AssertionError, match=r"key's sequence and batch dims \(4, 2\) do not match value's"):
        m(ag.zeros(3, 2, 8), ag.zeros(4, 2, 3), ag.zeros(5, 2, 5))


# ---------------------------------------------------------------- Transformer layers
def _randomised(tmodule):
    torch.manual_seed(1)
    with torch.no_grad():
        for p in tmodule.parameters():
            p.copy_(torch.randn_like(p) * 0.4)
    return tmodule


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu", "callable"])
def test_transformer_stacks_match_pytorch(norm_first, batch_first, activation):
    rng = np.random.default_rng(5)
    common = dict(dim_feedforward=12, dropout=0.0, batch_first=batch_first, norm_first=norm_first)
    tact = torch.nn.functional.gelu if activation == "callable" else activation
    act = F.gelu if activation == "callable" else activation
    n, S, T = 3, 5, 4
    src = rng.standard_normal((n, S, 8) if batch_first else (S, n, 8))
    tgt = rng.standard_normal((n, T, 8) if batch_first else (T, n, 8))
    kpm = np.zeros((n, S), bool)
    kpm[0, 3:] = kpm[2, 1] = True
    causal = torch.nn.Transformer.generate_square_subsequent_mask(T, dtype=torch.float64).numpy()
    np.testing.assert_array_equal(nn.Transformer.generate_square_subsequent_mask(T, dtype=ag.float64).numpy(),
                                  causal)
    tenc = _randomised(torch.nn.TransformerEncoder(
        torch.nn.TransformerEncoderLayer(8, 2, activation=tact, **common), 2, norm=torch.nn.LayerNorm(8),
        enable_nested_tensor=False))
    layer = nn.TransformerEncoderLayer(8, 2, activation=act, **common, dtype=ag.float64)
    enc = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(8, dtype=ag.float64), enable_nested_tensor=False)
    for masks in ({"src_key_padding_mask": kpm}, {"mask": np.triu(np.ones((S, S), bool), 1)},
                  {"mask": rng.standard_normal((S, S)), "src_key_padding_mask": kpm}):
        _compare(tenc, enc, tenc, enc, [src], masks)
        tenc.zero_grad()
        enc.zero_grad()
    tdec = _randomised(torch.nn.TransformerDecoderLayer(8, 2, activation=tact, **common))
    dec = nn.TransformerDecoderLayer(8, 2, activation=act, **common, dtype=ag.float64)
    _compare(lambda t, m, **k: tdec(t, m, tgt_is_causal=True, **k),
             lambda t, m, **k: dec(t, m, tgt_is_causal=True, **k), tdec, dec, [tgt, src],
             {"tgt_mask": causal, "memory_key_padding_mask": kpm, "memory_mask": rng.random((T, S)) < 0.3})
    tmodel = _randomised(torch.nn.Transformer(8, 2, 2, 1, activation=tact, **common))
    model = nn.Transformer(8, 2, 2, 1, activation=act, **common, dtype=ag.float64)
    _compare(tmodel, model, tmodel, model, [src, tgt],
             {"src_key_padding_mask": kpm, "tgt_mask": causal, "memory_key_padding_mask": kpm})
