"""state_dict / load_state_dict hooks, against PyTorch on the same architecture."""
from __future__ import annotations

import pytest

import autograd as ag
import nn

torch = pytest.importorskip("torch")


def _net(lib):
    return lib.Sequential(lib.Linear(2, 3), lib.Sequential(lib.BatchNorm1d(3), lib.Linear(3, 1)))


def _record(lib):
    net, log = _net(lib), []
    for name, m in net.named_modules():
        m.register_state_dict_pre_hook(lambda mod, prefix, keep_vars, n=name: log.append(("pre", n, prefix,
                                                                                         keep_vars)))
        m.register_state_dict_post_hook(
            lambda mod, sd, prefix, meta, n=name: log.append(("post", n, prefix, list(sd), dict(meta))))
    sd = net.state_dict(keep_vars=True)
    return log, list(sd)


def test_state_dict_hooks_order_and_arguments_as_torch():
    assert _record(nn) == _record(torch.nn)


def test_state_dict_post_hook_mutates_and_must_return_none():
    for lib in (nn, torch.nn):
        net = _net(lib)
        net[1].register_state_dict_post_hook(lambda m, sd, prefix, meta: sd.pop(prefix + "1.bias"))
        with pytest.raises(RuntimeError, match="state_dict post-hook must return None"):
            net.state_dict()
        net = _net(lib)
        net[1].register_state_dict_post_hook(lambda m, sd, prefix, meta: sd.pop(prefix + "1.bias") and None)
        assert "1.1.bias" not in net.state_dict() and "1.1.weight" in net.state_dict()


def test_private_state_dict_hook_replaces_root_result():
    for lib in (nn, torch.nn):
        net = _net(lib)
        net._register_state_dict_hook(lambda m, sd, prefix, meta: {"only": 1})
        assert net.state_dict() == {"only": 1}
        net[1]._register_state_dict_hook(lambda m, sd, prefix, meta: {"ignored": 1})
        assert net.state_dict() == {"only": 1}

        def public(m, sd, prefix, meta):
            return None

        net.register_state_dict_post_hook(public)
        with pytest.raises(RuntimeError, match="previously registered via register_state_dict_post_hook"):
            net._register_state_dict_hook(public)


def _load_log(lib, strict):
    net, log = _net(lib), []
    src = _net(lib).state_dict()
    del src["1.1.bias"]
    src["extra"] = src["0.weight"]

    def pre(mod, sd, prefix, meta, strict_, missing, unexpected, errors):
        log.append(("pre", type(mod).__name__, prefix, sorted(sd), strict_, list(missing), list(unexpected)))

    def post(mod, keys):
        log.append(("post", type(mod).__name__, list(keys.missing_keys), list(keys.unexpected_keys)))
        if mod is net:  # the root forgives everything: strict loading then passes
            keys.missing_keys.clear()
            keys.unexpected_keys.clear()

    handles = []
    for m in net.modules():
        handles.append(m.register_load_state_dict_pre_hook(pre))
        handles.append(m.register_load_state_dict_post_hook(post))
    result = net.load_state_dict(src, strict=strict)
    for h in handles:
        h.remove()
    net.load_state_dict(net.state_dict())
    return log, (list(result.missing_keys), list(result.unexpected_keys))


@pytest.mark.parametrize("strict", [True, False])
def test_load_state_dict_hooks_as_torch(strict):
    assert _load_log(nn, strict) == _load_log(torch.nn, strict)


def test_load_post_hook_adding_a_key_makes_strict_fail_and_return_value_is_refused():
    for lib in (nn, torch.nn):
        net = _net(lib)
        h = net.register_load_state_dict_post_hook(lambda m, k: k.missing_keys.append("made.up"))
        with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "made.up"'):
            net.load_state_dict(net.state_dict())
        h.remove()
        net.load_state_dict(net.state_dict())
        net.register_load_state_dict_post_hook(lambda m, k: k)
        with pytest.raises(AssertionError, match="not expected to return new values"):
            net.load_state_dict(net.state_dict())


def test_private_load_pre_hook_without_module_and_checkpoint_migration():
    net = _net(nn)
    seen = []
    net[0]._register_load_state_dict_pre_hook(lambda sd, prefix, *rest: seen.append(prefix))

    def rename(mod, sd, prefix, *rest):  # an old checkpoint's key renamed before loading
        if prefix + "w" in sd:
            sd[prefix + "weight"] = sd.pop(prefix + "w")

    net[0].register_load_state_dict_pre_hook(rename)
    sd = net.state_dict()
    sd["0.w"] = ag.ones(3, 2)
    del sd["0.weight"]
    net.load_state_dict(sd)
    assert seen == ["0."] and net[0].weight.tolist() == [[1.0, 1.0]] * 3
