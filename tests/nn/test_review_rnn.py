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
