"""Lazy modules (LazyLinear, LazyConv*, LazyBatchNorm*, LazyInstanceNorm*) against PyTorch's."""
from __future__ import annotations

import copy

import numpy as np
import pytest

import autograd as ag
import nn
import optim
from nn.parameter import Parameter, UninitializedBuffer, UninitializedParameter

torch = pytest.importorskip("torch")

CASES = [
    ("LazyLinear", (3,), {}, (4, 5), "Linear"),
    ("LazyConv1d", (4, 3), {"padding": 1}, (2, 3, 7), "Conv1d"),
    ("LazyConv2d", (4, 3), {"stride": 2, "groups": 2}, (2, 6, 7, 7), "Conv2d"),
    ("LazyConv3d", (2, 2), {}, (1, 3, 4, 4, 4), "Conv3d"),
    ("LazyConvTranspose1d", (4, 3), {"stride": 2}, (2, 3, 5), "ConvTranspose1d"),
    ("LazyConvTranspose2d", (2, 3), {"output_padding": 1, "stride": 2}, (2, 3, 4, 4), "ConvTranspose2d"),
    ("LazyConvTranspose3d", (2, 2), {}, (1, 3, 3, 3, 3), "ConvTranspose3d"),
    ("LazyBatchNorm1d", (), {}, (6, 4), "BatchNorm1d"),
    ("LazyBatchNorm2d", (), {"momentum": 0.3}, (3, 4, 5, 5), "BatchNorm2d"),
    ("LazyBatchNorm3d", (), {}, (2, 3, 2, 3, 3), "BatchNorm3d"),
    ("LazyInstanceNorm1d", (), {}, (2, 3, 6), "InstanceNorm1d"),
    ("LazyInstanceNorm2d", (), {"affine": False}, (2, 3, 4, 4), "InstanceNorm2d"),
    ("LazyInstanceNorm3d", (), {"track_running_stats": False}, (2, 3, 2, 3, 3), "InstanceNorm3d"),
]


def _to_torch(t):
    return torch.from_numpy(np.array(t.detach().numpy()))


@pytest.mark.parametrize("name,args,kwargs,shape,becomes", CASES, ids=[c[0] for c in CASES])
def test_lazy_module_becomes_its_class_and_matches_torch(name, args, kwargs, shape, becomes):
    ours = getattr(nn, name)(*args, dtype=ag.float64, **kwargs)
    ref = getattr(torch.nn, name)(*args, dtype=torch.float64, **kwargs)
    assert repr(ours) == repr(ref)
    assert ours.has_uninitialized_params() == ref.has_uninitialized_params()
    assert list(ours.state_dict()) == list(ref.state_dict())
    x = np.random.default_rng(0).standard_normal(shape)
    ref(torch.from_numpy(x))  # initialise both, then give ours torch's values
    ours(ag.tensor(x))
    assert type(ours) is getattr(nn, becomes)
    assert not hasattr(ours, "has_uninitialized_params")  # an ordinary module now, as torch's
    assert repr(ours) == repr(ref)
    assert {k: tuple(v.shape) for k, v in ours.state_dict().items()} == \
        {k: tuple(v.shape) for k, v in ref.state_dict().items()}
    ours.load_state_dict(ref.state_dict())
    xt = torch.from_numpy(x).requires_grad_()
    xo = ag.tensor(x, requires_grad=True)
    yt, yo = ref(xt), ours(xo)
    np.testing.assert_allclose(yo.detach().numpy(), yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    yt.pow(2).sum().backward()
    yo.pow(2).sum().backward()
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-9, atol=1e-11)
    for (k, p), (_, q) in zip(ours.named_parameters(), ref.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-9, atol=1e-11, err_msg=k)
    for k, v in ref.state_dict().items():  # running statistics updated alike
        np.testing.assert_allclose(ours.state_dict()[k].numpy(), v.numpy(), rtol=1e-10, err_msg=k)


def test_parameters_are_initialised_by_reset_parameters_at_the_first_call():
    ag.manual_seed(0)
    m = nn.LazyLinear(64)
    m(ag.zeros(2, 100))
    bound = 1 / 10  # kaiming_uniform(a=sqrt(5)): 1 / sqrt(in_features)
    w = m.weight.detach().numpy()
    assert type(m.weight) is Parameter and m.weight.requires_grad
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    bn = nn.LazyBatchNorm1d()
    bn(ag.randn(4, 3))
    assert type(bn.running_mean) is ag.Tensor and not bn.running_mean.requires_grad
    np.testing.assert_array_equal(bn.weight.detach().numpy(), np.ones(3))


def test_uninitialized_parameter_errors_and_materialize():
    p = UninitializedParameter()
    assert repr(p) == "<UninitializedParameter>" and p.requires_grad
    assert p.dtype == ag.get_default_dtype()
    with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized"):
        p.shape
    for use in (lambda: p + 1, p.numel, p.detach, p.clone, p.dim):
        with pytest.raises(ValueError, match="Attempted to use an uninitialized parameter"):
            use()
    p.materialize((2, 3))
    assert type(p) is Parameter and tuple(p.shape) == (2, 3)
    b = UninitializedBuffer()
    assert repr(b) == "<UninitializedBuffer>" and not b.requires_grad
    b.materialize(4)
    assert type(b) is ag.Tensor and tuple(b.shape) == (4,)
    m = nn.LazyLinear(2)
    with pytest.raises(ValueError, match="uninitialized parameter"):
        nn.functional.linear(ag.randn(1, 3), m.weight)



UNINITIALIZED_USES = {  # name: use of an uninitialized parameter / buffer, as PyTorch 2.13 answers it
    "size()": lambda p: tuple(p.size()), "size(0)": lambda p: p.size(0), "size(-1)": lambda p: p.size(-1),
    "size(1)": lambda p: p.size(1), "ndim": lambda p: p.ndim, "shape": lambda p: p.shape,
    "numel": lambda p: p.numel(), "nelement": lambda p: p.nelement(), "dim": lambda p: p.dim(),
    "ndimension": lambda p: p.ndimension(), "len": len, "element_size": lambda p: p.element_size(),
    "is_contiguous": lambda p: p.is_contiguous(), "requires_grad_": lambda p: p.requires_grad_(False),
    "zero_": lambda p: p.zero_(), "clone": lambda p: p.clone(), "detach": lambda p: p.detach(),
    "numpy": lambda p: p.numpy(), "tolist": lambda p: p.tolist(), "item": lambda p: p.item(),
    "sum": lambda p: p.sum(), "view": lambda p: p.view(-1), "add": lambda p: p + 1,
    "is_floating_point": lambda p: p.is_floating_point(), "is_complex": lambda p: p.is_complex(),
    "get_device": lambda p: p.get_device(), "share_memory_": lambda p: p.share_memory_(),
}


def _use(module, cls, use):
    try:
        return "value", UNINITIALIZED_USES[use](cls())
    except Exception as e:  # noqa: BLE001  (the kind of error is what is compared)
        message = str(e)
        if type(e) is ValueError:  # PyTorch names the function by its repr; compare the rest
            head, _, tail = message.partition(" in ")
            message = head + " in <f>" + tail[tail.index(". This error"):]
        return type(e).__name__, message


@pytest.mark.parametrize("use", list(UNINITIALIZED_USES))
@pytest.mark.parametrize("cls", ["UninitializedParameter", "UninitializedBuffer"])
def test_uses_of_an_uninitialized_parameter_or_buffer_as_torch(cls, use):
    import nn.parameter as ours

    got = _use(ag, getattr(ours, cls), use)
    want = _use(torch, getattr(torch.nn.parameter, cls), use)
    assert got[0] == want[0] and got[1] == want[1], (got, want)


def test_uninitialized_use_errors_name_the_method():
    for name in ("numel", "dim", "clone", "requires_grad_"):
        with pytest.raises(ValueError, match=f"uninitialized parameter in <method '{name}' "):
            getattr(UninitializedBuffer(), name)()

def test_state_dict_and_load_state_dict_of_an_uninitialized_module_as_torch():
    m, ref = nn.LazyLinear(3, bias=False), torch.nn.LazyLinear(3, bias=False)
    sd = m.state_dict()
    assert list(sd) == list(ref.state_dict()) == ["weight"]
    assert isinstance(sd["weight"], UninitializedParameter)
    # loading a checkpoint materialises the shapes; the module stays lazy until its first call
    src = torch.nn.Linear(4, 3, dtype=torch.float64)
    m, ref = nn.LazyLinear(3, dtype=ag.float64), torch.nn.LazyLinear(3, dtype=torch.float64)
    m.load_state_dict(src.state_dict())
    ref.load_state_dict(src.state_dict())
    assert type(m) is nn.LazyLinear and m.in_features == ref.in_features == 0
    assert tuple(m.weight.shape) == tuple(ref.weight.shape) == (3, 4)
    assert not m.has_uninitialized_params()
    np.testing.assert_array_equal(m.weight.detach().numpy(), src.weight.detach().numpy())
    x = np.ones((2, 4))
    np.testing.assert_allclose(m(ag.tensor(x)).detach().numpy(), src(torch.from_numpy(x)).detach().numpy())
    assert type(m) is nn.Linear
    # an uninitialized checkpoint leaves the module uninitialized; absent keys are missing
    m = nn.LazyLinear(3)
    m.load_state_dict(nn.LazyLinear(3).state_dict())
    assert m.has_uninitialized_params()
    r = nn.LazyLinear(3).load_state_dict({}, strict=False)
    rt = torch.nn.LazyLinear(3).load_state_dict({}, strict=False)
    assert r.missing_keys == rt.missing_keys == ["weight", "bias"]
    # and a lazy module inside a container
    seq = nn.Sequential(nn.LazyLinear(4), nn.ReLU(), nn.LazyLinear(2))
    tseq = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2)).double()
    seq.load_state_dict(tseq.state_dict())
    assert [tuple(p.shape) for p in seq.parameters()] == [tuple(p.shape) for p in tseq.parameters()]


def test_optimizer_built_before_the_first_call_trains_the_materialised_parameters():
    x = np.random.default_rng(1).standard_normal((5, 4))
    ref = torch.nn.LazyLinear(2, dtype=torch.float64)
    ours = nn.LazyLinear(2, dtype=ag.float64)
    topt = torch.optim.SGD(ref.parameters(), lr=0.1, momentum=0.9)  # torch accepts uninitialized params
    opt = optim.SGD(ours.parameters(), lr=0.1, momentum=0.9)
    ref(torch.from_numpy(x))
    ours(ag.tensor(x))
    ours.load_state_dict(ref.state_dict())
    for _ in range(3):
        topt.zero_grad()
        opt.zero_grad()
        ref(torch.from_numpy(x)).pow(2).mean().backward()
        ours(ag.tensor(x)).pow(2).mean().backward()
        topt.step()
        opt.step()
    np.testing.assert_allclose(ours.weight.detach().numpy(), ref.weight.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(ours.bias.detach().numpy(), ref.bias.detach().numpy(), rtol=1e-10)


def test_bad_inputs_and_copies():
    with pytest.raises(RuntimeError,
                       match=r"Expected 3D \(unbatched\) or 4D \(batched\) input to LazyConv2d"):
        nn.LazyConv2d(2, 3)(ag.randn(2, 3))
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.LazyConv1d(4, 3, groups=2)(ag.randn(1, 3, 5))
    m = copy.deepcopy(nn.LazyLinear(3))
    assert type(m) is nn.LazyLinear and m.has_uninitialized_params()
    m = nn.LazyLinear(3).double()
    m(ag.randn(2, 4, dtype=ag.float64))
    assert m.weight.dtype == ag.float64 and tuple(m.weight.shape) == (3, 4)


@pytest.mark.parametrize("name", ["nn.modules.lazy"])
def test_docstring_examples(name):
    import doctest
    import importlib

    import nn.functional as F

    result = doctest.testmod(importlib.import_module(name), extraglobs={"ag": ag, "nn": nn, "F": F},
                             optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0


def test_lazy_modules_moved_before_the_first_call_materialise_on_that_device(device):
    seq = nn.Sequential(nn.LazyConv2d(4, 3), nn.LazyBatchNorm2d(), nn.Flatten(), nn.LazyLinear(2)).to(device)
    seq = seq.double()
    y = seq(ag.randn(2, 3, 5, 5, dtype=ag.float64, device=device))
    assert tuple(y.shape) == (2, 2) and y.device == ag.randn(1, device=device).device
    for p in list(seq.parameters()) + list(seq.buffers()):
        assert p.device == y.device and (p.dtype == ag.float64 or p.dtype == ag.int64)
    assert [type(m).__name__ for m in seq] == ["Conv2d", "BatchNorm2d", "Flatten", "Linear"]
    assert seq[3].in_features == 4 * 3 * 3
