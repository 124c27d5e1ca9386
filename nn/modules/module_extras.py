"""``Module`` methods beyond the core registry (kept apart: ``module.py`` is at its size limit):
``set_submodule``, ``share_memory``, ``type``, ``to_empty`` and ``compile``, as PyTorch's."""
from __future__ import annotations

import autograd as ag


class _ExtrasMixin:
    __slots__ = ()

    def set_submodule(self, target, module, strict=False):
        """Replace (or, unless ``strict``, add) the submodule at dotted path ``target``.

        Raises ``ValueError`` for an empty target or a non-Module ``module``, and
        ``AttributeError`` for a missing parent, a missing attribute when ``strict``, or an
        existing attribute that is not a Module (PyTorch's messages).
        """
        from .module import Module

        if target == "":
            raise ValueError("Cannot set the submodule without a target name!")
        atoms = target.split(".")
        if not isinstance(module, Module):
            raise ValueError(f"`module` is not an nn.Module, found {type(module)}")
        parent = self if len(atoms) == 1 else self.get_submodule(".".join(atoms[:-1]))
        if strict and not hasattr(parent, atoms[-1]):
            raise AttributeError(parent._get_name() + " has no attribute `" + atoms[-1] + "`")
        if hasattr(parent, atoms[-1]) and not isinstance(getattr(parent, atoms[-1]), Module):
            raise AttributeError("`" + atoms[-1] + "` is not an nn.Module")
        setattr(parent, atoms[-1], module)

    def share_memory(self):
        """``share_memory_()`` on every parameter and buffer (memory is process-local here)."""
        return self._apply(lambda t: t.share_memory_())

    def type(self, dst_type):
        """Cast every parameter and buffer (integer buffers too, as PyTorch) to ``dst_type``."""
        return self._apply(lambda t: t.type(dst_type))

    def to_empty(self, *, device, recurse=True):
        """Parameters and buffers replaced by uninitialized tensors of the same shape on ``device``."""
        return self._apply(lambda t: ag.empty_like(t, device=device), recurse=recurse)

    def compile(self, *args, **kwargs):
        """``torch.compile`` for this module's calls: xpgrad runs eagerly, so nothing changes."""
        ag.compile(self, *args, **kwargs)
