"""Op-table entry for the CTC loss (``autograd/ops/ctc.py``): forward against a NumPy alpha
recursion in probability space, gradcheck and PyTorch on every device. The case takes logits
through ``log_softmax``: PyTorch's CTC gradient (which xpgrad matches) is the derivative with
respect to those logits, not with respect to unnormalised log-probabilities. Its second
derivative is not implemented (as PyTorch's), so no gradgradcheck."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import nn.functional as F

from .spec import OpCase, array, on_device, torch_array, torch_module


@st.composite
def ctc_inputs(draw):
    t, n, c = draw(st.integers(1, 5)), draw(st.integers(1, 3)), draw(st.integers(2, 4))
    blank = draw(st.integers(0, c - 1))
    labels = [k for k in range(c) if k != blank]
    il = tuple(draw(st.integers(0, t)) for _ in range(n))
    tl = tuple(draw(st.integers(0, 3)) for _ in range(n))
    targets = np.array([[draw(st.sampled_from(labels)) for _ in range(3)] for _ in range(n)], dtype=np.int64)
    if draw(st.booleans()):  # concatenated
        targets = np.concatenate([targets[i, :k] for i, k in enumerate(tl)]).astype(np.int64)
    params = {"targets": targets, "input_lengths": il, "target_lengths": tl, "blank": blank,
              "reduction": draw(st.sampled_from(["mean", "sum", "none"])), "zero_infinity": True}
    return (draw(array((t, n, c))),), params


def ctc_fn(x, targets, **kw):
    return F.ctc_loss(x.log_softmax(2), on_device(targets, x), **kw)


def ctc_torch(x, targets, **kw):
    return torch_module().nn.functional.ctc_loss(x.log_softmax(2), torch_array(targets), **kw)


def ctc_ref(x, targets, input_lengths, target_lengths, blank, reduction, zero_infinity):
    p = np.exp(x - x.max(2, keepdims=True))
    p /= p.sum(2, keepdims=True)
    starts = np.cumsum((0,) + target_lengths)
    losses = []
    for n, (frames, k) in enumerate(zip(input_lengths, target_lengths)):
        label = targets[starts[n]:starts[n] + k] if targets.ndim == 1 else targets[n, :k]
        ext = [blank] * (2 * k + 1)
        ext[1::2] = list(label)
        a = np.zeros(2 * k + 1)  # a[s]: the probability of having emitted ext[:s + 1] after frame t
        for t in range(frames):
            new = np.zeros_like(a)
            for s in range(2 * k + 1):
                if t == 0:
                    total = float(s < 2)
                else:
                    total = a[s] + (a[s - 1] if s else 0.0)
                    if s > 1 and ext[s] != ext[s - 2]:
                        total += a[s - 2]
                new[s] = total * p[t, n, ext[s]]
            a = new
        like = (a[-1] + (a[-2] if k else 0.0)) if frames else float(k == 0)
        loss = -np.log(like) if like > 0 else np.inf
        losses.append(0.0 if zero_infinity and loss == np.inf else loss)
    losses = np.array(losses)
    if reduction == "mean":
        return np.array(np.mean(losses / np.maximum(target_lengths, 1)))
    return np.array(losses.sum()) if reduction == "sum" else losses


CASES = [
    OpCase("ctc_loss", ctc_fn, ctc_ref, ctc_inputs(), torch_fn=ctc_torch, gradgrad=False, rtol=1e-9,
           atol=1e-10),
]
