"""Sequential / ModuleList / ModuleDict / ParameterList / ParameterDict methods, against PyTorch."""
from __future__ import annotations

from collections import OrderedDict

import pytest

import autograd as ag
import nn

torch = pytest.importorskip("torch")


def _mods(lib, n=4):
    return [lib.Linear(i + 1, i + 2) for i in range(n)]


def _layout(container, originals):
    """(key, position of the module among ``originals`` or its type name) for each entry."""
    out = []
    for k, m in container._modules.items():
        pos = next((i for i, o in enumerate(originals) if o is m), None)
        out.append((k, pos if pos is not None else type(m).__name__))
    return out


def _both(fn):
    """Run ``fn(lib, mods)`` on xpgrad and on torch; return their layouts (or exception types)."""
    res = []
    for lib in (nn, torch.nn):
        mods = _mods(lib)
        try:
            c = fn(lib, mods)
            res.append(_layout(c, mods))
        except Exception as e:  # noqa: BLE001 -- the exception type is compared
            res.append(type(e))
    return res


SEQ_CASES = {
    "pop_middle": lambda lib, m: (lambda s: (s.pop(1), s)[1])(lib.Sequential(*m)),
    "pop_negative": lambda lib, m: (lambda s: (s.pop(-1), s)[1])(lib.Sequential(*m)),
    "del_slice": lambda lib, m: (lambda s: (s.__delitem__(slice(0, 3, 2)), s)[1])(lib.Sequential(*m)),
    "del_named": lambda lib, m: (lambda s: (s.__delitem__(0), s)[1])(
        lib.Sequential(OrderedDict(a=m[0], b=m[1], c=m[2]))),
    "insert": lambda lib, m: lib.Sequential(*m[:2]).insert(1, m[2]).insert(-1, m[3]),
    "insert_end": lambda lib, m: lib.Sequential(*m[:2]).insert(2, m[2]),
    "insert_bad": lambda lib, m: lib.Sequential(*m[:2]).insert(5, m[2]),
    "insert_not_module": lambda lib, m: lib.Sequential(*m[:2]).insert(0, 3),
    "extend": lambda lib, m: lib.Sequential(m[0]).extend(lib.Sequential(*m[1:3])).extend([m[3]]),
    "append": lambda lib, m: lib.Sequential(m[0]).append(m[1]),
    "add": lambda lib, m: lib.Sequential(*m[:2]) + lib.Sequential(*m[2:]),
    "add_bad": lambda lib, m: lib.Sequential(*m[:2]) + [m[2]],
    "iadd": lambda lib, m: (lambda s: s.__iadd__(lib.Sequential(*m[2:])) is s and s)(lib.Sequential(*m[:2])),
    "iadd_bad": lambda lib, m: lib.Sequential(*m[:2]).__iadd__([m[2]]),
    "mul": lambda lib, m: lib.Sequential(*m[:2]) * 3,
    "rmul": lambda lib, m: 2 * lib.Sequential(*m[:2]),
    "imul": lambda lib, m: (lambda s: s.__imul__(3) is s and s)(lib.Sequential(*m[:2])),
    "mul_zero": lambda lib, m: lib.Sequential(*m[:2]) * 0,
    "mul_float": lambda lib, m: lib.Sequential(*m[:2]) * 2.0,
    "slice": lambda lib, m: lib.Sequential(*m)[1:3],
    "slice_named": lambda lib, m: lib.Sequential(OrderedDict(a=m[0], b=m[1], c=m[2]))[::2],
    "setitem": lambda lib, m: (lambda s: (s.__setitem__(-1, m[3]), s)[1])(lib.Sequential(*m[:3])),
}


@pytest.mark.parametrize("case", list(SEQ_CASES))
def test_sequential_as_torch(case):
    ours, theirs = _both(SEQ_CASES[case])
    assert ours == theirs


LIST_CASES = {
    "pop": lambda lib, m: (lambda s: (s.pop(0), s)[1])(lib.ModuleList(m)),
    "del_slice": lambda lib, m: (lambda s: (s.__delitem__(slice(1, None)), s)[1])(lib.ModuleList(m)),
    "insert": lambda lib, m: (lambda s: (s.insert(1, m[3]), s)[1])(lib.ModuleList(m[:3])),
    "iadd": lambda lib, m: (lambda s: s.__iadd__(m[2:]) is s and s)(lib.ModuleList(m[:2])),
    "add": lambda lib, m: lib.ModuleList(m[:2]) + lib.ModuleList(m[2:]),
    "add_list": lambda lib, m: lib.ModuleList(m[:2]) + m[2:],
    "slice": lambda lib, m: lib.ModuleList(m)[::-1],
    "extend_bad": lambda lib, m: lib.ModuleList(m[:2]).extend(3),
    "getitem_bad": lambda lib, m: lib.ModuleList(m)[7],
}


@pytest.mark.parametrize("case", list(LIST_CASES))
def test_module_list_as_torch(case):
    ours, theirs = _both(LIST_CASES[case])
    assert ours == theirs


def test_mul_reuses_the_same_modules_and_parameters():
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, nn.Tanh()) * 2
    assert seq[0] is seq[2] is lin
    assert len(list(seq.parameters())) == 2
    x = ag.ones(1, 2)
    assert seq(x).tolist() == nn.Sequential(lin, nn.Tanh(), lin, nn.Tanh())(x).tolist()
    assert "0" not in dir(seq) and "forward" in dir(seq)


def test_module_dict_as_torch():
    for lib in (nn, torch.nn):
        a, b, c = lib.ReLU(), lib.Tanh(), lib.Sigmoid()
        d = lib.ModuleDict({"b": b, "a": a})
        assert list(d.keys()) == ["b", "a"]  # a dict keeps its order, as PyTorch
        d.update([("c", c)])
        d.update(lib.ModuleDict({"a": c}))
        assert list(d.items()) == [("b", b), ("a", c), ("c", c)]
        assert d.pop("b") is b and list(d) == ["a", "c"]
        with pytest.raises(TypeError, match="iterable of key/value pairs"):
            d.update(3)
        with pytest.raises(TypeError, match="should be Iterable"):
            d.update([3])
        with pytest.raises(ValueError, match="has length 3; 2 is required"):
            d.update([("x", a, b)])
        d.clear()
        assert len(d) == 0


def test_parameter_containers_as_torch():
    out = []
    for lib, mk in ((nn, ag.ones), (torch.nn, torch.ones)):
        pl = lib.ParameterList([mk(1), lib.Parameter(mk(2))])
        pl += [mk(3)]
        pl.append("note")
        pl.extend([mk(4)])
        pd = lib.ParameterDict({"w": mk(2)})
        pd.setdefault("b", mk(1))
        pd.update([("z", mk(3))])
        popped = pd.pop("w")
        fk = pd.fromkeys(["p", "q"], lib.Parameter(mk(1)))
        key, last = pd.popitem()
        merged = pd | {"n": mk(5)}
        out.append(([type(p).__name__ for p in pl], [n for n, _ in pl.named_parameters()],
                    tuple(popped.shape), list(fk.keys()), key, tuple(last.shape), list(merged.keys()),
                    [tuple(v.shape) for v in merged.values()], pd.get("missing", 7), "b" in pd,
                    len(pl[1:]), list(reversed(merged))))
    ours, theirs = out
    assert ours[0] == theirs[0] == ["Parameter"] * 3 + ["str", "Parameter"]
    assert ours[1:] == theirs[1:]
