"""``nn.utils.stateless.functional_call`` (also ``torch.func.functional_call``): run a module with
some of its parameters and buffers replaced by given tensors, and restore them afterwards."""
from __future__ import annotations

import contextlib

__all__ = ["functional_call"]

_MISSING = object()


def _owner(module, name):
    path, _, attr = name.rpartition(".")
    return (module.get_submodule(path) if path else module), attr


@contextlib.contextmanager
def swapped(module, values, tie_weights=True, strict=False):
    """Inside, ``module``'s parameters and buffers named in ``values`` are those tensors (tied
    names follow with ``tie_weights``); names the module lacks become plain attributes."""
    named, tied = {}, {}
    for registry, items in (("_parameters", module.named_parameters(remove_duplicate=False)),
                            ("_buffers", module.named_buffers(remove_duplicate=False))):
        for name, t in items:
            named[name] = _owner(module, name) + (registry,)
            tied.setdefault(id(t), []).append(name)
    plan = dict(values)
    if tie_weights:
        for names in tied.values():
            given = [n for n in names if n in values]
            if any(values[n] is not values[given[0]] for n in given[1:]):
                raise ValueError(f"functional_call got multiple values for keys {given}, which are tied. "
                                 "Consider using tie_weights=False")
            for n in names if given else ():
                plan.setdefault(n, values[given[0]])
    if strict:
        missing, unexpected = [n for n in named if n not in plan], [n for n in values if n not in named]
        if missing or unexpected:
            raise RuntimeError(f"Error(s) in reparametrizing for {type(module).__name__}:\n"
                               f"\tUnexpected key(s): {', '.join(map(repr, unexpected))}.\n"
                               f"\tMissing key(s): {', '.join(map(repr, missing))}.")
    saved = []
    try:
        for name, value in plan.items():
            if name in named:
                owner, attr, registry = named[name]
                slots = owner.__dict__[registry]
            else:
                owner, attr = _owner(module, name)
                slots = owner.__dict__
            saved.append((slots, attr, slots.get(attr, _MISSING)))
            slots[attr] = value
        yield
    finally:
        for slots, attr, old in reversed(saved):
            if old is _MISSING:
                slots.pop(attr, None)
            else:
                slots[attr] = old


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True,
                    strict=False):
    """``module(*args, **kwargs)`` with its parameters and buffers replaced by the tensors of
    ``parameter_and_buffer_dicts`` (a dict or a tuple of dicts keyed as ``named_parameters`` /
    ``named_buffers``); the module itself is unchanged afterwards.

    Example::

        >>> params = {k: v.detach() for k, v in model.named_parameters()}
        >>> out = functional_call(model, params, (x,))
    """
    dicts = parameter_and_buffer_dicts
    if isinstance(dicts, dict):
        values = dict(dicts)
    else:
        values = {}
        for d in dicts:
            for k in d:
                if k in values:
                    raise ValueError(f"{k} appeared in multiple dictionaries; behavior of functional call is "
                                     "ambiguous")
            values.update(d)
    args = () if args is None else args if isinstance(args, tuple) else (args,)
    with swapped(module, values, tie_weights, strict):
        return module(*args, **(kwargs or {}))
