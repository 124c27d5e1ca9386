"""An adversarial review of the recurrent layers and the embeddings against PyTorch 2.13: the module's
state_dict loaded from PyTorch's, the same float64 inputs, outputs and every gradient compared."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F

torch = pytest.importorskip("torch")

RTOL = 1e-9


def _close(got, expected, what):
    got = got.detach().cpu().numpy() if isinstance(got, ag.Tensor) else got
    np.testing.assert_allclose(got, expected.detach().numpy(), rtol=RTOL, atol=1e-12, err_msg=what)


def _load(module, tmodule):
    module.load_state_dict({k: v.detach().numpy().copy() for k, v in tmodule.state_dict().items()})


# ---------------------------------------------------------------- embeddings
@pytest.mark.parametrize("padding_idx", [None, 0])
@pytest.mark.parametrize("max_norm", [None, 1.5])
def test_embedding_scale_grad_by_freq_divides_by_the_counts(padding_idx, max_norm):
    """PyTorch divides each row's gradient by how often its index occurs; it was ignored."""
    kw = dict(padding_idx=padding_idx, max_norm=max_norm, scale_grad_by_freq=True)
    tm = torch.nn.Embedding(6, 3, **kw).double()
    m = nn.Embedding(6, 3, **kw, dtype=ag.float64)
    _load(m, tm)
    idx = np.array([[1, 1, 0, 4], [4, 1, 0, 3]])
    g = np.random.default_rng(0).standard_normal((2, 4, 3))
    (tm(torch.tensor(idx)) * torch.tensor(g)).sum().backward()
    out = m(ag.tensor(idx))
    (out * ag.tensor(g)).sum().backward()
    _close(out, tm(torch.tensor(idx)), "output")
    _close(m.weight, tm.weight, "renormalised weight")
    _close(m.weight.grad, tm.weight.grad, "weight gradient")


@pytest.mark.parametrize("mode", ["sum", "mean"])
def test_embedding_bag_scale_grad_by_freq(mode):
    """EmbeddingBag's scale_grad_by_freq was ignored too. The reference is the documented rule
    (PyTorch's embedding with scale_grad_by_freq, reduced per bag): PyTorch 2.13's dense CPU
    embedding_bag kernel divides the k-th distinct index by the count of the k-th smallest index
    (counts[indices_data[i]] with i the group number), a bug this does not copy."""
    rng = np.random.default_rng(1)
    w0 = rng.standard_normal((10, 3))
    idx, off = np.array([1, 2, 2, 4, 5, 2, 7, 9, 2, 1]), [0, 2, 2, 5]
    psw = rng.standard_normal(10) if mode == "sum" else None
    tw = torch.tensor(w0, requires_grad=True)
    rows = torch.nn.functional.embedding(torch.tensor(idx), tw, padding_idx=9, scale_grad_by_freq=True)
    if psw is not None:
        rows = rows * torch.tensor(psw)[:, None]
    bags = [rows[a:b] for a, b in zip(off, off[1:] + [len(idx)])]
    keep = [torch.tensor(idx[a:b] != 9) for a, b in zip(off, off[1:] + [len(idx)])]
    reduce = (lambda r, k: r.sum(0)) if mode == "sum" else (lambda r, k: r.sum(0) / max(int(k.sum()), 1))
    expected = torch.stack([reduce(r[k], k) for r, k in zip(bags, keep)])
    g = rng.standard_normal(expected.shape)
    (expected * torch.tensor(g)).sum().backward()
    w = ag.tensor(w0, requires_grad=True)
    out = F.embedding_bag(ag.tensor(idx), w, ag.tensor(off), mode=mode, scale_grad_by_freq=True,
                          padding_idx=9, per_sample_weights=None if psw is None else ag.tensor(psw))
    (out * ag.tensor(g)).sum().backward()
    _close(out, expected, "output")
    _close(w.grad, tw.grad, "weight gradient")


def test_embedding_bag_max_refuses_scale_grad_by_freq():
    with pytest.raises(ValueError, match="max mode does not support scaling"):
        nn.EmbeddingBag(5, 2, mode="max", scale_grad_by_freq=True)(ag.tensor([[1, 2]]))


# ---------------------------------------------------------------- LSTM proj_size
def _flat(out):
    return [y for x in out for y in _flat(x)] if isinstance(out, (tuple, list)) else [out]


def _run_both(tm, m, x, hx, tmodule=None, module=None):
    """Outputs and gradients (of the parameters and the float inputs) of PyTorch's and our module."""
    rng = np.random.default_rng(2)
    tx = torch.tensor(x, requires_grad=True)
    xx = ag.tensor(x, requires_grad=True)
    th = None if hx is None else tuple(torch.tensor(h, requires_grad=True) for h in hx)
    xh = None if hx is None else tuple(ag.tensor(h, requires_grad=True) for h in hx)
    single = th is not None and len(th) == 1
    tout = tm(tx, th[0] if single else th)
    out = m(xx, xh[0] if single else xh)
    touts, outs = _flat(tout), _flat(out)
    tloss, loss = 0, 0
    for a, b in zip(touts, outs):
        _close(b, a, "output")
        g = rng.standard_normal(tuple(a.shape))
        tloss = tloss + (a * torch.tensor(g)).sum()
        loss = loss + (b * ag.tensor(g)).sum()
    tloss.backward()
    loss.backward()
    tmodule, module = tmodule or tm, module or m
    for (name, tp), (name2, p) in zip(tmodule.named_parameters(), module.named_parameters()):
        assert name == name2
        _close(p.grad, tp.grad, name)
    _close(xx.grad, tx.grad, "input")
    for a, b in zip(th or (), xh or ()):
        _close(b.grad, a.grad, "initial state")


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("given", [False, True])
def test_lstm_proj_size_matches_pytorch(bidirectional, batch_first, given):
    """proj_size raised NotImplementedError; it is PyTorch's weight_hr_l{k} projection of h."""
    kw = dict(num_layers=2, bidirectional=bidirectional, batch_first=batch_first, proj_size=2)
    tm = torch.nn.LSTM(3, 5, **kw).double()
    m = nn.LSTM(3, 5, **kw, dtype=ag.float64)
    assert list(m.state_dict()) == list(tm.state_dict())  # weight_hr_l0 after the biases, as PyTorch
    _load(m, tm)
    d = 2 if bidirectional else 1
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 3, 3))
    hx = (rng.standard_normal((2 * d, 4 if batch_first else 3, 2)),
          rng.standard_normal((2 * d, 4 if batch_first else 3, 5))) if given else None
    _run_both(tm, m, x, hx)
    _run_both(tm, m, x[0], None if hx is None else tuple(h[:, 0] for h in hx))  # unbatched


def test_lstm_proj_size_packed_and_errors():
    tm = torch.nn.LSTM(3, 5, proj_size=2, bidirectional=True).double()
    m = nn.LSTM(3, 5, proj_size=2, bidirectional=True, dtype=ag.float64)
    _load(m, tm)
    x = np.random.default_rng(4).standard_normal((4, 3, 3))
    tp = torch.nn.utils.rnn.pack_padded_sequence(torch.tensor(x), [2, 4, 1], enforce_sorted=False)
    p = nn.utils.rnn.pack_padded_sequence(ag.tensor(x), [2, 4, 1], enforce_sorted=False)
    (tout, (th, tc)), (out, (h, c)) = tm(tp), m(p)
    _close(out.data, tout.data, "packed output")
    _close(h, th, "h_n")
    _close(c, tc, "c_n")
    assert "proj_size=2" in repr(m)
    with pytest.raises(ValueError, match="smaller than hidden_size"):
        nn.LSTM(3, 5, proj_size=5)
    with pytest.raises(ValueError, match="positive integer or zero"):
        nn.LSTM(3, 5, proj_size=-1)
    with pytest.raises(RuntimeError, match=r"Expected hidden\[0\] size \(2, 3, 2\), got \[2, 3, 5\]"):
        m(ag.tensor(x), (ag.zeros(2, 3, 5), ag.zeros(2, 3, 5)))


def test_rnn_input_dtype_must_match_the_weights():
    """A float32 input to a float64 LSTM failed inside with a matmul dtype error; PyTorch's ValueError."""
    m = nn.LSTM(3, 4, dtype=ag.float64)
    with pytest.raises(ValueError, match=r"input dtype \(float32\) does not match weight dtype \(float64\)"):
        m(ag.zeros(2, 1, 3, dtype=ag.float32))


# ---------------------------------------------------------------- regression sweeps (agreed already)
_LAYERS = [("RNN", {"nonlinearity": "tanh"}), ("RNN", {"nonlinearity": "relu"}), ("GRU", {}), ("LSTM", {})]


@pytest.mark.parametrize("cls, extra", _LAYERS)
@pytest.mark.parametrize("batch_first, bias", [(False, True), (True, False)])
def test_recurrent_layers_match_pytorch(cls, extra, batch_first, bias):
    """Two bidirectional layers: outputs, h_n (and c_n) in PyTorch's layer-major, forward-first order,
    and every gradient, with and without initial states, batched and unbatched, train and eval."""
    kw = dict(extra, num_layers=2, bidirectional=True, batch_first=batch_first, bias=bias)
    tm = getattr(torch.nn, cls)(3, 4, **kw).double()
    m = getattr(nn, cls)(3, 4, **kw, dtype=ag.float64)
    _load(m, tm)
    rng = np.random.default_rng(5)
    x = rng.standard_normal((3, 5, 3))  # (N, L) or (L, N): both orders are exercised
    states = [rng.standard_normal((4, 3 if batch_first else 5, 4)) for _ in range(2 if cls == "LSTM" else 1)]
    for train in (True, False):
        tm.train(train)
        m.train(train)
        for hx in (None, states):
            _run_both(tm, m, x, hx)
            _run_both(tm, m, x[0], None if hx is None else [h[:, 0] for h in hx])
            tm.zero_grad()
            m.zero_grad()


@pytest.mark.parametrize("cls, extra", _LAYERS[1:])
def test_packed_sequences_match_pytorch(cls, extra):
    """pack_padded_sequence (unsorted lengths, enforce_sorted=False), the layer, pad_packed_sequence
    with total_length: outputs, final states in the caller's order, gradients."""
    kw = dict(extra, num_layers=2, bidirectional=True, batch_first=True)
    tm = getattr(torch.nn, cls)(3, 4, **kw).double()
    m = getattr(nn, cls)(3, 4, **kw, dtype=ag.float64)
    _load(m, tm)
    rng = np.random.default_rng(6)
    x = rng.standard_normal((5, 6, 3))
    lengths = [2, 6, 3, 6, 1]
    states = [rng.standard_normal((4, 5, 4)) for _ in range(2 if cls == "LSTM" else 1)]

    class Packed:
        def __init__(self, module, lib):
            self.module, self.lib = module, lib

        def __call__(self, x, hx):
            p = self.lib.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
            out, h = self.module(p, hx)
            padded, _ = self.lib.pad_packed_sequence(out, batch_first=True, padding_value=-1.0,
                                                     total_length=8)
            return padded, out.data, h

        def named_parameters(self):
            return self.module.named_parameters()

    for hx in (None, states):
        _run_both(Packed(tm, torch.nn.utils.rnn), Packed(m, nn.utils.rnn), x, hx)
        tm.zero_grad()
        m.zero_grad()
    seqs = [rng.standard_normal((k, 3)) for k in (2, 4, 1)]
    tp = torch.nn.utils.rnn.pack_sequence([torch.tensor(s) for s in seqs], enforce_sorted=False)
    p = nn.utils.rnn.pack_sequence([ag.tensor(s) for s in seqs], enforce_sorted=False)
    _close(p.data, tp.data, "pack_sequence")
    assert p.batch_sizes.tolist() == tp.batch_sizes.tolist()
    assert p.sorted_indices.tolist() == tp.sorted_indices.tolist()


@pytest.mark.parametrize("cls, extra", [("RNNCell", {"nonlinearity": "relu"}), ("GRUCell", {}),
                                        ("LSTMCell", {})])
def test_cells_match_pytorch(cls, extra):
    rng = np.random.default_rng(7)
    for bias in (True, False):
        tm = getattr(torch.nn, cls)(3, 4, bias=bias, **extra).double()
        m = getattr(nn, cls)(3, 4, bias=bias, **extra, dtype=ag.float64)
        _load(m, tm)
        for batch in ((2,), ()):
            x = rng.standard_normal(batch + (3,))
            hx = [rng.standard_normal(batch + (4,)) for _ in range(2 if cls == "LSTMCell" else 1)]
            for h in (None, hx):
                _run_both(lambda x, h: (tm(x, h),), lambda x, h: (m(x, h),), x, h, tm, m)
                tm.zero_grad()
                m.zero_grad()


def test_projection_and_frequency_scaling_on_every_device(device):
    """The new paths (LSTM proj_size, scale_grad_by_freq) run on each device with the cpu's values."""
    rng = np.random.default_rng(8)
    x = rng.standard_normal((4, 2, 3))
    results = []
    for dev in ("cpu", device):
        ag.manual_seed(0)
        m = nn.LSTM(3, 5, proj_size=2, num_layers=2, dtype=ag.float64).to(dev)
        e = nn.Embedding(6, 3, scale_grad_by_freq=True, padding_idx=0, dtype=ag.float64).to(dev)
        out, (h, c) = m(ag.tensor(x, device=dev))
        emb = e(ag.tensor([[1, 1, 0], [2, 1, 0]], device=dev))
        (out.sum() + h.sum() + c.sum() + emb.sum()).backward()
        got = (out, h, c, emb, m.weight_hr_l1.grad, e.weight.grad)
        results.append([t.detach().cpu().numpy() for t in got])
    for a, b in zip(*results):
        np.testing.assert_allclose(b, a, rtol=1e-12)
