"""Recurrent layers (RNN, LSTM, GRU) and cells against PyTorch, with identical weights.

Every comparison copies a PyTorch module's ``state_dict`` (as NumPy arrays)
into the xpgrad module with ``load_state_dict``, runs both on the same input
and compares outputs, final states and the gradients of the input, the
initial states and every parameter.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from golden import T, answer
from layer_check import _reference

I, H, L, N = 3, 4, 5, 2  # input size, hidden size, sequence length, batch


def _host(t):
    return t.detach().cpu().numpy()


def _close(got, expected, what, tol=1e-9):
    np.testing.assert_allclose(got, expected, rtol=tol, atol=tol, err_msg=what)


def _load(module, ref, device, dtype):
    module.load_state_dict({k[6:]: ag.tensor(v, dtype=dtype, device=device) for k, v in ref.items()
                            if k.startswith("state.")})


def _inputs(x_shape, state_shape, n_states, dtype, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(x_shape).astype(dtype)
    hs = [rng.standard_normal(state_shape).astype(dtype) for _ in range(n_states)] if state_shape else []
    return rng, x, hs


def _pack(args, hs, n_states):
    return args + ([tuple(hs) if n_states == 2 else hs[0]] if hs else [])


def _flat(o):
    return [o] if not isinstance(o, tuple) else [u for v in o for u in _flat(v)]


def _torch_run(theirs, x_shape, state_shape, n_states, dtype, seed):
    import torch

    ref = {f"state.{k}": v.detach().numpy().copy() for k, v in theirs.state_dict().items()}
    rng, x, hs = _inputs(x_shape, state_shape, n_states, dtype, seed)
    tx, ths = torch.tensor(x, requires_grad=True), [torch.tensor(h, requires_grad=True) for h in hs]
    touts = _flat(theirs(*_pack([tx], ths, n_states)))
    tloss = 0
    for k, t in enumerate(touts):
        ref[f"out{k}"] = t.detach().numpy().copy()
        tloss = tloss + (t * torch.tensor(rng.standard_normal(tuple(t.shape)).astype(dtype))).sum()
    tloss.backward()
    ref["xgrad"] = tx.grad.numpy().copy()
    ref.update({f"hgrad{k}": h.grad.numpy().copy() for k, h in enumerate(ths)})
    ref.update({f"grad.{n}": p.grad.numpy().copy() for n, p in theirs.named_parameters()})
    ref["params"] = np.array([n for n, _ in theirs.named_parameters()])
    return ref


def _compare(ours, theirs, device, x_shape, state_shape=None, n_states=1, dtype=np.float64, tol=1e-9,
             seed=0):
    """Forward, final states and all gradients of ``ours`` vs PyTorch's ``theirs`` (an Expr), whose
    initial weights ours takes.

    ``state_shape``: the shape of each of the ``n_states`` initial states, or None to use the defaults.
    """
    ref = _reference(theirs, f"rnn:{{}}|{x_shape}|{state_shape}|{n_states}|{np.dtype(dtype)}|{seed}",
                     lambda t: _torch_run(t, x_shape, state_shape, n_states, dtype, seed))
    _load(ours, ref, device, None)
    rng, x, hs = _inputs(x_shape, state_shape, n_states, dtype, seed)
    ax = ag.tensor(x, device=device, requires_grad=True)
    ahs = [ag.tensor(h, device=device, requires_grad=True) for h in hs]
    outs = _flat(ours(*_pack([ax], ahs, n_states)))
    assert len(outs) == len([k for k in ref if k.startswith("out")])
    loss = 0
    for k, o in enumerate(outs):
        expected = ref[f"out{k}"]
        assert tuple(o.shape) == expected.shape, f"output {k}: shape {o.shape} vs torch {expected.shape}"
        assert o.device == ag.device(device)
        _close(_host(o), expected, f"output {k}", tol)
        loss = loss + (o * ag.tensor(rng.standard_normal(expected.shape).astype(dtype), device=device)).sum()
    loss.backward()
    _close(_host(ax.grad), ref["xgrad"], "input gradient", tol)
    for k, a in enumerate(ahs):
        _close(_host(a.grad), ref[f"hgrad{k}"], f"gradient of initial state {k}", tol)
    names = [name for name, _ in ours.named_parameters()]
    assert names == ref["params"].tolist(), "parameter names differ from PyTorch's"
    for name, p in ours.named_parameters():
        assert p.grad is not None, f"{name} got no gradient"
        _close(_host(p.grad), ref[f"grad.{name}"], f"gradient of {name}", tol)


# ---------------------------------------------------------------- whole layers vs torch
MODES = {
    "rnn_tanh": ("RNN", {}),
    "rnn_relu": ("RNN", {"nonlinearity": "relu"}),
    "lstm": ("LSTM", {}),
    "gru": ("GRU", {}),
}
CONFIGS = {
    # name: (constructor kwargs, batched input, initial states given, eval mode)
    "default_states": ({}, True, False, False),
    "given_states": ({}, True, True, False),
    "two_layers_bidirectional": ({"num_layers": 2, "bidirectional": True}, True, True, False),
    "batch_first_two_layers": ({"num_layers": 2, "batch_first": True}, True, True, False),
    "no_bias_bidirectional": ({"bias": False, "bidirectional": True}, True, False, False),
    "unbatched": ({"num_layers": 2}, False, True, False),
    "unbatched_default_bidirectional": ({"bidirectional": True}, False, False, False),
    "dropout_eval": ({"num_layers": 2, "dropout": 0.5}, True, True, True),
    "dropout_one_train": ({"num_layers": 2, "dropout": 1.0, "bidirectional": True}, True, False, False),
}


@pytest.mark.parametrize("config", list(CONFIGS))
@pytest.mark.parametrize("mode", list(MODES))
def test_layer_matches_torch(mode, config, device):
    cls_name, mode_kw = MODES[mode]
    kw, batched, with_states, eval_mode = CONFIGS[config]
    kw = {**mode_kw, **kw}
    theirs = getattr(T.nn, cls_name)(I, H, **kw).double()
    ours = getattr(nn, cls_name)(I, H, **kw, dtype=ag.float64, device=device)
    if eval_mode:
        ours.eval()
        theirs = theirs.eval()
    layers = kw.get("num_layers", 1) * (2 if kw.get("bidirectional") else 1)
    if not batched:
        shape, state_shape = (L, I), (layers, H)
    else:
        shape = (N, L, I) if kw.get("batch_first") else (L, N, I)
        state_shape = (layers, N, H)
    n_states = 2 if cls_name == "LSTM" else 1
    _compare(ours, theirs, device, shape, state_shape if with_states else None, n_states)


@pytest.mark.parametrize("cls_name", ["LSTM", "GRU", "RNN"])
def test_float32_matches_torch(cls_name, device):
    theirs = getattr(T.nn, cls_name)(I, H, num_layers=2)
    ours = getattr(nn, cls_name)(I, H, num_layers=2, device=device)
    _compare(ours, theirs, device, (L, N, I), (2, N, H), 2 if cls_name == "LSTM" else 1, dtype=np.float32,
             tol=2e-5)


def test_sequence_of_length_one(device):
    theirs = T.nn.LSTM(I, H, bidirectional=True).double()
    ours = nn.LSTM(I, H, bidirectional=True, dtype=ag.float64, device=device)
    _compare(ours, theirs, device, (1, N, I), (2, N, H), 2)


# ---------------------------------------------------------------- cells vs torch
CELLS = {
    "rnn_tanh": ("RNNCell", {}, 1),
    "rnn_relu": ("RNNCell", {"nonlinearity": "relu"}, 1),
    "lstm": ("LSTMCell", {}, 2),
    "gru": ("GRUCell", {}, 3),
}
CELL_CONFIGS = {
    "batched_states": ({}, True, True),
    "batched_default": ({}, True, False),
    "unbatched_states": ({}, False, True),
    "unbatched_default_no_bias": ({"bias": False}, False, False),
}


@pytest.mark.parametrize("config", list(CELL_CONFIGS))
@pytest.mark.parametrize("cell", list(CELLS))
def test_cell_matches_torch(cell, config, device):
    cls_name, mode_kw, _ = CELLS[cell]
    kw, batched, with_states = CELL_CONFIGS[config]
    theirs = getattr(T.nn, cls_name)(I, H, **mode_kw, **kw).double()
    ours = getattr(nn, cls_name)(I, H, **mode_kw, **kw, dtype=ag.float64, device=device)
    state_shape = ((N, H) if batched else (H,)) if with_states else None
    n_states = 2 if cls_name == "LSTMCell" else 1
    _compare(ours, theirs, device, (N, I) if batched else (I,), state_shape, n_states)


# ---------------------------------------------------------------- gradients by finite differences
@pytest.mark.parametrize("mode", ["lstm", "gru", "rnn_tanh"])
def test_gradcheck_functional(mode, device):
    rng = np.random.default_rng(4)
    gates = {"lstm": 4, "gru": 3, "rnn_tanh": 1}[mode]
    h = 2
    t = lambda *shape: ag.tensor(rng.uniform(-1, 1, shape), dtype=ag.float64, device=device,
                                 requires_grad=True)
    x = t(3, 1, 2)
    params = [t(gates * h, 2), t(gates * h, h), t(gates * h), t(gates * h)]
    params += [t(gates * h, 2), t(gates * h, h), t(gates * h), t(gates * h)]  # reverse direction
    h0 = t(2, 1, h)
    fn = getattr(F, mode)
    if mode == "lstm":
        c0 = t(2, 1, h)
        f = lambda x, h0, c0, *p: fn(x, (h0, c0), list(p), True, 1, 0.0, False, True, False)
        assert ag.gradcheck(f, (x, h0, c0, *params))
    else:
        f = lambda x, h0, *p: fn(x, h0, list(p), True, 1, 0.0, False, True, False)
        assert ag.gradcheck(f, (x, h0, *params))


@pytest.mark.parametrize("mode", ["lstm", "gru"])
def test_gradgradcheck_functional(mode, device):
    """Double backward through a whole (tiny) sequence: the fused cells' backward is differentiable."""
    rng = np.random.default_rng(5)
    gates = 4 if mode == "lstm" else 3
    t = lambda *shape: ag.tensor(rng.uniform(-1, 1, shape), dtype=ag.float64, device=device,
                                 requires_grad=True)
    x, w_ih, w_hh, b = t(2, 1, 1), t(gates, 1), t(gates, 1), t(gates)
    h0 = t(1, 1, 1)
    if mode == "lstm":
        c0 = t(1, 1, 1)
        f = lambda x, h0, c0, w_ih, w_hh: F.lstm(x, (h0, c0), [w_ih, w_hh, b, b], True, 1, 0.0, False,
                                                 False, False)
        assert ag.gradgradcheck(f, (x, h0, c0, w_ih, w_hh))
    else:
        f = lambda x, h0, w_ih, w_hh: F.gru(x, h0, [w_ih, w_hh, b, b], True, 1, 0.0, False, False, False)
        assert ag.gradgradcheck(f, (x, h0, w_ih, w_hh))


@pytest.mark.parametrize("cls_name", ["LSTM", "GRU"])
def test_gradient_penalty_matches_torch(cls_name, device):
    """Double backward through a bidirectional layer: d/dparams of |d loss / d input|^2, as PyTorch."""
    theirs = getattr(T.nn, cls_name)(I, H, bidirectional=True).double()
    ours = getattr(nn, cls_name)(I, H, bidirectional=True, dtype=ag.float64, device=device)
    x = np.random.default_rng(6).standard_normal((3, N, I))

    def penalty():
        import torch

        ref = {f"state.{k}": v.detach().numpy().copy() for k, v in theirs.obj.state_dict().items()}
        tx = torch.tensor(x, requires_grad=True)
        (tg,) = torch.autograd.grad((theirs.obj(tx)[0] ** 2).sum(), tx, create_graph=True)
        (tg * tg).sum().backward()
        ref.update(g=tg.detach().numpy(), xgrad=tx.grad.numpy())
        ref.update({f"grad.{n}": p.grad.numpy().copy() for n, p in theirs.obj.named_parameters()})
        return ref
    ref = answer(f"penalty {theirs.key}", penalty)
    _load(ours, ref, device, ag.float64)
    ax = ag.tensor(x, device=device, requires_grad=True)
    (g,) = ag.grad((ours(ax)[0] ** 2).sum(), ax, create_graph=True)
    _close(_host(g), ref["g"], "first gradient")
    (g * g).sum().backward()
    _close(_host(ax.grad), ref["xgrad"], "second-order gradient of the input")
    for name, p in ours.named_parameters():
        _close(_host(p.grad), ref[f"grad.{name}"], f"second-order gradient of {name}")


# ---------------------------------------------------------------- module conventions
def test_state_dict_keys_and_shapes_match_torch():
    for cls_name, gates in (("LSTM", 4), ("GRU", 3), ("RNN", 1)):
        theirs = getattr(T.nn, cls_name)(I, H, num_layers=2, bidirectional=True)
        ours = getattr(nn, cls_name)(I, H, num_layers=2, bidirectional=True)
        tsd = answer(f"state_dict {theirs.key}",
                     lambda: {k: v.numpy() for k, v in theirs.obj.state_dict().items()})
        sd = ours.state_dict()
        assert list(sd) == list(tsd)
        for k in sd:
            assert tuple(sd[k].shape) == tuple(tsd[k].shape), k
        assert tuple(ours.weight_hh_l1_reverse.shape) == (gates * H, H)
    assert list(nn.LSTM(I, H, bias=False).state_dict()) == ["weight_ih_l0", "weight_hh_l0"]
    assert list(nn.GRUCell(I, H).state_dict()) == ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]


def test_default_init_is_uniform_in_bound():
    ag.manual_seed(0)
    hidden = 16
    for m in (nn.LSTM(8, hidden, num_layers=2), nn.GRUCell(8, hidden), nn.RNN(8, hidden)):
        bound = 1 / math.sqrt(hidden)
        for name, p in m.named_parameters():
            v = _host(p)
            assert v.dtype == np.float32
            assert np.all(np.abs(v) <= bound), name
            assert v.std() > bound / 4, f"{name} does not look uniformly drawn"


def test_repr_matches_torch():
    for args, kw in [((10, 20), {}), ((10, 20, 2), {"batch_first": True, "dropout": 0.5}),
                     ((3, 4), {"bias": False, "bidirectional": True})]:
        for cls_name in ("LSTM", "GRU", "RNN"):
            assert repr(getattr(nn, cls_name)(*args, **kw)) == repr(getattr(T.nn, cls_name)(*args, **kw))
    assert repr(nn.RNNCell(3, 4, nonlinearity="relu")) == repr(T.nn.RNNCell(3, 4, nonlinearity="relu"))
    assert repr(nn.LSTMCell(3, 4, bias=False)) == repr(T.nn.LSTMCell(3, 4, bias=False))


def test_dropout_in_training_changes_the_output():
    ag.manual_seed(0)
    m = nn.GRU(I, H, num_layers=2, dropout=0.5)
    x = ag.randn(L, N, I)
    train_out, _ = m(x)
    m.eval()
    eval_out, _ = m(x)
    again, _ = m(x)
    assert not np.allclose(_host(train_out), _host(eval_out))
    np.testing.assert_array_equal(_host(eval_out), _host(again))


def test_no_grad_forward_records_nothing(device):
    m = nn.LSTM(I, H, device=device)
    with ag.no_grad():
        out, (h, c) = m(ag.randn(L, N, I, device=device))
    assert not out.requires_grad and out.grad_fn is None and not h.requires_grad


def test_parameters_learn_with_backward(device):
    m = nn.LSTM(I, H, num_layers=2, bidirectional=True, device=device)
    out, (h, c) = m(ag.randn(L, N, I, device=device))
    (out.sum() + c.sum()).backward()
    for name, p in m.named_parameters():
        assert p.grad is not None and tuple(p.grad.shape) == tuple(p.shape), name


# ---------------------------------------------------------------- errors
def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="nonlinearity"):
        nn.RNN(I, H, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="nonlinearity"):
        nn.RNNCell(I, H, nonlinearity="gelu")
    with pytest.raises(ValueError, match="dropout"):
        nn.LSTM(I, H, dropout=1.5)
    with pytest.raises(ValueError, match="hidden_size"):
        nn.GRU(I, 0)
    with pytest.raises(TypeError, match="num_layers"):
        nn.GRU(I, H, num_layers=1.5)
    with pytest.warns(UserWarning, match="num_layers greater than 1"):
        nn.LSTM(I, H, dropout=0.2)


def test_bad_inputs_raise():
    m = nn.LSTM(I, H, num_layers=2)
    with pytest.raises(ValueError, match="2D or 3D"):
        m(ag.randn(1, L, N, I))
    with pytest.raises(RuntimeError, match="input_size"):
        m(ag.randn(L, N, I + 1))
    with pytest.raises(RuntimeError, match=r"Expected hidden\[0\] size \(2, 2, 4\), got \[1, 2, 4\]"):
        m(ag.randn(L, N, I), (ag.zeros(1, N, H), ag.zeros(2, N, H)))
    with pytest.raises(RuntimeError, match="hx should also be 3-D"):
        m(ag.randn(L, N, I), (ag.zeros(2, H), ag.zeros(2, H)))
    with pytest.raises(TypeError, match="tuple"):
        m(ag.randn(L, N, I), ag.zeros(2, N, H))
    with pytest.raises(RuntimeError, match="sequence length"):
        m(ag.randn(0, N, I))
    with pytest.raises(ValueError, match="1D or 2D"):
        nn.GRUCell(I, H)(ag.randn(1, N, I))
    with pytest.raises(RuntimeError, match="hidden state"):
        nn.GRUCell(I, H)(ag.randn(N, I), ag.zeros(N + 1, H))
    with pytest.raises(RuntimeError, match="fused_lstm_cell"):
        ag.ops.fused.fused_lstm_cell(ag.zeros(2, 8), ag.zeros(2, 8), ag.zeros(2, 3))
    with pytest.raises(RuntimeError, match="fused_lstm_layer"):
        ag.ops.fused.fused_lstm_layer(ag.zeros(3, 2, 8), ag.zeros(8, 2), ag.zeros(2, 2), ag.zeros(1, 2))
    with pytest.raises(RuntimeError, match="fused_lstm_layer"):
        ag.ops.fused.fused_lstm_layer(ag.zeros(0, 2, 8), ag.zeros(8, 2), ag.zeros(2, 2), ag.zeros(2, 2))
    with pytest.raises(RuntimeError, match="fused_gru_layer"):
        ag.ops.fused.fused_gru_layer(ag.zeros(3, 2, 6), ag.zeros(6, 2), ag.zeros(5), ag.zeros(2, 2))
