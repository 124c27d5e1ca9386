"""Module hooks: forward (pre-)hooks, full backward (pre-)hooks, their global forms, removal handles,
and the call path that runs them (PyTorch's ``Module._call_impl``)."""
from __future__ import annotations

import itertools
import warnings
from collections import OrderedDict

from autograd import Tensor

from .backward_hooks import BackwardHook

_HANDLE_IDS = itertools.count()

# hooks of every module (``register_module_*``)
_global_forward_pre_hooks = OrderedDict()
_global_forward_hooks = OrderedDict()
_global_forward_hooks_with_kwargs = OrderedDict()
_global_forward_hooks_always_called = OrderedDict()
_global_backward_hooks = OrderedDict()
_global_backward_pre_hooks = OrderedDict()
_global_is_full_backward_hook = None


class RemovableHandle:
    """Returned by the ``register_*_hook`` methods; ``remove()`` detaches the hook."""

    def __init__(self, *hook_dicts):
        self.hook_dicts = hook_dicts
        self.id = next(_HANDLE_IDS)

    def remove(self):
        for d in self.hook_dicts:
            if isinstance(d, set):
                d.discard(self.id)
            else:
                d.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _add(hooks, hook, prepend=False, *flags):
    """Register ``hook`` in ``hooks`` (first with ``prepend``); its id goes into each dict of ``flags``."""
    handle = RemovableHandle(hooks, *flags)
    hooks[handle.id] = hook
    for f in flags:
        f[handle.id] = True
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle


def register_module_forward_pre_hook(hook):
    """A forward pre-hook of every module (run before the modules' own)."""
    return _add(_global_forward_pre_hooks, hook)


def register_module_forward_hook(hook, *, with_kwargs=False, always_call=False):
    """A forward hook of every module (run before the modules' own)."""
    flags = [d for d, on in ((_global_forward_hooks_with_kwargs, with_kwargs),
                             (_global_forward_hooks_always_called, always_call)) if on]
    handle = _add(_global_forward_hooks, hook, False, *flags)
    handle.hook_dicts = (_global_forward_hooks, _global_forward_hooks_with_kwargs,
                         _global_forward_hooks_always_called)
    return handle


def register_module_full_backward_pre_hook(hook):
    """A backward pre-hook of every module."""
    return _add(_global_backward_pre_hooks, hook)


def register_module_full_backward_hook(hook):
    """A full backward hook of every module."""
    global _global_is_full_backward_hook
    if _global_is_full_backward_hook is False:
        raise RuntimeError("Cannot use both regular backward hooks and full backward hooks as a global "
                           "Module hook. Please use only one of them.")
    _global_is_full_backward_hook = True
    return _add(_global_backward_hooks, hook)


def register_module_backward_hook(hook):
    """The old global backward hook; here it runs as a full backward hook (see ``register_backward_hook``)."""
    global _global_is_full_backward_hook
    if _global_is_full_backward_hook is True:
        raise RuntimeError("Cannot use both regular backward hooks and full backward hooks as a global "
                           "Module hook. Please use only one of them.")
    _global_is_full_backward_hook = False
    return _add(_global_backward_hooks, hook)


class _HooksMixin:
    """The hook half of :class:`~nn.Module`."""

    def _init_hooks(self, d):
        for name in ("_forward_pre_hooks", "_forward_hooks", "_forward_pre_hooks_with_kwargs",
                     "_forward_hooks_with_kwargs", "_forward_hooks_always_called",
                     "_backward_hooks", "_backward_pre_hooks", "_state_dict_pre_hooks",
                     "_state_dict_hooks", "_load_state_dict_pre_hooks", "_load_state_dict_post_hooks"):
            d[name] = OrderedDict()
        d["_is_full_backward_hook"] = None

    def _call_with_hooks(self, args, kwargs):
        result = None
        called = set()  # always_call hooks that ran
        try:
            # the old (non-full) hooks run as full ones: see register_backward_hook
            full = [*_global_backward_hooks.values(), *self._backward_hooks.values()]
            pre = [*_global_backward_pre_hooks.values(), *self._backward_pre_hooks.values()]
            for hid, hook in (*_global_forward_pre_hooks.items(), *self._forward_pre_hooks.items()):
                if hid in self._forward_pre_hooks_with_kwargs:
                    res = hook(self, args, kwargs)
                    if res is not None:
                        if not (isinstance(res, tuple) and len(res) == 2):
                            raise RuntimeError("forward pre-hook must return None or a tuple of "
                                               f"(new_args, new_kwargs), but got {res}.")
                        args, kwargs = res
                else:
                    res = hook(self, args)
                    if res is not None:
                        args = res if isinstance(res, tuple) else (res,)
            bw_hook = None
            if full or pre:
                bw_hook = BackwardHook(self, full, pre)
                args = bw_hook.setup_input_hook(args)
            result = self.forward(*args, **kwargs)
            for hid, hook in (*_global_forward_hooks.items(), *self._forward_hooks.items()):
                if hid in self._forward_hooks_always_called or hid in _global_forward_hooks_always_called:
                    called.add(hid)
                if hid in self._forward_hooks_with_kwargs or hid in _global_forward_hooks_with_kwargs:
                    res = hook(self, args, kwargs, result)
                else:
                    res = hook(self, args, result)
                if res is not None:
                    result = res
            if bw_hook:
                if not isinstance(result, (Tensor, tuple)):
                    warnings.warn("For backward hooks to be called, module output should be a Tensor or a "
                                  f"tuple of Tensors but received {type(result)}", stacklevel=3)
                result = bw_hook.setup_output_hook(result)
            return result
        except Exception:
            self._run_always_called(called, args, kwargs, result)
            raise

    def _run_always_called(self, called, args, kwargs, result):
        """After forward (or a hook) raised: the ``always_call`` forward hooks that did not run yet."""
        for where, hooks, always, with_kwargs in (
                ("global module", _global_forward_hooks, _global_forward_hooks_always_called, ()),
                ("module", self._forward_hooks, self._forward_hooks_always_called,
                 self._forward_hooks_with_kwargs)):
            for hid, hook in hooks.items():
                if hid not in always or hid in called:
                    continue
                try:
                    res = hook(self, args, kwargs, result) if hid in with_kwargs else hook(self, args, result)
                    if res is not None:
                        result = res
                except Exception as e:
                    warnings.warn(f"{where} forward hook with ``always_call=True`` raised an exception that "
                                  f"was silenced as another error was raised in forward: {e}", stacklevel=3)

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """Call ``hook(module, args)`` before ``forward``; it may return new args.

        With ``with_kwargs=True`` the hook is ``hook(module, args, kwargs)`` and may
        return ``(args, kwargs)``. Returns a handle whose ``remove()`` detaches it.
        """
        handle = _add(self._forward_pre_hooks, hook, prepend,
                      *([self._forward_pre_hooks_with_kwargs] if with_kwargs else []))
        handle.hook_dicts = (self._forward_pre_hooks, self._forward_pre_hooks_with_kwargs)
        return handle

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False, always_call=False):
        """Call ``hook(module, args, output)`` after ``forward``; it may return a new output.

        With ``with_kwargs=True`` the hook is ``hook(module, args, kwargs, output)``; with
        ``always_call=True`` it also runs when ``forward`` raises. Returns a removable handle.
        """
        flags = [d for d, on in ((self._forward_hooks_with_kwargs, with_kwargs),
                                 (self._forward_hooks_always_called, always_call)) if on]
        handle = _add(self._forward_hooks, hook, prepend, *flags)
        handle.hook_dicts = (self._forward_hooks, self._forward_hooks_with_kwargs,
                             self._forward_hooks_always_called)
        return handle

    def register_full_backward_pre_hook(self, hook, prepend=False):
        """Call ``hook(module, grad_output)`` when the gradients w.r.t. the module's outputs are
        computed; it may return a new ``grad_output`` tuple. Returns a removable handle."""
        return _add(self._backward_pre_hooks, hook, prepend)

    def register_full_backward_hook(self, hook, prepend=False):
        """Call ``hook(module, grad_input, grad_output)`` when the gradients w.r.t. the module's
        positional Tensor inputs are computed; it may return a new ``grad_input`` tuple.

        ``grad_input`` has one entry per positional argument (``None`` for non-Tensors).
        The module's inputs and outputs may not be modified in place while grad mode is on.
        Returns a removable handle.
        """
        if self._is_full_backward_hook is False:
            raise RuntimeError("Cannot use both regular backward hooks and full backward hooks on a single "
                               "Module. Please use only one of them.")
        self._is_full_backward_hook = True
        return _add(self._backward_hooks, hook, prepend)

    def register_backward_hook(self, hook):
        """Deprecated: PyTorch's hook sees the gradients of the module's last operation only.
        Here it is registered as a full backward hook (the documented behaviour)."""
        if self._is_full_backward_hook is True:
            raise RuntimeError("Cannot use both regular backward hooks and full backward hooks on a single "
                               "Module. Please use only one of them.")
        self._is_full_backward_hook = False
        return _add(self._backward_hooks, hook)
