"""nn.utils.fusion: an eval-mode BatchNorm folded into the conv / linear layer before it, as
PyTorch's (same fused weights; the fused layer computes bn(layer(x)))."""
import numpy as np
import pytest

import autograd as ag
import nn
from nn.utils import fuse_conv_bn_eval, fuse_linear_bn_eval

torch = pytest.importorskip("torch")


def _copy(ours, theirs):
    ours.load_state_dict({k: ag.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})


@pytest.mark.parametrize("kind", ["conv", "conv_t", "linear", "conv_nobias"])
def test_fused_layer_equals_layer_then_batchnorm(kind):
    rng = np.random.default_rng(0)
    if kind == "linear":
        pair = [(lib.Linear(5, 4), lib.BatchNorm1d(4)) for lib in (nn, torch.nn)]
        x = rng.standard_normal((3, 5)).astype(np.float32)
    else:
        conv = "ConvTranspose2d" if kind == "conv_t" else "Conv2d"
        pair = [(getattr(lib, conv)(3, 4, 3, bias=kind != "conv_nobias"), lib.BatchNorm2d(4))
                for lib in (nn, torch.nn)]
        x = rng.standard_normal((2, 3, 6, 6)).astype(np.float32)
    (layer, bn), (tlayer, tbn) = pair
    with torch.no_grad():
        tbn.running_mean.uniform_(-1, 1)
        tbn.running_var.uniform_(0.5, 2)
        tbn.weight.uniform_(0.5, 1.5)
        tbn.bias.uniform_(-1, 1)
    _copy(layer, tlayer)
    _copy(bn, tbn)
    for m in (layer, bn, tlayer, tbn):
        m.eval()
    if kind == "linear":
        fused, tfused = fuse_linear_bn_eval(layer, bn), torch.nn.utils.fuse_linear_bn_eval(tlayer, tbn)
    else:
        t = kind == "conv_t"
        fused = fuse_conv_bn_eval(layer, bn, transpose=t)
        tfused = torch.nn.utils.fuse_conv_bn_eval(tlayer, tbn, t)
    np.testing.assert_allclose(fused.weight.detach().numpy(), tfused.weight.detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(fused.bias.detach().numpy(), tfused.bias.detach().numpy(), rtol=1e-6,
                               atol=1e-7)
    assert isinstance(fused.weight, nn.Parameter) and fused is not layer
    np.testing.assert_allclose(fused(ag.tensor(x)).detach().numpy(), bn(layer(ag.tensor(x))).detach().numpy(),
                               rtol=1e-5, atol=1e-5)


def test_fusion_needs_eval_mode():
    with pytest.raises(AssertionError, match="Fusion only for eval"):
        fuse_conv_bn_eval(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2))
