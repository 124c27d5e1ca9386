"""``nn.utils.rnn``: padding and packing, and RNN/LSTM/GRU over packed sequences.

Without PyTorch the references are hand-computed packings and each sequence run
alone through the same layer; with PyTorch, data, batch sizes, indices, outputs,
final states and gradients are compared with ``torch.nn.utils.rnn``.
"""
from __future__ import annotations

import numpy as np
import pytest

from call_check import compare_call
from golden import T

import autograd as ag
import nn
from nn.utils import rnn as R

RNG = np.random.default_rng(0)


@pytest.fixture(autouse=True)
def _fresh_rng():
    """Each test draws its inputs from its own generator."""
    global RNG
    RNG = np.random.default_rng(0)


LENGTHS = [3, 5, 2, 5, 1]


def _np(t):
    return t.detach().cpu().numpy()


def test_pack_and_pad_by_hand(device):
    x = ag.tensor([[1.0, 2.0, 3.0], [4.0, 0.0, 0.0], [5.0, 6.0, 0.0]], device=device)
    packed = R.pack_padded_sequence(x, [3, 1, 2], batch_first=True, enforce_sorted=False)
    assert packed.data.tolist() == [1.0, 5.0, 4.0, 2.0, 6.0, 3.0]
    assert packed.batch_sizes.tolist() == [3, 2, 1] and packed.batch_sizes.device == ag.device("cpu")
    assert packed.sorted_indices.tolist() == [0, 2, 1] and packed.unsorted_indices.tolist() == [0, 2, 1]
    padded, lengths = R.pad_packed_sequence(packed, batch_first=True, padding_value=-1.0, total_length=4)
    assert padded.tolist() == [[1, 2, 3, -1], [4, -1, -1, -1], [5, 6, -1, -1]]
    assert lengths.tolist() == [3, 1, 2] and lengths.dtype == ag.int64
    seqs = R.unpack_sequence(packed)
    assert [s.tolist() for s in seqs] == [[1, 2, 3], [4], [5, 6]]
    left = R.pad_sequence(seqs, batch_first=True, padding_side="left")
    assert left.tolist() == [[1, 2, 3], [0, 0, 4], [0, 5, 6]]
    assert [s.tolist() for s in R.unpad_sequence(R.pad_sequence(seqs), [3, 1, 2])] == [[1, 2, 3], [4], [5, 6]]


def test_pack_gradient_flows_to_valid_steps_only(device):
    x = ag.tensor(RNG.standard_normal((4, 3, 2)), device=device, requires_grad=True)
    packed = R.pack_padded_sequence(x, [4, 2, 1])
    (packed.data * 2).sum().backward()
    expected = np.zeros((4, 3, 2))
    for b, n in enumerate([4, 2, 1]):
        expected[:n, b] = 2
    np.testing.assert_array_equal(x.grad.cpu().numpy(), expected)


def test_packing_errors():
    x = ag.zeros(3, 2)
    with pytest.raises(RuntimeError, match="sorted in decreasing order"):
        R.pack_padded_sequence(x, [1, 3])
    with pytest.raises(RuntimeError, match="greater than 0"):
        R.pack_padded_sequence(x, [3, 0])
    with pytest.raises(RuntimeError, match="batch_size"):
        R.pack_padded_sequence(x, [3, 2, 1])
    with pytest.raises(ValueError, match="total_length"):
        R.pad_packed_sequence(R.pack_padded_sequence(x, [3, 2]), total_length=2)
    with pytest.raises(ValueError, match="padding_side"):
        R.pad_sequence([x], padding_side="middle")


def _states(mode, shape, device):
    h = ag.tensor(RNG.standard_normal(shape), device=device)
    return (h, ag.tensor(RNG.standard_normal(shape), device=device)) if mode is nn.LSTM else h


@pytest.mark.parametrize("cls,kw", [(nn.LSTM, dict(num_layers=2, bidirectional=True)),
                                    (nn.GRU, dict(batch_first=True)), (nn.RNN, dict(bidirectional=True))],
                         ids=["lstm", "gru", "rnn"])
def test_packed_equals_each_sequence_alone(device, cls, kw):
    m = cls(3, 4, **kw).double().to(device)
    m.requires_grad_(False)
    d = 2 if kw.get("bidirectional") else 1
    bf = kw.get("batch_first", False)
    seqs = [ag.tensor(RNG.standard_normal((n, 3)), device=device) for n in LENGTHS]
    hx = _states(cls, (kw.get("num_layers", 1) * d, len(LENGTHS), 4), device)
    out, states = m(R.pack_sequence(seqs, enforce_sorted=False), hx)
    padded, lengths = R.pad_packed_sequence(out, batch_first=bf)
    assert lengths.tolist() == LENGTHS
    for b, s in enumerate(seqs):
        h_b = tuple(h[:, b] for h in hx) if cls is nn.LSTM else hx[:, b]
        alone, st = m(s, h_b)
        got = padded[b] if bf else padded[:, b]
        np.testing.assert_allclose(_np(got[:LENGTHS[b]]), _np(alone), rtol=1e-10, atol=1e-12)
        assert np.all(_np(got[LENGTHS[b]:]) == 0)
        for f, g in zip(states if cls is nn.LSTM else (states,), st if cls is nn.LSTM else (st,)):
            np.testing.assert_allclose(_np(f[:, b]), _np(g), rtol=1e-10, atol=1e-12)


def _packed_call(lengths, bf, sorted_, lstm, rnn_utils, tensor):
    """Run ``m`` on ``x`` packed with ``lengths``; the outputs: padded output, final state(s), packing."""
    def call(m, x):
        p = rnn_utils.pack_padded_sequence(x, tensor(lengths), batch_first=bf, enforce_sorted=sorted_)
        out, st = m(p)
        assert isinstance(out, rnn_utils.PackedSequence)
        padded, _ = rnn_utils.pad_packed_sequence(out, batch_first=bf, total_length=5)
        extra = [p.batch_sizes] + ([] if sorted_ else [p.sorted_indices, p.unsorted_indices])
        return [padded, out.data] + (list(st) if lstm else [st]) + extra
    return call


@pytest.mark.parametrize("cls", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("sorted_", [True, False], ids=["sorted", "unsorted"])
def test_packed_rnn_matches_torch(device, cls, sorted_):
    kw = dict(num_layers=2, bidirectional=True) if cls == "LSTM" else dict(batch_first=True)
    m = getattr(nn, cls)(4, 3, **kw).to(device)
    lengths = sorted(LENGTHS, reverse=True) if sorted_ else LENGTHS
    bf = kw.get("batch_first", False)
    x = np.random.default_rng(5).standard_normal((5, 5, 4)).astype(np.float32)

    def torch_call(*args):
        import torch

        return _packed_call(lengths, bf, sorted_, cls == "LSTM", torch.nn.utils.rnn, torch.tensor)(*args)
    ours = _packed_call(lengths, bf, sorted_, cls == "LSTM", R, ag.tensor)
    compare_call(m, getattr(T.nn, cls)(4, 3, **kw), [x], device, call=ours, tcall=torch_call,
                 label=f"packed lengths={lengths} batch_first={bf} enforce_sorted={sorted_}")


@pytest.mark.parametrize("cls", [nn.GRU, nn.LSTM])
def test_unbatched_input_with_batch_first_is_one_sequence(device, cls):
    """An unbatched ``(L, H_in)`` input is one sequence of L steps, also with ``batch_first``."""
    m = cls(3, 4, batch_first=True).double().to(device)
    x = ag.tensor(RNG.standard_normal((5, 3)), device=device)
    out, st = m(x)
    ref, ref_st = m(x.unsqueeze(0))
    np.testing.assert_allclose(_np(out), _np(ref[0]), rtol=1e-12)
    for s, r in zip(st if cls is nn.LSTM else (st,), ref_st if cls is nn.LSTM else (ref_st,)):
        assert tuple(s.shape) == (1, 4)
        np.testing.assert_allclose(_np(s), _np(r[:, 0]), rtol=1e-12)
