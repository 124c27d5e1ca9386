"""Optimizer hooks, as PyTorch's: step pre/post hooks (per optimizer and global), state-dict hooks.

``_OptimizerHooks`` is a mixin of ``Optimizer``: each subclass's ``step`` is
wrapped once, when the class is defined, so that the hooks run around every
optimizer's step (a ``super().step()`` inside a step runs them only once).
"""
from __future__ import annotations

import functools
from collections import OrderedDict
from itertools import chain

from nn.modules.hooks import RemovableHandle

__all__ = ["register_optimizer_step_pre_hook", "register_optimizer_step_post_hook"]

_global_optimizer_pre_hooks = OrderedDict()
_global_optimizer_post_hooks = OrderedDict()

_HOOK_DICTS = ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks", "_optimizer_state_dict_pre_hooks",
               "_optimizer_state_dict_post_hooks", "_optimizer_load_state_dict_pre_hooks",
               "_optimizer_load_state_dict_post_hooks")


def _register(hooks, hook, prepend=False):
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle


def register_optimizer_step_pre_hook(hook):
    """Register a pre hook common to all optimizers: ``hook(optimizer, args, kwargs) -> None``.

    Returns:
        a handle whose ``remove()`` removes the hook.
    """
    return _register(_global_optimizer_pre_hooks, hook)


def register_optimizer_step_post_hook(hook):
    """Register a post hook common to all optimizers: ``hook(optimizer, args, kwargs) -> None``."""
    return _register(_global_optimizer_post_hooks, hook)


def _hook_step(step):
    """``step`` wrapped to run the step pre hooks (which may replace its arguments) and post hooks."""

    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        if self.__dict__.get("_in_hooked_step"):  # a subclass's step calling super().step()
            return step(self, *args, **kwargs)
        args = (self, *args)  # as PyTorch, the hooks' ``args`` start with the optimizer
        for pre_hook in chain(_global_optimizer_pre_hooks.values(), self._hooks("step_pre").values()):
            result = pre_hook(self, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(f"{step} must return None or a tuple of (new_args, new_kwargs), but "
                                       f"got {result}.")
                args, kwargs = result
        self._in_hooked_step = True
        try:
            out = step(*args, **kwargs)
        finally:
            del self._in_hooked_step
        for post_hook in chain(self._hooks("step_post").values(), _global_optimizer_post_hooks.values()):
            post_hook(self, args, kwargs)
        return out

    wrapper.hooked = True
    return wrapper


class _OptimizerHooks:
    """The ``register_*_hook`` methods of ``Optimizer``."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "hooked", False):
            cls.step = _hook_step(step)

    def _hooks(self, kind):
        return self.__dict__.setdefault(f"_optimizer_{kind}_hooks", OrderedDict())

    def register_step_pre_hook(self, hook):
        """Register a hook run before ``step``: ``hook(optimizer, args, kwargs) -> None or (args, kwargs)``.

        A returned pair replaces the arguments ``step`` is called with.

        Returns:
            a handle whose ``remove()`` removes the hook.
        """
        return _register(self._hooks("step_pre"), hook)

    def register_step_post_hook(self, hook):
        """Register a hook run after ``step``: ``hook(optimizer, args, kwargs) -> None``."""
        return _register(self._hooks("step_post"), hook)

    def register_state_dict_pre_hook(self, hook, prepend=False):
        """Register a hook run at the start of ``state_dict()``: ``hook(optimizer) -> None``.

        Args:
            hook (callable): the hook.
            prepend (bool): run it before the hooks already registered (default: False).
        """
        return _register(self._hooks("state_dict_pre"), hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        """Register a hook run at the end of ``state_dict()``: ``hook(optimizer, state_dict)``.

        A returned dict (not None) replaces the state dict.
        """
        return _register(self._hooks("state_dict_post"), hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        """Register a hook run before ``load_state_dict``: ``hook(optimizer, state_dict) -> dict or None``.

        A returned dict is loaded instead.
        """
        return _register(self._hooks("load_state_dict_pre"), hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        """Register a hook run at the end of ``load_state_dict``: ``hook(optimizer) -> None``."""
        return _register(self._hooks("load_state_dict_post"), hook, prepend)

    def _run_state_dict_pre_hooks(self):
        for hook in self._hooks("state_dict_pre").values():
            hook(self)

    def _run_state_dict_post_hooks(self, state_dict):
        for hook in self._hooks("state_dict_post").values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    def _run_load_state_dict_pre_hooks(self, state_dict):
        for hook in self._hooks("load_state_dict_pre").values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    def _run_load_state_dict_post_hooks(self):
        for hook in self._hooks("load_state_dict_post").values():
            hook(self)
