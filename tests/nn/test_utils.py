"""nn.utils: gradient clipping and parameter/vector conversion against PyTorch."""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd as ag
import nn

from golden import answer


def _np(t):
    return t.detach().cpu().numpy()


def _values_and_grads(rng, scale=1.0):
    shapes = [(3, 4), (4,), (2, 2, 2)]
    return [(rng.standard_normal(s).astype(np.float32), (rng.standard_normal(s) * scale).astype(np.float32))
            for s in shapes]


def _params_with_grads(device, rng, scale=1.0):
    """Ours, and a function making PyTorch's twins (needs torch), with the same values and grads."""
    vg = _values_and_grads(rng, scale)
    ours = []
    for v, g in vg:
        p = nn.Parameter(ag.tensor(v, device=device))
        p.grad = ag.tensor(g, device=device)
        ours.append(p)

    def theirs():
        import torch

        out = []
        for v, g in vg:
            tp = torch.nn.Parameter(torch.tensor(v))
            tp.grad = torch.tensor(g)
            out.append(tp)
        return out
    return ours, theirs


# -inf is the smallest |g| (it once came out as 1); 0 counts the nonzeros
@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, 0.5, 0.0, math.inf, -math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_clip_grad_norm_matches_torch(device, norm_type, max_norm):
    ours, theirs = _params_with_grads(device, np.random.default_rng(0))
    total = nn.utils.clip_grad_norm_(ours, max_norm, norm_type=norm_type)

    def clipped():
        import torch

        tps = theirs()
        ttotal = torch.nn.utils.clip_grad_norm_(tps, max_norm, norm_type=norm_type)
        return {"total": ttotal.numpy(), **{f"g{i}": tp.grad.numpy() for i, tp in enumerate(tps)}}
    ref = answer(f"clip_grad_norm_ {max_norm} {norm_type}", clipped)
    assert isinstance(total, ag.Tensor) and total.shape == ()
    assert total.item() == pytest.approx(float(ref["total"]), rel=1e-5)
    for i, p in enumerate(ours):
        np.testing.assert_allclose(_np(p.grad), ref[f"g{i}"], rtol=1e-5, atol=1e-7)


def test_clip_grad_norm_edge_cases(device):
    p = nn.Parameter(ag.zeros(2, device=device))
    assert nn.utils.clip_grad_norm_([p], 1.0).item() == 0.0  # no gradients at all
    p.grad = ag.tensor([3.0, 4.0], device=device)
    assert nn.utils.clip_grad_norm_(p, 1.0).item() == pytest.approx(5.0)  # a single tensor
    np.testing.assert_allclose(_np(p.grad), [0.6, 0.8], rtol=1e-5)
    p.grad = ag.tensor([float("nan"), 1.0], device=device)
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)


def test_clip_grad_value_matches_torch(device):
    ours, theirs = _params_with_grads(device, np.random.default_rng(1), scale=3.0)
    nn.utils.clip_grad_value_(ours, 1.5)

    def clipped():
        import torch

        tps = theirs()
        torch.nn.utils.clip_grad_value_(tps, 1.5)
        return {f"g{i}": tp.grad.numpy() for i, tp in enumerate(tps)}
    ref = answer("clip_grad_value_ 1.5", clipped)
    for i, p in enumerate(ours):
        np.testing.assert_array_equal(_np(p.grad), ref[f"g{i}"])


def test_parameters_vector_round_trip(device):
    ours = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).to(device)
    vec = nn.utils.parameters_to_vector(ours.parameters())
    np.testing.assert_array_equal(_np(vec), np.concatenate([_np(p).ravel() for p in ours.parameters()]))
    vec.sum().backward()  # differentiable
    assert np.all(_np(ours[0].weight.grad) == 1)
    new = ag.arange(vec.numel(), dtype=ag.float32, device=device)
    weight = ours[0].weight
    nn.utils.vector_to_parameters(new, ours.parameters())
    assert ours[0].weight is weight
    np.testing.assert_array_equal(_np(nn.utils.parameters_to_vector(ours.parameters())), _np(new))
    with pytest.raises(RuntimeError, match="1-D vector"):
        nn.utils.vector_to_parameters(new[:3], ours.parameters())
