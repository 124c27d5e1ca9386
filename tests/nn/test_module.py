"""The Module system: registries, traversal, state_dict vs PyTorch, hooks, modes, devices, repr, paths."""
from __future__ import annotations

import copy
from collections import OrderedDict

import numpy as np
import pytest

import autograd as ag
import nn
from nn.modules.module import _running

from golden import T, answer


def _np(t):
    return t.detach().cpu().numpy()


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Linear(4, 4)
        self.act = nn.ReLU()
        self.register_buffer("running", ag.zeros(4))
        self.register_buffer("scratch", ag.ones(2), persistent=False)

    def forward(self, x):
        return self.act(self.conv(x)) + self.running


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        layers = nn.ModuleList([Block(), Block()])
        self.encoder = nn.Sequential(OrderedDict(inp=nn.Linear(3, 4), layers=layers))
        self.head = nn.Linear(4, 2, bias=False)
        self.scale = nn.Parameter(ag.ones(1))
        self.register_parameter("unused", None)

    def forward(self, x):
        x = self.encoder.inp(x)
        for layer in self.encoder.layers:
            x = layer(x)
        return self.head(x) * self.scale


def torch_net():
    """PyTorch's twin of ``Net`` (needs torch)."""
    import torch

    class TBlock(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Linear(4, 4)
            self.act = torch.nn.ReLU()
            self.register_buffer("running", torch.zeros(4))
            self.register_buffer("scratch", torch.ones(2), persistent=False)

    class TNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = torch.nn.Sequential(OrderedDict(inp=torch.nn.Linear(3, 4),
                                                           layers=torch.nn.ModuleList([TBlock(), TBlock()])))
            self.head = torch.nn.Linear(4, 2, bias=False)
            self.scale = torch.nn.Parameter(torch.ones(1))
            self.register_parameter("unused", None)

    return TNet()


def _names(m):
    sd = m.state_dict()
    return {"state": list(sd), "shapes": [str(tuple(v.shape)) for v in sd.values()],
            "parameters": [n for n, _ in m.named_parameters()], "buffers": [n for n, _ in m.named_buffers()],
            "modules": [n for n, _ in m.named_modules()], "children": [n for n, _ in m.named_children()],
            "repr": [repr(m).replace("TBlock", "Block").replace("TNet", "Net")]}


# ---------------------------------------------------------------- registries and traversal
def test_state_dict_and_names_match_torch():
    ours = Net()
    assert isinstance(ours.state_dict(), OrderedDict)
    theirs = answer("Net names", lambda: {k: np.array(v) for k, v in _names(torch_net()).items()})
    for k, v in _names(ours).items():
        assert v == theirs[k].tolist(), k
    assert [n for n, _ in ours.named_parameters(prefix="m", recurse=False)] == ["m.scale"]
    assert len(list(ours.parameters())) == len(theirs["parameters"])
    assert len(list(ours.modules())) == len(theirs["modules"])


def test_repr_matches_torch_for_common_models():
    cases = [
        (nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)),
         T.nn.Sequential(T.nn.Linear(2, 3), T.nn.ReLU(), T.nn.Linear(3, 1))),
        (nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.Tanh()]),
         T.nn.ModuleList([T.nn.Linear(2, 2) for _ in range(3)] + [T.nn.Tanh()])),
        (nn.ModuleDict({"a": nn.GELU(), "b": nn.Sequential()}),
         T.nn.ModuleDict({"a": T.nn.GELU(), "b": T.nn.Sequential()})),
        (nn.ModuleList(), T.nn.ModuleList()),
    ]
    for ours, theirs in cases:
        assert repr(ours) == repr(theirs)


def test_shared_parameters_are_deduplicated():
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, nn.ReLU(), lin)
    assert len(list(seq.parameters())) == 2
    assert len(list(seq.named_parameters(remove_duplicate=False))) == 4
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_setattr_registration_and_errors():
    m = nn.Module()
    m.w = nn.Parameter(ag.ones(2))
    m.child = nn.Linear(1, 1)
    m.register_buffer("buf", ag.zeros(1))
    assert list(m._parameters) == ["w"] and list(m._modules) == ["child"] and list(m._buffers) == ["buf"]
    assert m.w is m._parameters["w"] and m.buf is m._buffers["buf"]
    with pytest.raises(TypeError, match="cannot assign"):
        m.w = ag.ones(2)
    m.w = None
    assert m._parameters["w"] is None and m.w is None
    with pytest.raises(TypeError, match="buffer"):
        m.buf = 3
    m.buf = ag.ones(1)
    assert _np(m.buf)[0] == 1
    with pytest.raises(KeyError, match="already exists"):
        m.register_buffer("child", ag.zeros(1))
    with pytest.raises(KeyError, match="contain"):
        m.register_parameter("a.b", None)
    with pytest.raises(TypeError):
        m.register_parameter("p", ag.ones(1))
    with pytest.raises(ValueError, match="non-leaf"):
        m.register_parameter("q", _non_leaf_param())
    with pytest.raises(AttributeError, match="no attribute 'missing'"):
        m.missing
    del m.child, m.buf, m.w
    assert not m._modules and not m._buffers and not m._parameters
    assert "child" not in dir(m)


def _non_leaf_param():
    p = nn.Parameter(ag.ones(1))
    p.grad_fn = (p * 2).grad_fn  # a Parameter that is not a leaf
    return p


def test_assign_before_init_raises():
    class Bad(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(ag.ones(1))

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Bad()


def test_parameter_basics():
    p = nn.Parameter(ag.tensor([1.0, 2.0]))
    assert isinstance(p, ag.Tensor) and p.requires_grad and p.is_leaf
    assert repr(p) == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    assert not nn.Parameter(ag.ones(1), requires_grad=False).requires_grad
    t = ag.zeros(2)
    q = nn.Parameter(t)
    with ag.no_grad():
        q.add_(1.0)
    assert _np(t).tolist() == [1.0, 1.0]  # shares memory
    (q * q).sum().backward()
    assert _np(q.grad).tolist() == [2.0, 2.0]
    c = copy.deepcopy(q)
    assert isinstance(c, nn.Parameter) and c is not q and _np(c).tolist() == [1.0, 1.0]


def test_dir_and_get_submodule():
    net = Net()
    assert {"encoder", "head", "scale"} <= set(dir(net))
    assert net.get_submodule("encoder.layers.1.conv") is net.encoder.layers[1].conv
    assert net.get_parameter("encoder.layers.0.conv.weight") is net.encoder.layers[0].conv.weight
    assert net.get_buffer("encoder.layers.0.running") is net.encoder.layers[0].running
    with pytest.raises(AttributeError):
        net.get_submodule("encoder.nope")


# ---------------------------------------------------------------- state dict
def test_load_torch_state_dict_gives_same_outputs(device):
    torch = pytest.importorskip("torch")  # loads torch's own tensors
    ours, theirs = Net().to(device), torch_net()
    with torch.no_grad():
        for b in theirs.buffers():
            b.normal_()
    result = ours.load_state_dict(theirs.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    for k, v in theirs.state_dict().items():
        np.testing.assert_array_equal(_np(ours.state_dict()[k]), v.numpy())
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    out = ours(ag.tensor(x, device=device))
    tx = torch.tensor(x)
    h = theirs.encoder.inp(tx)
    for blk in theirs.encoder.layers:
        h = blk.act(blk.conv(h)) + blk.running
    tout = theirs.head(h) * theirs.scale
    np.testing.assert_allclose(_np(out), tout.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_state_dict_detached_shared_and_roundtrip(device):
    a, b = Net().to(device), Net().to(device)
    sd = a.state_dict()
    assert all(not v.requires_grad for v in sd.values())
    assert a.state_dict(keep_vars=True)["head.weight"] is a.head.weight
    b.load_state_dict(sd)
    for k in sd:
        np.testing.assert_array_equal(_np(b.state_dict()[k]), _np(sd[k]))
    w = b.head.weight
    b.load_state_dict({k: _np(v) for k, v in a.state_dict().items()})  # numpy values
    assert b.head.weight is w  # copied in place: identity kept
    np.testing.assert_array_equal(_np(b.head.weight), _np(a.head.weight))
    assert "encoder.layers.0.scratch" not in sd
    assert list(a.state_dict(prefix="model.")) == ["model." + k for k in sd]


def test_load_state_dict_strict_errors():
    net = Net()
    sd = net.state_dict()
    sd.pop("head.weight")
    sd["extra.weight"] = ag.zeros(1)
    sd["encoder.inp.bias"] = ag.zeros(7)
    with pytest.raises(RuntimeError) as e:
        net.load_state_dict(sd)
    msg = str(e.value)
    assert "Error(s) in loading state_dict for Net" in msg
    assert 'Missing key(s) in state_dict: "head.weight"' in msg
    assert 'Unexpected key(s) in state_dict: "extra.weight"' in msg
    assert ("size mismatch for encoder.inp.bias: copying a param with shape (7,) from checkpoint, the shape "
            "in current model is (4,)") in msg
    sd["encoder.inp.bias"] = ag.zeros(4)
    result = net.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["head.weight"] and result.unexpected_keys == ["extra.weight"]
    with pytest.raises(TypeError, match="dict-like"):
        net.load_state_dict([1, 2])


def test_load_state_dict_torch_errors_match():
    with pytest.raises(RuntimeError) as ours:
        nn.Sequential(nn.Linear(2, 3)).load_state_dict({"0.weight": ag.zeros(3, 2)})

    def theirs():
        import torch

        try:
            torch.nn.Sequential(torch.nn.Linear(2, 3)).load_state_dict({"0.weight": torch.zeros(3, 2)})
        except RuntimeError as e:
            return {"message": np.array(str(e))}
    assert str(ours.value) == answer("load_state_dict error", theirs)["message"].item()


# ---------------------------------------------------------------- hooks
def test_forward_hooks_and_removal(device):
    lin = nn.Linear(2, 2, device=device)
    calls = []
    h1 = lin.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    h2 = lin.register_forward_hook(lambda m, args, out: calls.append(out.shape) or out + 1)
    x = ag.ones(3, 2, device=device)
    out = lin(x)
    np.testing.assert_allclose(_np(out), np.broadcast_to(_np(lin.bias) + 1, (3, 2)), rtol=1e-6)
    assert calls == [(3, 2)]
    h1.remove()
    h2.remove()
    h2.remove()  # idempotent
    np.testing.assert_allclose(_np(lin(x)), _np(x @ lin.weight.T + lin.bias), rtol=1e-6)
    assert calls == [(3, 2)]
    order = []
    lin.register_forward_hook(lambda m, a, o: order.append("a"))
    lin.register_forward_hook(lambda m, a, o: order.append("b"), prepend=True)
    with lin.register_forward_pre_hook(lambda m, a, k: (a, k), with_kwargs=True):
        lin(x)
    assert order == ["b", "a"]
    assert len(lin._forward_pre_hooks) == 0


def test_hook_sees_module_and_replaces_single_input():
    seen = []
    m = nn.Identity()
    m.register_forward_pre_hook(lambda mod, args: seen.append(mod) or ag.zeros(1))
    assert _np(m(ag.ones(1)))[0] == 0 and seen == [m]


# ---------------------------------------------------------------- modes, grads, apply
def test_train_eval_propagate():
    net = Net()
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    with pytest.raises(ValueError):
        net.train("yes")


def test_zero_grad_and_requires_grad(device):
    net = Net().to(device)
    net(ag.randn(2, 3, device=device)).sum().backward()
    assert net.head.weight.grad is not None
    net.zero_grad(set_to_none=False)
    assert np.all(_np(net.head.weight.grad) == 0)
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_apply_children_first():
    seen = []
    net = nn.Sequential(nn.Linear(1, 1), nn.Sequential(nn.ReLU()))
    assert net.apply(lambda m: seen.append(type(m).__name__)) is net
    assert seen == ["Linear", "ReLU", "Sequential", "Sequential"]


def test_to_dtype_keeps_identity_and_moves_grads(device):
    net = Net()
    w = net.head.weight
    net(ag.randn(2, 3)).sum().backward()
    net.to(ag.float64)
    assert net.head.weight is w and w.dtype == ag.float64 and w.grad.dtype == ag.float64
    assert net.encoder.layers[0].running.dtype == ag.float64
    net.float()
    assert w.dtype == ag.float32
    net.to(device)
    assert str(w.device) == str(ag.device(device)) and str(w.grad.device) == str(ag.device(device))
    assert str(net.encoder.layers[1].running.device) == str(ag.device(device))
    out = net(ag.randn(2, 3, device=device))
    assert out.shape == (2, 2)
    net.cpu()
    assert str(w.device) == "cpu"
    with pytest.raises(TypeError, match="floating point"):
        net.to(ag.int64)
    net.double()
    sd = net.state_dict()
    assert all(v.dtype == ag.float64 for v in sd.values())


# ---------------------------------------------------------------- containers
def test_sequential_container_ops():
    a, b, c = nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 1)
    s = nn.Sequential(a, b, c)
    assert len(s) == 3 and s[0] is a and s[-1] is c and list(s) == [a, b, c]
    sub = s[1:]
    assert isinstance(sub, nn.Sequential) and list(sub) == [b, c]
    assert list(sub._modules) == ["1", "2"]  # slices keep the names, as PyTorch
    s.append(nn.Tanh())
    assert len(s) == 4 and list(s.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    del s[1]
    assert list(s._modules) == ["0", "1", "2"] and s[1] is c
    s[2] = nn.Sigmoid()
    assert isinstance(s[2], nn.Sigmoid)
    s.insert(0, nn.Identity())
    assert isinstance(s[0], nn.Identity) and len(s) == 4
    with pytest.raises(IndexError):
        s[10]
    out = nn.Sequential(nn.Linear(3, 2), nn.ReLU())(ag.randn(4, 3))
    assert out.shape == (4, 2)
    s2 = nn.Sequential(OrderedDict([("fc", nn.Linear(1, 1)), ("act", nn.ReLU())]))
    assert list(s2.state_dict()) == ["fc.weight", "fc.bias"] and s2.fc is s2[0]


def test_modulelist_and_moduledict():
    ml = nn.ModuleList([nn.Linear(1, 1)])
    ml.append(nn.ReLU())
    ml.extend([nn.Tanh()])
    ml += [nn.GELU()]
    assert len(ml) == 4 and isinstance(ml[-1], nn.GELU)
    ml.insert(1, nn.Identity())
    assert isinstance(ml[1], nn.Identity) and isinstance(ml[2], nn.ReLU)
    del ml[0]
    assert list(ml._modules) == ["0", "1", "2", "3"] and isinstance(ml[0], nn.Identity)
    assert isinstance(ml[1:], nn.ModuleList) and len(ml[1:]) == 3
    md = nn.ModuleDict({"x": nn.Linear(2, 2)})
    md["y"] = nn.Linear(2, 3)
    md.update([("z", nn.ReLU())])
    assert list(md) == ["x", "y", "z"] and "y" in md and len(md) == 3
    assert list(md.state_dict()) == ["x.weight", "x.bias", "y.weight", "y.bias"]
    assert md.pop("z") is not None and "z" not in md
    assert [k for k, _ in md.items()] == ["x", "y"]


# ---------------------------------------------------------------- provenance
def test_module_path_recorded_on_graph_nodes():
    net = Net()
    x = ag.randn(2, 3, requires_grad=True)
    seen = {}

    def record(name):
        return lambda m, a, o: seen.setdefault(name, (_running.frame[1], o.grad_fn._module)) and None

    net.encoder.layers[1].conv.register_forward_hook(record("conv1"))
    net.head.register_forward_hook(record("head"))
    out = net(x)
    assert seen["conv1"] == ("encoder.layers.1.conv", "encoder.layers.1.conv")
    assert seen["head"] == ("head", "head")
    assert out.grad_fn._module == ""  # the root's own op (the * scale)
    assert _running.frame[1] == ""
    # the path is restored even when forward raises
    with pytest.raises(RuntimeError):
        net(ag.randn(2, 5))
    assert _running.frame[1] == ""


def test_module_path_after_structure_change():
    net = nn.Sequential(nn.Linear(2, 2))
    paths = []
    inner = nn.Linear(2, 2)
    inner.register_forward_hook(lambda m, a, o: paths.append(o.grad_fn._module))
    net(ag.randn(1, 2, requires_grad=True))
    net.append(inner)
    net(ag.randn(1, 2, requires_grad=True))
    assert paths == ["1"]


def test_forward_not_implemented():
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(ag.ones(1))


@pytest.mark.parametrize("name", [
    "nn", "nn.parameter", "nn.init", "nn.modules.module", "nn.modules.container", "nn.modules.linear",
    "nn.modules.activation", "nn.modules.loss", "nn.modules.flatten", "nn.functional.loss",
    "nn.functional.linear", "nn.functional.misc", "nn.utils.clip_grad", "nn.utils.convert",
])
def test_docstring_examples(name):
    import doctest
    import importlib

    import nn.functional as F

    result = doctest.testmod(importlib.import_module(name), extraglobs={"ag": ag, "nn": nn, "F": F},
                             optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0


def test_deepcopy_module(device):
    net = Net().to(device)
    net.encoder.layers[0].running._data[...] = 3.0
    twin = copy.deepcopy(net)
    assert twin.head.weight is not net.head.weight and isinstance(twin.head.weight, nn.Parameter)
    assert twin.encoder.layers[0].running is not net.encoder.layers[0].running
    for (k, a), b in zip(net.state_dict().items(), twin.state_dict().values()):
        np.testing.assert_array_equal(_np(a), _np(b), err_msg=k)
    with ag.no_grad():
        twin.head.weight.add_(1.0)
    assert not np.array_equal(_np(twin.head.weight), _np(net.head.weight))
    x = ag.randn(2, 3, device=device)
    np.testing.assert_allclose(_np(twin.encoder.inp(x)), _np(net.encoder.inp(x)), rtol=1e-6)
    net.extra = ag.ones(2, device=device) * 2  # a plain tensor attribute: copied as Tensor.__deepcopy__ does
    assert copy.deepcopy(net).extra.tolist() == [2.0, 2.0]
    net.extra = ag.ones(2, device=device, requires_grad=True) * 2  # a non-leaf refuses, as in PyTorch
    with pytest.raises(RuntimeError, match="graph leaves"):
        copy.deepcopy(net)


def test_load_bfloat16_torch_state_dict():
    torch = pytest.importorskip("torch")  # loads torch's own tensors
    theirs = torch.nn.Linear(3, 2).to(torch.bfloat16)
    ours = nn.Linear(3, 2)
    ours.load_state_dict(theirs.state_dict())
    np.testing.assert_array_equal(_np(ours.weight), theirs.weight.float().detach().numpy())
    assert ours.weight.dtype == ag.float32


def test_extra_state_is_saved_and_restored_as_pytorch():
    # get_extra_state / set_extra_state were never called: the state was silently lost
    class Tok(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(2, 2)
            self.vocab = {"a": 0}

        def get_extra_state(self):
            return {"vocab": dict(self.vocab)}

        def set_extra_state(self, state):
            self.vocab = state["vocab"]

    src = Tok()
    src.vocab = {"a": 0, "b": 1}
    sd = src.state_dict()
    assert list(sd) == ["_extra_state", "lin.weight", "lin.bias"]  # PyTorch's order
    dst = Tok()
    dst.load_state_dict(sd)
    assert dst.vocab == {"a": 0, "b": 1}
    with pytest.raises(RuntimeError, match='Missing key.*"_extra_state"'):
        Tok().load_state_dict({k: v for k, v in sd.items() if k != "_extra_state"})
    with pytest.raises(RuntimeError, match='Unexpected key.*"_extra_state"'):
        nn.Sequential().load_state_dict({"_extra_state": 1})


def test_load_state_dict_assign_takes_the_checkpoint_tensors():
    # assign=True cast to the module's dtype and copied, where PyTorch takes the tensors themselves
    m = nn.Linear(3, 2)
    sd = {"weight": ag.ones(2, 3, dtype=ag.float64), "bias": ag.zeros(2, dtype=ag.float64)}
    m.load_state_dict(sd, assign=True)
    assert m.weight.dtype == ag.float64 and isinstance(m.weight, nn.Parameter) and m.weight.requires_grad
    sd["weight"].mul_(2)
    assert m.weight.sum().item() == 12.0  # shares the checkpoint's memory
    assert [n for n, _ in m.named_parameters()] == ["weight", "bias"]
    frozen = nn.Linear(3, 2).requires_grad_(False)
    frozen.load_state_dict({"weight": np.ones((2, 3)), "bias": np.zeros(2)}, assign=True)
    assert frozen.weight.dtype == ag.float64 and not frozen.weight.requires_grad


def test_state_dict_versions_and_batchnorm_checkpoints_without_num_batches_tracked():
    m = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    sd = m.state_dict()
    assert sd._metadata[""] == {"version": 1} and sd._metadata["1"] == {"version": 2}
    old = {k: v for k, v in sd.items() if not k.endswith("num_batches_tracked")}  # a plain dict: no versions
    m[1].num_batches_tracked.fill_(2)
    assert str(m.load_state_dict(old)) == "<All keys matched successfully>"  # it raised Missing key(s)
    assert m[1].num_batches_tracked.item() == 2  # kept, as PyTorch
    sd2 = m.state_dict()
    del sd2["1.num_batches_tracked"]
    with pytest.raises(RuntimeError, match="num_batches_tracked"):  # version 2 says it must be there
        m.load_state_dict(sd2)
