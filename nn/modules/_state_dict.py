"""``state_dict()`` and ``load_state_dict()`` of :class:`nn.Module`: PyTorch's keys, strictness and errors."""
from __future__ import annotations

import itertools
import weakref
from collections import OrderedDict, namedtuple
from collections.abc import Mapping

from autograd import Tensor, backend
from autograd.grad_mode import no_grad


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def _to_array(value, like, key):
    """The values of a checkpoint entry (xpgrad/PyTorch tensor, NumPy/CuPy array) as ``like``'s array
    (``like=None``: in the entry's own dtype, on the CPU unless it is a device array)."""
    if isinstance(value, Tensor):
        src = value._data
    elif hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch.Tensor (duck-typed)
        value = value.detach().cpu()
        if str(getattr(value, "dtype", "")) == "torch.bfloat16":  # NumPy has no bfloat16
            value = value.float()
        src = value.numpy()
    elif backend.is_array(value) or hasattr(value, "__array__"):
        src = value
    else:
        raise TypeError(f'While copying the parameter named "{key}", expected a Tensor or array-like '
                        f"object from checkpoint but received {type(value)}")
    if like is None:
        return backend.asarray(src)
    return backend.asarray(src, dtype=like.dtype, device=like.device)


def _assigned(value, old, key):
    """What ``load_state_dict(assign=True)`` puts in ``old``'s place, as PyTorch: the checkpoint's
    tensor itself (its dtype and memory kept; wrapped as a Parameter, with ``old``'s
    requires_grad, where ``old`` is one)."""
    from ..parameter import Parameter

    new = value if isinstance(value, Tensor) else Tensor._make(_to_array(value, None, key), old.device)
    if isinstance(old, Parameter):
        if isinstance(new, Parameter):
            new.requires_grad_(old.requires_grad)
        else:
            new = Parameter(new.detach(), requires_grad=old.requires_grad)
    return new


_EXTRA_STATE = "_extra_state"


class _WithModule:
    """A load-state-dict pre-hook called with its module first (held weakly, as PyTorch's _WrappedHook)."""

    def __init__(self, hook, module):
        self.hook, self.module = hook, weakref.ref(module)

    def __call__(self, *args, **kwargs):
        module = self.module()
        if module is None:
            raise RuntimeError("You are trying to call the hook of a dead Module!")
        return self.hook(module, *args, **kwargs)


def _hook_handle(hooks, hook):
    from .hooks import RemovableHandle

    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    return handle


class _StateDictMixin:
    """The state-dict half of :class:`~nn.Module` (it reads ``_parameters``, ``_buffers``, ``_modules``)."""

    def get_extra_state(self):
        """The module's extra state for ``state_dict()`` (override with :meth:`set_extra_state`)."""
        raise RuntimeError("Reached a code path in Module.get_extra_state() that should never be called. "
                           "Please file an issue at https://github.com/pytorch/pytorch/issues/new?template="
                           "bug-report.yml to report this bug.")

    def set_extra_state(self, state):
        """Restore the extra state that :meth:`get_extra_state` returned, from ``load_state_dict()``."""
        raise RuntimeError("Reached a code path in Module.set_extra_state() that should never be called. "
                           "Please file an issue at https://github.com/pytorch/pytorch/issues/new?template="
                           "bug-report.yml to report this bug.")

    def register_state_dict_pre_hook(self, hook):
        """Call ``hook(module, prefix, keep_vars)`` before ``state_dict()`` saves this module."""
        return _hook_handle(self._state_dict_pre_hooks, hook)

    def register_state_dict_post_hook(self, hook):
        """Call ``hook(module, state_dict, prefix, local_metadata)`` after ``state_dict()`` saved this
        module and its children; it may change ``state_dict`` in place and must return None."""
        hook._from_public_api = True
        return _hook_handle(self._state_dict_hooks, hook)

    def _register_state_dict_hook(self, hook):
        """The private form of :meth:`register_state_dict_post_hook`: a returned dict replaces the
        state dict (respected for the module ``state_dict()`` is called on, as PyTorch)."""
        if getattr(hook, "_from_public_api", False):
            raise RuntimeError("Cannot register the same function as the state dict post hook that was "
                               "previously registered via register_state_dict_post_hook")
        return _hook_handle(self._state_dict_hooks, hook)

    def register_load_state_dict_pre_hook(self, hook):
        """Call ``hook(module, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
        error_msgs)`` before this module's entries are loaded."""
        return self._register_load_state_dict_pre_hook(hook, with_module=True)

    def _register_load_state_dict_pre_hook(self, hook, with_module=False):
        return _hook_handle(self._load_state_dict_pre_hooks, _WithModule(hook, self) if with_module else hook)

    def register_load_state_dict_post_hook(self, hook):
        """Call ``hook(module, incompatible_keys)`` after this module and its children were loaded;
        it may change ``incompatible_keys.missing_keys`` / ``unexpected_keys`` in place (what
        ``strict`` then checks) and must return None."""
        return _hook_handle(self._load_state_dict_post_hooks, hook)

    def _has_extra_state(self, method):
        return getattr(type(self), method) is not getattr(_StateDictMixin, method)

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        for name, p in self._parameters.items():
            if p is not None:
                destination[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = b if keep_vars else b.detach()
        if self._has_extra_state("get_extra_state"):
            destination[prefix + _EXTRA_STATE] = self.get_extra_state()

    def state_dict(self, *, destination=None, prefix="", keep_vars=False):
        """An ``OrderedDict`` of parameters and persistent buffers, keyed as in PyTorch.

        Values are detached tensors that share memory with the module (``keep_vars=True``
        gives the parameters themselves).
        """
        if destination is None:
            destination = OrderedDict()
            destination._metadata = OrderedDict()
        metadata = getattr(destination, "_metadata", None)
        local_metadata = {"version": self._version}
        if metadata is not None:  # each module's version, for _load_from_state_dict's migrations
            metadata[prefix[:-1]] = local_metadata
        for hook in self._state_dict_pre_hooks.values():
            hook(self, prefix, keep_vars)
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, m in self._modules.items():
            if m is not None:
                m.state_dict(destination=destination, prefix=prefix + name + ".", keep_vars=keep_vars)
        for hook in self._state_dict_hooks.values():
            result = hook(self, destination, prefix, local_metadata)
            if not getattr(hook, "_from_public_api", False):
                if result is not None:
                    destination = result
            elif result is not None:
                raise RuntimeError("state_dict post-hook must return None")
        return destination

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs):
        """Copy this module's own entries of ``state_dict`` (not its children's), as PyTorch."""
        for hook in self._load_state_dict_pre_hooks.values():
            hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs)
        persistent = {k: v for k, v in self._buffers.items() if k not in self._non_persistent_buffers_set}
        local_state = {k: v for k, v in itertools.chain(self._parameters.items(), persistent.items())
                       if v is not None}
        assign = local_metadata.get("assign_to_params_buffers", False)
        for name, param in local_state.items():
            key = prefix + name
            if key not in state_dict:
                if strict:
                    missing_keys.append(key)
                continue
            value = state_dict[key]
            shape = tuple(getattr(value, "shape", ()))
            if len(param.shape) == 0 and shape == (1,):
                value, shape = value[0], ()
            if shape != tuple(param.shape):
                error_msgs.append(
                    f"size mismatch for {key}: copying a param with shape {shape} from checkpoint, "
                    f"the shape in current model is {tuple(param.shape)}.")
                continue
            try:
                arr = _to_array(value, param, key)
            except TypeError as e:
                error_msgs.append(str(e))
                continue
            if assign:
                setattr(self, name, _assigned(value, param, key))
            else:
                param._data[...] = arr
                param._bump()
        extra = prefix + _EXTRA_STATE
        takes_extra = self._has_extra_state("set_extra_state")
        if takes_extra:
            if extra in state_dict:
                self.set_extra_state(state_dict[extra])
            elif strict:
                missing_keys.append(extra)
        if strict:
            for key in state_dict:
                if key.startswith(prefix) and key != extra:
                    parts = key[len(prefix):].split(".", 1)
                    if len(parts) > 1:
                        if parts[0] not in self._modules:
                            unexpected_keys.append(key)
                    elif parts[0] not in local_state:
                        unexpected_keys.append(key)
            if extra in state_dict and not takes_extra:
                unexpected_keys.append(extra)

    def load_state_dict(self, state_dict, strict=True, assign=False):
        """Copy parameters and buffers from ``state_dict`` into this module and its descendants.

        Values may be xpgrad tensors, PyTorch tensors or NumPy/CuPy arrays; they are
        cast to each parameter's dtype and device and copied in place.

        Args:
            state_dict (dict): as returned by ``state_dict()`` (here or in PyTorch).
            strict (bool): require the keys to match exactly. Default: True.
            assign (bool): replace the parameters' arrays instead of copying into them.

        Returns:
            ``NamedTuple`` with ``missing_keys`` and ``unexpected_keys``.

        Raises:
            RuntimeError: listing missing/unexpected keys (when strict) and shape mismatches.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing, unexpected, errors = [], [], []
        metadata = getattr(state_dict, "_metadata", None) or {}

        def load(module, local, prefix=""):
            local_metadata = dict(metadata.get(prefix[:-1], {}))
            if assign:
                local_metadata["assign_to_params_buffers"] = assign
            module._load_from_state_dict(local, prefix, local_metadata, True, missing, unexpected, errors)
            for name, child in module._modules.items():
                if child is not None:
                    child_prefix = prefix + name + "."
                    load(child, {k: v for k, v in local.items() if k.startswith(child_prefix)}, child_prefix)
            incompatible = _IncompatibleKeys(missing, unexpected)  # the hooks may change the lists
            for hook in module._load_state_dict_post_hooks.values():
                if hook(module, incompatible) is not None:
                    raise AssertionError(
                        "Hooks registered with ``register_load_state_dict_post_hook`` are not expected to "
                        "return new values, if incompatible_keys need to be modified, it should be done "
                        "inplace.")

        with no_grad():
            load(self, OrderedDict(state_dict))
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in unexpected)))
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in missing)))
        if errors:
            raise RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(
                type(self).__name__, "\n\t".join(errors)))
        return _IncompatibleKeys(missing, unexpected)
