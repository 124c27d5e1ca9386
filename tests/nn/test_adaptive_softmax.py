"""nn.AdaptiveLogSoftmaxWithLoss against PyTorch's (same weights through state_dict, float64)."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn

torch = pytest.importorskip("torch")
# default div_value=4 gives a zero-width hidden layer for the last cluster (torch warns at its init)
pytestmark = pytest.mark.filterwarnings("ignore:Initializing zero-element tensors")


def _pair(cutoffs=(4, 10, 15), **kw):
    ref = torch.nn.AdaptiveLogSoftmaxWithLoss(8, 20, list(cutoffs), dtype=torch.float64, **kw)
    ours = nn.AdaptiveLogSoftmaxWithLoss(8, 20, cutoffs, dtype=ag.float64, **kw)
    assert list(ours.state_dict()) == list(ref.state_dict())
    assert {k: tuple(v.shape) for k, v in ours.state_dict().items()} == \
        {k: tuple(v.shape) for k, v in ref.state_dict().items()}
    ours.load_state_dict(ref.state_dict())
    return ours, ref


@pytest.mark.parametrize("kw", [{}, {"div_value": 2.0, "head_bias": True}], ids=["default", "div2_bias"])
def test_output_loss_and_gradients_equal_torch(kw):
    ours, ref = _pair(**kw)
    assert repr(ours) == repr(ref)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((9, 8))
    y = np.array([0, 5, 19, 3, 12, 11, 4, 15, 9])  # shortlist and every cluster, edges included
    xt, xo = torch.from_numpy(x).requires_grad_(), ag.tensor(x, requires_grad=True)
    rt, ro = ref(xt, torch.from_numpy(y)), ours(xo, ag.tensor(y))
    assert type(ro).__name__ == "_ASMoutput" and ro._fields == ("output", "loss")
    np.testing.assert_allclose(ro.output.detach().numpy(), rt.output.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ro.loss.item(), rt.loss.item(), rtol=1e-12)
    (rt.loss + rt.output[2]).backward()
    (ro.loss + ro.output[2]).backward()
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-13)
    for (k, p), (_, q) in zip(ours.named_parameters(), ref.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-10, atol=1e-13, err_msg=k)


def test_unbatched_shortlist_only_and_log_prob_as_torch():
    ours, ref = _pair(cutoffs=(5,))
    x = np.random.default_rng(1).standard_normal((4, 8))
    for target in (7, 2):
        rt = ref(torch.from_numpy(x[0]), torch.tensor(target))
        ro = ours(ag.tensor(x[0]), ag.tensor(target))
        assert tuple(ro.output.shape) == () and tuple(ro.loss.shape) == ()
        np.testing.assert_allclose(ro.output.item(), rt.output.item(), rtol=1e-12)
    ro = ours(ag.tensor(x), ag.tensor([0, 1, 2, 3]))  # no row in a cluster
    rt = ref(torch.from_numpy(x), torch.tensor([0, 1, 2, 3]))
    np.testing.assert_allclose(ro.output.detach().numpy(), rt.output.detach().numpy(), rtol=1e-12)
    lp = ours.log_prob(ag.tensor(x))
    lt = ref.log_prob(torch.from_numpy(x))
    np.testing.assert_allclose(lp.detach().numpy(), lt.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(np.exp(lp.detach().numpy()).sum(1), 1.0)


def test_predict_as_torch():
    ours, ref = _pair(head_bias=True)
    rng = np.random.default_rng(2)
    with torch.no_grad():  # a head that sends some rows to clusters, some to the shortlist
        ref.head.weight.mul_(6.0)
    ours.load_state_dict(ref.state_dict())
    x = rng.standard_normal((40, 8))
    p = ours.predict(ag.tensor(x)).numpy()
    np.testing.assert_array_equal(p, ref.predict(torch.from_numpy(x)).numpy())
    assert (p < 4).any() and (p >= 4).any()
    # every row's head prediction a cluster; every row's in the shortlist
    for bias in (torch.tensor([-50.0] * 4 + [50.0] * 3), torch.tensor([50.0] * 4 + [-50.0] * 3)):
        with torch.no_grad():
            ref.head.bias.copy_(bias)
        ours.load_state_dict(ref.state_dict())
        expected = ref.predict(torch.from_numpy(x)).numpy()
        np.testing.assert_array_equal(ours.predict(ag.tensor(x)).numpy(), expected)


def test_bad_arguments_raise_as_torch():
    for cutoffs in ([4, 2], [0, 3], [3, 20], [3, 3]):
        with pytest.raises(ValueError, match="cutoffs should be a sequence of unique, positive integers"):
            nn.AdaptiveLogSoftmaxWithLoss(8, 20, cutoffs)
    with pytest.raises(ValueError, match="cutoffs should be a sequence of length larger than 0"):
        nn.AdaptiveLogSoftmaxWithLoss(8, 20, [])
    m = nn.AdaptiveLogSoftmaxWithLoss(8, 20, [4])
    with pytest.raises(RuntimeError, match=r"Target values should be in \[0, 19\]"):
        m(ag.randn(2, 8), ag.tensor([1, 20]))
    with pytest.raises(RuntimeError, match="same size in the batch dimension"):
        m(ag.randn(3, 8), ag.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="0D or 1D target tensor expected"):
        m(ag.randn(2, 8), ag.tensor([[1], [2]]))


@pytest.mark.parametrize("name", ["nn.modules.adaptive_softmax"])
def test_docstring_examples(name):
    import doctest
    import importlib

    import nn.functional as F

    result = doctest.testmod(importlib.import_module(name), extraglobs={"ag": ag, "nn": nn, "F": F},
                             optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0


def test_runs_on_every_device_with_the_cpu_s_results(device):
    ours, ref = _pair()
    x = np.random.default_rng(3).standard_normal((5, 8))
    y = [1, 7, 12, 19, 0]
    expected = ours(ag.tensor(x), ag.tensor(y))
    ours.to(device)
    xo = ag.tensor(x, device=device, requires_grad=True)
    got = ours(xo, ag.tensor(y, device=device))
    got.loss.backward()
    np.testing.assert_allclose(got.output.detach().cpu().numpy(), expected.output.detach().numpy(),
                               rtol=1e-12)
    assert xo.grad.device == xo.device
    np.testing.assert_array_equal(ours.predict(xo).cpu().numpy(), ref.predict(torch.from_numpy(x)).numpy())
    lp = ours.log_prob(xo).detach().cpu().numpy()
    np.testing.assert_allclose(lp, ref.log_prob(torch.from_numpy(x)).detach().numpy(), rtol=1e-12)
