"""``nn.utils.parametrize``: a tensor of a module computed from other parameters, as PyTorch's.

``register_parametrization(module, "weight", p)`` moves ``module.weight`` to
``module.parametrizations.weight.original`` (or ``original0``, ``original1``, ...
when ``p.right_inverse`` returns a tuple) and makes ``weight`` a property that
returns ``p(original)`` at each access, so ``state_dict`` keys are PyTorch's
(``parametrizations.weight.original``).
"""
from __future__ import annotations

from autograd import Tensor
from autograd.grad_mode import no_grad

from ..modules.container import ModuleDict, ModuleList
from ..parameter import Parameter

__all__ = ["register_parametrization", "remove_parametrizations", "is_parametrized",
           "ParametrizationList"]


def _as_original(value, like):
    """A Parameter (when ``like`` is one) or a plain tensor holding ``value``."""
    if isinstance(like, Parameter):
        return Parameter(value.detach(), requires_grad=like.requires_grad)
    return value.detach()


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor and its unconstrained original(s)."""

    def __init__(self, modules, original, unsafe=False):
        super().__init__(modules)
        self.unsafe = unsafe
        first = modules[0]
        with no_grad():
            new = first.right_inverse(original) if hasattr(first, "right_inverse") else original
        self.is_tensor = isinstance(new, Tensor)
        self.ntensors = 1 if self.is_tensor else len(new)
        if self.is_tensor:
            if new is not original and new.shape == original.shape:  # keep the Parameter object
                with no_grad():
                    original.copy_(new)
            elif new is not original:
                original = _as_original(new, original)
            self._register("original", original)
        else:
            for i, t in enumerate(new):
                self._register(f"original{i}", _as_original(t, original))

    def _register(self, name, value):
        if isinstance(value, Parameter):
            self.register_parameter(name, value)
        else:
            self.register_buffer(name, value)

    def forward(self):
        if self.is_tensor:
            x = self[0](self.original)
        else:
            x = self[0](*(getattr(self, f"original{i}") for i in range(self.ntensors)))
        for module in list(self)[1:]:
            x = module(x)
        return x


def _inject_new_class(module):
    cls = module.__class__
    module.__class__ = type(f"Parametrized{cls.__name__}", (cls,), {})


def _inject_property(module, name):
    def getter(self):
        return self.parametrizations[name]()

    def setter(self, value):
        raise RuntimeError(f"setting a parametrized tensor ({name!r}) is not supported in xpgrad; "
                           f"assign to parametrizations.{name}.original instead")

    setattr(module.__class__, name, property(getter, setter))


def is_parametrized(module, tensor_name=None):
    """Whether ``module`` has parametrizations (for ``tensor_name``, when given)."""
    params = module.__dict__.get("_modules", {}).get("parametrizations")
    if not isinstance(params, ModuleDict):
        return False
    return len(params) > 0 if tensor_name is None else tensor_name in params


def register_parametrization(module, tensor_name, parametrization, *, unsafe=False):
    """Make ``module.<tensor_name>`` the output of ``parametrization`` applied to a new original.

    Args:
        module: the module holding the tensor.
        tensor_name: a parameter or buffer name.
        parametrization: a Module; its optional ``right_inverse(value)`` gives the
            original(s) from the current value (a tensor, or a tuple of tensors).
        unsafe: accepted for PyTorch compatibility (shapes are not checked).
    """
    if is_parametrized(module, tensor_name):
        module.parametrizations[tensor_name].append(parametrization)
        return module
    original = getattr(module, tensor_name)
    plist = ParametrizationList([parametrization], original, unsafe=unsafe)
    delattr(module, tensor_name)
    if not is_parametrized(module):
        _inject_new_class(module)
        module.parametrizations = ModuleDict()
    module.parametrizations[tensor_name] = plist
    _inject_property(module, tensor_name)
    return module


def remove_parametrizations(module, tensor_name, leave_parametrized=True):
    """Undo :func:`register_parametrization`: ``tensor_name`` becomes a plain parameter again,
    holding the parametrized value (``leave_parametrized``) or the original."""
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"Module {module} does not have a parametrization on {tensor_name}")
    plist = module.parametrizations[tensor_name]
    if leave_parametrized:
        with no_grad():
            value = plist()
    elif plist.is_tensor:
        value = plist.original
    else:
        raise ValueError("Cannot leave unparametrized (`leave_parametrized=False`) a tensor that is "
                         "parametrized in terms of a sequence of tensors.")
    delattr(module.__class__, tensor_name)
    del module.parametrizations[tensor_name]
    first = plist.original if plist.is_tensor else plist.original0
    setattr(module, tensor_name, _as_original(value, first))
    if not is_parametrized(module):
        delattr(module, "parametrizations")
        module.__class__ = module.__class__.__bases__[0]
    return module
