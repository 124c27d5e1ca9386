"""ParameterList and ParameterDict: registration, PyTorch's keys, reprs and dict/list behaviour."""
from __future__ import annotations

import copy
from collections import OrderedDict

import numpy as np
import pytest
from golden import T, answer

import autograd as ag
import nn
import optim


def _torch_keys(expr):
    """PyTorch's ``state_dict`` keys and parameter names of a torch module expression."""
    return answer("keys:" + expr.key, lambda: {
        "state": np.array(list(expr.obj.state_dict())),
        "params": np.array([n for n, _ in expr.obj.named_parameters()])})


def test_parameter_list_basics():
    a, b = nn.Parameter(ag.zeros(3, 4)), ag.ones(2, dtype=ag.float64)
    pl = nn.ParameterList([a, b])
    assert len(pl) == 2 and pl[0] is a and pl[-2] is a
    assert isinstance(pl[1], nn.Parameter) and pl[1].requires_grad and pl[1].dtype == ag.float64
    np.testing.assert_array_equal(pl[1].detach().numpy(), [1.0, 1.0])
    pl.append(ag.full((1,), 2.0)).extend([nn.Parameter(ag.zeros(5))])
    pl += [ag.zeros(6)]
    assert [tuple(p.shape) for p in pl] == [(3, 4), (2,), (1,), (5,), (6,)]
    assert [n for n, _ in pl.named_parameters()] == ["0", "1", "2", "3", "4"]
    sl = pl[1:4:2]
    assert isinstance(sl, nn.ParameterList) and [tuple(p.shape) for p in sl] == [(2,), (5,)]
    assert sl[0] is pl[1]
    pl[0] = ag.ones(7)
    assert isinstance(pl[0], nn.Parameter) and tuple(pl.state_dict()["0"].shape) == (7,)
    with pytest.raises(IndexError, match="index 5 is out of range"):
        pl[5]
    with pytest.raises(IndexError):
        pl[-6] = ag.ones(1)
    with pytest.raises(TypeError, match="should be called with an iterable"):
        pl.extend(ag.ones(2))
    with pytest.raises(RuntimeError, match="ParameterList should not be called"):
        pl(ag.ones(1))
    assert "0" not in dir(pl) and "append" in dir(pl)


def test_parameter_list_keys_and_repr_match_torch():
    ours = nn.Module()
    ours.pl = nn.ParameterList([nn.Parameter(ag.zeros(3, 4)), ag.zeros(2, dtype=ag.float64), 3])
    ours.pd = nn.ParameterDict({"b": ag.zeros(1), "a": nn.Parameter(ag.ones(2, 2))})
    pl = T.nn.ParameterList([T.nn.Parameter(T.zeros(3, 4)), T.zeros(2, dtype=T.float64), 3])
    pd = T.nn.ParameterDict({"b": T.zeros(1), "a": T.nn.Parameter(T.ones(2, 2))})
    assert repr(ours.pl) == repr(pl)
    assert repr(ours.pd) == repr(pd)
    assert repr(nn.ParameterList()) == repr(T.nn.ParameterList())
    assert repr(nn.ParameterDict()) == repr(T.nn.ParameterDict())
    assert list(ours.state_dict()) == ["pl.0", "pl.1", "pd.a", "pd.b"]
    for mine, theirs in ((ours.pl, pl), (ours.pd, pd)):
        ref = _torch_keys(theirs)
        assert list(mine.state_dict()) == ref["state"].tolist()
        assert [n for n, _ in mine.named_parameters()] == ref["params"].tolist()
    assert ours.pl[2] == 3 and "2" not in ours.pl.state_dict()


def test_parameter_dict_basics():
    pd = nn.ParameterDict(OrderedDict([("z", ag.zeros(1)), ("a", ag.ones(2))]))
    assert list(pd) == ["z", "a"]  # an OrderedDict keeps its order; a plain dict is sorted
    pd.update({"y": ag.zeros(3), "b": ag.zeros(4)})
    assert list(pd.keys()) == ["z", "a", "b", "y"]
    pd.update([("c", ag.zeros(5))])
    assert list(pd.state_dict()) == ["z", "a", "b", "y", "c"] and len(pd) == 5
    assert all(isinstance(v, nn.Parameter) for v in pd.values())
    assert [k for k, _ in pd.items()] == list(pd) and list(reversed(pd))[0] == "c"
    assert "a" in pd and "q" not in pd and pd.get("q") is None
    d = pd.setdefault("d", ag.ones(1))
    assert isinstance(d, nn.Parameter) and pd.setdefault("d", ag.zeros(9)) is d
    assert pd.pop("z").shape == (1,) and "z" not in pd and "z" not in pd.state_dict()
    k, v = pd.popitem()
    assert k == "d" and v is d
    both = pd | nn.ParameterDict({"e": ag.zeros(1)})
    assert list(both) == ["a", "b", "y", "c", "e"] and list(pd) == ["a", "b", "y", "c"]
    pd |= {"f": ag.zeros(1)}
    assert list(pd)[-1] == "f"
    assert list(pd.copy()) == list(pd) and pd.copy()["a"] is pd["a"]
    assert list(pd.fromkeys(["u", "v"], ag.ones(1))) == ["u", "v"]
    with pytest.raises(TypeError, match="not a string"):
        pd[0]
    with pytest.raises(ValueError, match="element #0 has length 3; 2 is required"):
        pd.update([("a", 1, 2)])
    with pytest.raises(TypeError, match="should be called with an iterable"):
        pd.update(3)
    with pytest.raises(KeyError):
        nn.ParameterDict().popitem()
    with pytest.raises(AttributeError):
        pd["nope"]
    pd.clear()
    assert len(pd) == 0 and list(pd.parameters()) == []


def test_containers_train_move_copy_and_load(device):
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.ws = nn.ParameterList([ag.full((2,), 2.0), ag.full((2,), 3.0)])
            self.bs = nn.ParameterDict({"b": ag.full((2,), 1.0)})

        def forward(self, x):
            for w in self.ws:
                x = x * w
            return x + self.bs["b"]

    net = Net().to(device)
    assert all(p.device == ag.device(device) for p in net.parameters())
    opt = optim.SGD(net.parameters(), lr=0.1)
    x = ag.tensor([1.0, -1.0], device=device)
    net(x).sum().backward()
    np.testing.assert_allclose(net.ws[0].grad.cpu().numpy(), [3.0, -3.0])
    np.testing.assert_allclose(net.bs["b"].grad.cpu().numpy(), [1.0, 1.0])
    opt.step()
    np.testing.assert_allclose(net.ws[1].detach().cpu().numpy(), [2.8, 3.2])
    other = Net().to(device)
    other.load_state_dict(net.state_dict())
    np.testing.assert_allclose(other.ws[1].detach().cpu().numpy(), [2.8, 3.2])
    clone = copy.deepcopy(net)
    assert clone.ws[0] is not net.ws[0] and list(clone.state_dict()) == ["ws.0", "ws.1", "bs.b"]


def test_docstring_examples_run():
    from nn.modules import container_params
    from test_instance_norm import run_doctests

    run_doctests(container_params)
