"""nn.utils.prune against torch.nn.utils.prune: masks, iterative pruning, global pruning, the
reparametrized forward and gradient, remove()."""
import numpy as np
import pytest

import autograd as ag
import nn
import nn.utils.prune as prune

torch = pytest.importorskip("torch")
import torch.nn.utils.prune as tprune  # noqa: E402


def _pair():
    theirs = torch.nn.Sequential(torch.nn.Conv2d(3, 6, 3), torch.nn.ReLU(), torch.nn.Flatten(),
                                 torch.nn.Linear(6 * 4 * 4, 5))
    ours = nn.Sequential(nn.Conv2d(3, 6, 3), nn.ReLU(), nn.Flatten(), nn.Linear(6 * 4 * 4, 5))
    ours.load_state_dict({k: ag.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    return ours, theirs


def _eq(a, b):
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def test_iterative_pruning_masks_forward_and_gradients():
    ours, theirs = _pair()
    for lib, m in ((prune, ours), (tprune, theirs)):
        lib.l1_unstructured(m[0], "weight", amount=0.3)
        lib.ln_structured(m[0], "weight", amount=2, n=2, dim=0)  # among the channels still kept
        lib.l1_unstructured(m[0], "weight", amount=5)
        lib.ln_structured(m[3], "weight", amount=0.4, n=float("inf"), dim=1)
        lib.l1_unstructured(m[3], "bias", amount=2)
    for name in ("0.weight_mask", "3.weight_mask", "3.bias_mask"):
        _eq(ours.get_buffer(name), theirs.get_buffer(name))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert len(ours[0]._forward_pre_hooks) == 1 and isinstance(
        next(iter(ours[0]._forward_pre_hooks.values())), prune.PruningContainer)
    x = np.random.default_rng(0).standard_normal((2, 3, 6, 6)).astype(np.float32)
    yo, yt = ours(ag.tensor(x)), theirs(torch.tensor(x))
    np.testing.assert_allclose(yo.detach().numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-6)
    yo.sum().backward()
    yt.sum().backward()
    np.testing.assert_allclose(ours[0].weight_orig.grad.numpy(), theirs[0].weight_orig.grad.numpy(),
                               rtol=1e-5, atol=1e-6)
    assert prune.is_pruned(ours) and tprune.is_pruned(theirs)
    for lib, m in ((prune, ours), (tprune, theirs)):
        lib.remove(m[0], "weight")
    _eq(ours[0].weight, theirs[0].weight)
    assert isinstance(ours[0].weight, nn.Parameter) and sorted(ours[0].state_dict()) == ["bias", "weight"]


def test_global_unstructured_and_custom_mask():
    ours, theirs = _pair()
    for lib, m in ((prune, ours), (tprune, theirs)):
        lib.global_unstructured([(m[0], "weight"), (m[3], "weight")], pruning_method=lib.L1Unstructured,
                                amount=0.5)
        lib.custom_from_mask(m[3], "bias", mask=(ag if lib is prune else torch).tensor([1.0, 0, 1, 0, 1]))
    for name in ("0.weight_mask", "3.weight_mask", "3.bias_mask"):
        _eq(ours.get_buffer(name), theirs.get_buffer(name))
    total = ours[0].weight_mask.numel() + ours[3].weight_mask.numel()
    assert float(ours[0].weight_mask.sum() + ours[3].weight_mask.sum()) == total - round(0.5 * total)


def test_random_pruning_counts_and_errors():
    m = nn.Linear(10, 8)
    prune.random_unstructured(m, "weight", amount=0.25)
    assert int((m.weight_mask == 0).sum()) == 20 and int((m.weight == 0).sum()) >= 20
    prune.random_structured(m, "weight", amount=3, dim=0)
    assert int((m.weight_mask.sum(1) == 0).sum()) >= 3
    prune.identity(m, "bias")
    assert bool((m.bias_mask == 1).all())
    with pytest.raises(ValueError, match="float in the range"):
        prune.l1_unstructured(nn.Linear(2, 2), "weight", amount=1.5)
    with pytest.raises(ValueError, match="smaller than the number of parameters"):
        prune.l1_unstructured(nn.Linear(2, 2), "weight", amount=5)
    with pytest.raises(ValueError, match="multidimensional"):
        prune.ln_structured(nn.Linear(2, 2), "bias", amount=1, n=2, dim=0)
    with pytest.raises(ValueError, match="has to be pruned"):
        prune.remove(nn.Linear(2, 2), "weight")
    lin = nn.Linear(2, 2)
    with pytest.raises(ValueError):
        prune.l1_unstructured(lin, "weight", amount=7)
    assert isinstance(lin.weight, nn.Parameter) and "weight_orig" not in dict(lin.named_parameters())
