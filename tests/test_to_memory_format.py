"""``Tensor.to`` and ``nn.Module.to`` take ``memory_format=`` as PyTorch
(``model = model.to(memory_format=torch.channels_last)`` in real training scripts);
both raised TypeError before. Layouts are kept (see ``autograd.memory_format``);
values, dtypes, gradients and PyTorch's errors must match.
"""
import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("fmt", ["channels_last", "contiguous_format", "preserve_format"])
def test_tensor_to_memory_format_values_and_grad(fmt):
    x0 = np.random.default_rng(0).standard_normal((2, 3, 4, 5))
    res = []
    for lib in (ag, torch):
        x = lib.tensor(x0, requires_grad=True)
        y = x.to(lib.float32, memory_format=getattr(lib, fmt))
        (y * y).sum().backward()
        res.append((y.detach().numpy(), str(y.dtype).split(".")[-1], x.grad.numpy()))
    np.testing.assert_allclose(res[0][0], res[1][0])
    assert res[0][1] == res[1][1]
    np.testing.assert_allclose(res[0][2], res[1][2])


@pytest.mark.parametrize("fmt, shape", [("channels_last", (2, 3)), ("channels_last", (1, 2, 3, 4, 5)),
                                        ("channels_last_3d", (1, 2, 3, 4))])
def test_tensor_to_channels_last_wrong_rank_raises(fmt, shape):
    for lib in (ag, torch):
        with pytest.raises(RuntimeError, match="required rank"):
            lib.ones(*shape).to(memory_format=getattr(lib, fmt))


def test_tensor_to_memory_format_wrong_type_raises():
    for lib in (ag, torch):
        with pytest.raises(TypeError):
            lib.ones(1, 2, 3, 4).to(memory_format="channels_last")


def test_module_to_channels_last_keeps_parameters_and_outputs():
    torch.manual_seed(0)
    tm = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3), torch.nn.BatchNorm2d(3), torch.nn.Flatten(),
                             torch.nn.Linear(12, 2))
    am = ag.nn.Sequential(ag.nn.Conv2d(2, 3, 3), ag.nn.BatchNorm2d(3), ag.nn.Flatten(), ag.nn.Linear(12, 2))
    am.load_state_dict({k: ag.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    a_params = list(am.parameters())
    assert tm.to(memory_format=torch.channels_last) is tm
    assert am.to(memory_format=ag.channels_last) is am
    assert list(am.parameters()) == a_params
    am.to(ag.float64, memory_format=ag.channels_last)
    tm.to(torch.float64, memory_format=torch.channels_last)
    x0 = np.random.default_rng(1).standard_normal((2, 2, 4, 4))
    np.testing.assert_allclose(am(ag.tensor(x0)).detach().numpy(), tm(torch.tensor(x0)).detach().numpy(),
                               rtol=1e-12)
    assert am[0].weight.dtype == ag.float64


def test_module_to_memory_format_wrong_type_raises():
    for lib in (ag, torch):
        with pytest.raises(TypeError):
            lib.nn.Linear(2, 2).to(memory_format="channels_last")
