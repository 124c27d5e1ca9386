"""``Module.set_submodule``, ``share_memory`` (the Hogwild example), ``type``, ``to_empty`` and
``compile``: missing before (AttributeError), checked against PyTorch."""
import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")


def _net(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(3, 4), nn.Sequential(nn.ReLU(), nn.BatchNorm1d(4)), nn.Linear(4, 2))


@pytest.mark.parametrize("target, strict", [("1.0", False), ("1.1", True), ("2", False), ("1.extra", False)])
def test_set_submodule(target, strict):
    names = []
    for lib in (torch, ag):
        m = _net(lib)
        m.set_submodule(target, lib.nn.Tanh(), strict=strict)
        assert isinstance(m.get_submodule(target), lib.nn.Tanh)
        names.append([n for n, _ in m.named_modules()])
    assert names[0] == names[1]


@pytest.mark.parametrize("target, module, strict, exc", [
    ("", "mod", False, ValueError), ("0", "notmod", False, ValueError),
    ("1.missing", "mod", True, AttributeError), ("9.x", "mod", False, AttributeError),
    ("0.weight", "mod", False, AttributeError)])
def test_set_submodule_errors(target, module, strict, exc):
    msgs = []
    for lib in (torch, ag):
        m = _net(lib)
        value = lib.nn.Tanh() if module == "mod" else 3
        with pytest.raises(exc) as e:
            m.set_submodule(target, value, strict=strict)
        msgs.append(str(e.value))
    if exc is ValueError and module == "notmod":
        assert all(m.startswith("`module` is not an nn.Module, found") for m in msgs)
    elif target != "9.x":
        assert msgs[0] == msgs[1]


def test_type_casts_everything_as_torch():
    dtypes = []
    for lib in (torch, ag):
        m = _net(lib).type(lib.float64)
        dtypes.append({k: str(v.dtype).split(".")[-1] for k, v in m.state_dict().items()})
    assert dtypes[0] == dtypes[1]


def test_share_memory_to_empty_compile():
    for lib in (torch, ag):
        m = _net(lib)
        assert m.share_memory() is m
        e = m.to_empty(device="cpu")
        assert e is m and tuple(m[0].weight.shape) == (4, 3)
        x = lib.tensor(np.ones((2, 3), dtype=np.float32))
        m.eval()
        assert tuple(m(x).shape) == (2, 2)
        if lib is ag:  # PyTorch's Module.compile imports dynamo (seconds): only its presence is checked
            assert m.compile() is None and tuple(m(x).shape) == (2, 2)
        else:
            assert callable(m.compile)
