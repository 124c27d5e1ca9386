"""``nn.utils.weight_norm`` / ``remove_weight_norm``: the weight as ``g * v / ||v||``.

PyTorch's original, hook-based API: the parameter ``name`` is replaced by
``name_g`` (magnitude) and ``name_v`` (direction), and a forward pre-hook
recomputes ``name`` from them before every call, so ``state_dict`` keys and
values are PyTorch's.
"""
from __future__ import annotations

from autograd.grad_mode import no_grad

from ..parameter import Parameter

__all__ = ["weight_norm", "remove_weight_norm", "norm_except_dim"]


def norm_except_dim(v, pow=2, dim=0):
    """The ``pow``-norm of ``v`` over every dimension but ``dim`` (all of them for ``dim=-1``)."""
    if dim == -1:
        return v.norm(pow)
    if not -v.ndim <= dim < v.ndim:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-v.ndim}, {v.ndim - 1}], "
                         f"but got {dim})")
    dim = dim % v.ndim
    others = tuple(d for d in range(v.ndim) if d != dim)
    return v.abs().pow(pow).sum(dim=others, keepdim=True).pow(1.0 / pow)


class WeightNorm:
    """The forward pre-hook of :func:`weight_norm` (PyTorch's ``WeightNorm``)."""

    def __init__(self, name, dim):
        self.name = name
        self.dim = -1 if dim is None else dim

    def compute_weight(self, module):
        g = getattr(module, self.name + "_g")
        v = getattr(module, self.name + "_v")
        return v * (g / norm_except_dim(v, 2, self.dim))

    @staticmethod
    def apply(module, name, dim):
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two weight_norm hooks on the same parameter {name}")
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        if weight is None:
            raise ValueError(f"weight_norm: module has no parameter {name!r}")
        del module._parameters[name]
        module.register_parameter(name + "_g", Parameter(norm_except_dim(weight, 2, fn.dim).detach()))
        module.register_parameter(name + "_v", Parameter(weight.detach()))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module):
        with no_grad():
            weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        setattr(module, self.name, Parameter(weight.detach()))

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module))


def _remove_hook(module, name, kind, what):
    for k, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, kind) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"{what} of '{name}' not found in {module}")


def weight_norm(module, name="weight", dim=0):
    """Reparameterise ``module.<name>`` as ``name_g * name_v / ||name_v||`` (norm over all but ``dim``).

    Args:
        module: the module holding the parameter.
        name: the parameter's name.
        dim: the dimension kept by the norm (``None`` or -1: one norm over the whole tensor).

    Example::

        >>> m = nn.utils.weight_norm(nn.Linear(20, 40), name="weight")
        >>> m.weight_g.shape, m.weight_v.shape
        ((40, 1), (40, 20))
    """
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module, name="weight"):
    """Undo :func:`weight_norm`: ``name`` becomes a plain parameter holding the current weight."""
    return _remove_hook(module, name, WeightNorm, "weight_norm")
