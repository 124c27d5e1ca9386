"""``nn.init.dirac_``, ``nn.init.sparse_`` and PyTorch's deprecated spellings without the
underscore (``nn.init.xavier_uniform(w)`` in older public code), against PyTorch. All were
missing (AttributeError) before."""
import warnings

import numpy as np
import pytest

import autograd as ag
import nn

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("shape, groups", [((3, 16, 5, 5), 1), ((6, 2, 3), 3), ((4, 4, 3, 3, 3), 2),
                                           ((2, 5, 4, 4), 2), ((5, 3, 2, 2), 1)])
def test_dirac_matches_torch(shape, groups):
    a = nn.init.dirac_(ag.empty(*shape), groups)
    t = torch.nn.init.dirac_(torch.empty(*shape), groups)
    np.testing.assert_array_equal(a.numpy(), t.numpy())


def test_dirac_is_the_identity_convolution():
    w = nn.init.dirac_(ag.empty(4, 4, 3, 3))
    x = ag.randn(2, 4, 6, 6)
    np.testing.assert_allclose(nn.functional.conv2d(x, w, padding=1).numpy(), x.numpy())


@pytest.mark.parametrize("call", ["dirac_(ag.empty(3, 3))", "dirac_(ag.empty(3, 2, 2, 2), 2)",
                                  "sparse_(ag.empty(3, 3, 3), 0.1)"])
def test_errors(call):
    with pytest.raises(ValueError):
        eval("nn.init." + call)
    with pytest.raises(ValueError):
        eval("torch.nn.init." + call.replace("ag.", "torch."))


def test_sparse_zeros_per_column_and_std():
    ag.manual_seed(0)
    w = nn.init.sparse_(ag.empty(200, 30), sparsity=0.25, std=0.5).numpy()
    assert ((w == 0).sum(0) == 50).all()
    assert abs(w[w != 0].std() - 0.5) < 0.05


@pytest.mark.parametrize("old", ["uniform", "normal", "constant", "eye", "dirac", "xavier_uniform",
                                 "xavier_normal", "kaiming_uniform", "kaiming_normal", "orthogonal",
                                 "sparse"])
def test_deprecated_spellings_warn_and_fill(old):
    args = {"constant": (0.3,), "sparse": (0.2,)}.get(old, ())
    shape = (4, 3, 3) if old == "dirac" else (4, 3)
    msgs = []
    for init, t in ((nn.init, ag.zeros(*shape)), (torch.nn.init, torch.zeros(*shape))):
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            out = getattr(init, old)(t, *args)
        assert out is t
        msgs.append([(w.category, str(w.message)) for w in rec])
    assert msgs[0] == msgs[1]
    if old in ("constant", "eye", "dirac"):
        np.testing.assert_array_equal(
            getattr(nn.init, old + "_")(ag.zeros(*shape), *args).numpy(),
            getattr(torch.nn.init, old + "_")(torch.zeros(*shape), *args).numpy())
