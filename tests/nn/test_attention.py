"""``F.scaled_dot_product_attention``: what the op table does not cover (dropout, saved memory, GQA,
float32 against PyTorch, errors) and ``nn.MultiheadAttention`` against a NumPy reference and PyTorch."""
from __future__ import annotations

import numpy as np
import pytest
from call_check import compare_call
from golden import T

import autograd as ag
import nn
import nn.functional as F
from autograd.function import SAVED_ARRAY, SAVED_INPUT
from autograd.gradcheck import gradcheck

RNG = np.random.default_rng(0)


@pytest.fixture(autouse=True)
def _fresh_rng():
    """Each test draws its inputs from its own generator (the recorded answers depend on them)."""
    global RNG
    RNG = np.random.default_rng(0)


def _t(shape, device, dtype=ag.float64, grad=True):
    return ag.tensor(RNG.standard_normal(shape), dtype=dtype, device=device, requires_grad=grad)


def test_sdpa_dropout_backward_uses_the_forward_mask(device):
    q, k, v = _t((2, 3, 4), device), _t((2, 5, 4), device), _t((2, 5, 2), device)

    def fn(q, k, v):
        ag.manual_seed(3)  # the same keep-mask on every call: gradcheck then checks backward against it
        return F.scaled_dot_product_attention(q, k, v, dropout_p=0.4)

    assert gradcheck(fn, (q, k, v))
    out = fn(q, k, v)
    plain = F.scaled_dot_product_attention(q, k, v)
    assert not np.allclose(out.detach().cpu().numpy(), plain.detach().cpu().numpy())


def test_sdpa_dropout_keeps_expectation(device):
    q, k = ag.zeros(1, 1, 2, device=device), ag.zeros(1, 64, 2, device=device)
    v = ag.ones(1, 64, 1, device=device)
    ag.manual_seed(0)
    out = F.scaled_dot_product_attention(q.expand(1, 4000, 2), k, v, dropout_p=0.5)
    assert abs(float(out.mean()) - 1.0) < 0.05  # inverted dropout: kept weights are scaled by 2


def test_sdpa_saves_only_inputs_probabilities_and_keep_mask(device):
    q, k, v = _t((2, 3, 4), device), _t((2, 5, 4), device), _t((2, 5, 6), device)
    for p, extra in ((0.0, 1), (0.3, 2)):
        out = F.scaled_dot_product_attention(q, k, v, dropout_p=p)
        saved = [r for r in out.grad_fn._saved if r.__class__ is tuple]  # records (kind, value, ...)
        arrays = [value for kind, value, *_ in saved if kind == SAVED_ARRAY and value is not None]
        assert sum(kind == SAVED_INPUT for kind, *_ in saved) == 3  # q, k, v: the inputs themselves
        assert len(arrays) == extra
        assert tuple(arrays[0].shape) == (2, 3, 5)  # P, nothing larger
        if p:
            assert arrays[1].dtype == bool  # the keep-mask, one byte per weight


def test_sdpa_fully_masked_rows_give_zeros(device):
    q, k, v = _t((1, 3, 2), device), _t((1, 4, 2), device), _t((1, 4, 2), device)
    mask = np.ones((3, 4), bool)
    mask[1] = False
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=ag.tensor(mask, device=device))
    assert np.all(out.detach().cpu().numpy()[0, 1] == 0)
    out.sum().backward()
    assert np.all(np.isfinite(q.grad.cpu().numpy())) and np.all(q.grad.cpu().numpy()[0, 1] == 0)


def test_sdpa_gqa_repeats_key_heads(device):
    q, k, v = _t((1, 4, 3, 2), device), _t((1, 2, 5, 2), device), _t((1, 2, 5, 3), device)
    out = F.scaled_dot_product_attention(q, k, v, enable_gqa=True)
    rep = [t.detach().cpu().numpy().repeat(2, axis=1) for t in (k, v)]
    expected = F.scaled_dot_product_attention(q.detach(), ag.tensor(rep[0], device=device),
                                              ag.tensor(rep[1], device=device))
    np.testing.assert_allclose(out.detach().cpu().numpy(), expected.cpu().numpy(), rtol=1e-12)


@pytest.mark.parametrize("kw", [{}, {"is_causal": True}, {"enable_gqa": True}], ids=str)
def test_sdpa_float32_matches_torch(device, kw):
    arrays = [RNG.standard_normal(s).astype(np.float32) for s in ((2, 4, 5, 8), (2, 2 if kw else 4, 6, 8),
                                                                   (2, 2 if kw else 4, 6, 3))]
    if not kw.get("enable_gqa"):
        arrays[1], arrays[2] = arrays[1].repeat(4 // arrays[1].shape[1], 1), arrays[2].repeat(
            4 // arrays[2].shape[1], 1)
    compare_call(F.scaled_dot_product_attention, T.nn.functional.scaled_dot_product_attention, arrays, device,
                 kw)
    out = F.scaled_dot_product_attention(*[ag.tensor(a, device=device) for a in arrays], **kw)
    assert out.dtype == ag.float32


def test_sdpa_errors():
    q = ag.randn(2, 3, 4)
    with pytest.raises(RuntimeError, match="is_causal"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=ag.ones(3, 3, dtype=ag.bool), is_causal=True)
    with pytest.raises(RuntimeError, match="same floating point dtype"):
        F.scaled_dot_product_attention(q, q.double(), q)
    with pytest.raises(RuntimeError, match="key"):
        F.scaled_dot_product_attention(q, ag.randn(2, 3, 5), q)
    with pytest.raises(RuntimeError, match="attn_mask dtype"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=ag.zeros(3, 3, dtype=ag.int64))
    with pytest.raises(ValueError, match="dropout_p"):
        F.scaled_dot_product_attention(q, q, q, dropout_p=1.5)
    with pytest.raises(TypeError, match="query"):
        F.scaled_dot_product_attention(q.numpy(), q, q)


# ---------------------------------------------------------------- MultiheadAttention
def _mha_ref(x, w_in, b_in, w_out, b_out, heads, kpm=None):
    """Self-attention over ``x`` ``(L, N, E)`` in NumPy; returns the output and head-averaged weights."""
    length, n, e = x.shape
    q, k, v = np.split(x @ w_in.T + b_in, 3, axis=-1)
    split = [t.reshape(length, n * heads, e // heads).transpose(1, 0, 2) for t in (q, k, v)]
    s = split[0] @ split[1].transpose(0, 2, 1) / np.sqrt(e // heads)
    if kpm is not None:
        s = s + np.where(kpm, -np.inf, 0).repeat(heads, 0)[:, None, :]
    w = np.exp(s - s.max(-1, keepdims=True))
    w /= w.sum(-1, keepdims=True)
    out = (w @ split[2]).transpose(1, 0, 2).reshape(length, n, e) @ w_out.T + b_out
    return out, w.reshape(n, heads, length, -1).mean(1)


@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_matches_numpy(device, need_weights):
    mha = nn.MultiheadAttention(6, 3).double().to(device)
    with ag.no_grad():
        mha.in_proj_bias.uniform_(-1, 1)
        mha.out_proj.bias.uniform_(-1, 1)
    x = RNG.standard_normal((4, 2, 6))
    kpm = np.zeros((2, 4), bool)
    kpm[1, 2:] = True
    xt = ag.tensor(x, device=device)
    out, w = mha(xt, xt, xt, key_padding_mask=ag.tensor(kpm, device=device), need_weights=need_weights)
    p = {n: t.detach().cpu().numpy() for n, t in mha.named_parameters()}
    ref, ref_w = _mha_ref(x, p["in_proj_weight"], p["in_proj_bias"], p["out_proj.weight"],
                          p["out_proj.bias"], 3, kpm)
    np.testing.assert_allclose(out.detach().cpu().numpy(), ref, rtol=1e-10, atol=1e-12)
    if need_weights:
        np.testing.assert_allclose(w.detach().cpu().numpy(), ref_w, rtol=1e-10, atol=1e-12)
    else:
        assert w is None


def test_mha_parameters_init_and_repr():
    mha = nn.MultiheadAttention(8, 2)
    assert list(mha.state_dict()) == ["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]
    assert np.all(mha.in_proj_bias.detach().numpy() == 0) and np.all(mha.out_proj.bias.detach().numpy() == 0)
    bound = np.sqrt(6 / (8 + 24))  # xavier_uniform_ over (3E, E)
    assert np.abs(mha.in_proj_weight.detach().numpy()).max() <= bound
    kv = nn.MultiheadAttention(8, 2, kdim=4, vdim=3, bias=False, add_bias_kv=True)
    assert list(kv.state_dict()) == ["q_proj_weight", "k_proj_weight", "v_proj_weight", "bias_k", "bias_v",
                                     "out_proj.weight"]
    assert repr(mha) == ("MultiheadAttention(\n  (out_proj): NonDynamicallyQuantizableLinear(in_features=8, "
                         "out_features=8, bias=True)\n)")
    with pytest.raises(AssertionError, match="divisible"):
        nn.MultiheadAttention(7, 2)


MHA_CASES = [
    ({}, {}),
    ({"batch_first": True}, {"need_weights": False}),
    ({}, {"average_attn_weights": False, "masks": True}),
    ({"kdim": 5, "vdim": 3, "add_bias_kv": True, "add_zero_attn": True}, {"masks": True}),
    ({"bias": False}, {"need_weights": False, "masks": True}),
    ({}, {"need_weights": False, "causal": True}),
]


@pytest.mark.parametrize("ctor,call", MHA_CASES, ids=str)
def test_mha_matches_torch(device, ctor, call):
    call = dict(call)
    m = nn.MultiheadAttention(8, 2, **ctor).to(device)
    bf = ctor.get("batch_first", False)
    shapes = [(4, 3, 8), (5, 3, ctor.get("kdim", 8)), (5, 3, ctor.get("vdim", 8))]
    if call.pop("causal", False):
        shapes = [shapes[0]] * 3
        mask = np.triu(np.ones((4, 4), bool), 1)
        call.update(attn_mask=mask, is_causal=True)
    arrays = [RNG.standard_normal((s[1], s[0], s[2]) if bf else s).astype(np.float32) for s in shapes]
    if call.pop("masks", False):
        kpm = np.zeros((3, 5), bool)
        kpm[0, 3:] = True
        am = RNG.standard_normal((4, 5)).astype(np.float32)
        call.update(key_padding_mask=kpm, attn_mask=am)
    compare_call(m, T.nn.MultiheadAttention(8, 2, **ctor), arrays, device, call)
