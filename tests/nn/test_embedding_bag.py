"""EmbeddingBag / F.embedding_bag: NumPy reference and PyTorch."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F

CASES = [  # input, offsets, include_last_offset, padding_idx
    ([1, 2, 3, 0, 5, 5], [0, 0, 3], False, None),
    ([1, 2, 3, 0, 5], [0, 2, 5], True, 2),
    ([[1, 2, 4], [3, 2, 2]], None, False, 2),
    ([4, 4, 1], [0, 1, 1, 3], True, None),
    ([1, 2, 3, 0, 5, 4, 4], [0, 2, 5], True, None),  # the last bag ends at the input's end, not at 5
]


def _np_bag(w, inp, off, last, pad, mode, psw=None):
    inp = np.asarray(inp)
    if inp.ndim == 2:
        bags = [list(range(i * inp.shape[1], (i + 1) * inp.shape[1])) for i in range(inp.shape[0])]
        inp = inp.reshape(-1)
    else:
        ends = (off[1:-1] if last else off[1:]) + [len(inp)]
        starts = off[:-1] if last else off
        bags = [list(range(s, e)) for s, e in zip(starts, ends)]
    psw = np.ones(len(inp)) if psw is None else np.asarray(psw).reshape(-1)
    out = np.zeros((len(bags), w.shape[1]))
    for b, pos in enumerate(bags):
        pos = [p for p in pos if inp[p] != pad]
        if pos:
            rows = w[inp[pos]] * psw[pos][:, None]
            out[b] = {"sum": rows.sum(0), "mean": rows.mean(0), "max": rows.max(0)}[mode]
    return out


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("case", CASES, ids=str)
def test_embedding_bag_matches_numpy_and_torch(device, mode, case):
    inp, off, last, pad = case
    w = np.random.default_rng(0).standard_normal((6, 3))
    g = np.random.default_rng(1).standard_normal((len(inp) if off is None else len(off) - last, 3))
    a = ag.tensor(w, device=device, requires_grad=True)
    y = F.embedding_bag(ag.tensor(inp, device=device), a,
                        None if off is None else ag.tensor(off, device=device), mode=mode,
                        include_last_offset=last, padding_idx=pad)
    np.testing.assert_allclose(y.detach().cpu().numpy(), _np_bag(w, inp, off, last, pad, mode))
    y.backward(ag.tensor(g, device=device))
    torch = pytest.importorskip("torch")
    t = torch.tensor(w, requires_grad=True)
    yt = torch.nn.functional.embedding_bag(torch.tensor(inp), t, None if off is None else torch.tensor(off),
                                           mode=mode, include_last_offset=last, padding_idx=pad)
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(y.detach().cpu().numpy(), yt.detach().numpy())
    np.testing.assert_allclose(a.grad.cpu().numpy(), t.grad.numpy(), atol=1e-12)


def test_per_sample_weights_and_gradients():
    w = np.random.default_rng(2).standard_normal((5, 4))
    inp, off, psw = [0, 3, 3, 1], [0, 1], np.array([0.5, -1.0, 2.0, 3.0])
    a, p = ag.tensor(w, requires_grad=True), ag.tensor(psw, requires_grad=True)
    y = F.embedding_bag(ag.tensor(inp), a, ag.tensor(off), mode="sum", per_sample_weights=p)
    np.testing.assert_allclose(y.detach().numpy(), _np_bag(w, inp, off, False, None, "sum", psw))
    y.sum().backward()
    np.testing.assert_allclose(p.grad.numpy(), w[inp].sum(1))  # d/dp_i sum = sum of row i
    torch = pytest.importorskip("torch")
    t, tp = torch.tensor(w, requires_grad=True), torch.tensor(psw, requires_grad=True)
    torch.nn.functional.embedding_bag(torch.tensor(inp), t, torch.tensor(off), mode="sum",
                                      per_sample_weights=tp).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy())
    np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy())


def test_module_state_dict_repr_and_errors():
    bag = nn.EmbeddingBag(10, 3, mode="sum", padding_idx=0)
    assert list(bag.state_dict()) == ["weight"] and bag.weight.shape == (10, 3)
    assert np.all(bag.weight.detach().numpy()[0] == 0)
    assert repr(bag) == "EmbeddingBag(10, 3, mode='sum', padding_idx=0)"
    assert bag(ag.tensor([[1, 2], [3, 4]])).shape == (2, 3)
    pre = nn.EmbeddingBag.from_pretrained(ag.ones(4, 2), mode="max")
    assert not pre.weight.requires_grad and pre(ag.tensor([0, 1]), ag.tensor([0])).tolist() == [[1.0, 1.0]]
    w, i = ag.ones(5, 3), ag.tensor([1, 2])
    with pytest.raises(ValueError, match="mode has to be one of"):
        F.embedding_bag(i, w, ag.tensor([0]), mode="x")
    with pytest.raises(ValueError, match="offsets has to be a 1D Tensor"):
        F.embedding_bag(i, w)
    with pytest.raises(ValueError, match="if input is 2D, then offsets has to be None"):
        F.embedding_bag(i.reshape(1, 2), w, ag.tensor([0]))
    with pytest.raises(NotImplementedError, match="only supported for mode='sum'"):
        F.embedding_bag(i, w, ag.tensor([0]), per_sample_weights=ag.ones(2))
    with pytest.raises(RuntimeError, match=r"offsets\[0\] has to be 0"):
        F.embedding_bag(i, w, ag.tensor([1]))
    torch = pytest.importorskip("torch")
    assert repr(torch.nn.EmbeddingBag(10, 3, mode="sum", padding_idx=0)) == repr(bag)
