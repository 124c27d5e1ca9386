"""``nn.Parameter``: a Tensor that a Module registers as one of its parameters."""
from __future__ import annotations

from autograd import Tensor
from autograd import backend


class Parameter(Tensor):
    """A Tensor that is a module parameter, as ``torch.nn.Parameter``.

    Assigning a ``Parameter`` as an attribute of a :class:`Module` registers it,
    so it appears in ``parameters()`` and ``state_dict()``. It shares memory with
    ``data`` and requires grad by default.

    Args:
        data (Tensor): the parameter's value (an empty float tensor when None).
        requires_grad (bool): whether the parameter requires gradient. Default: True.

    Example::

        >>> p = nn.Parameter(ag.zeros(2))
        >>> p
        Parameter containing:
        tensor([0., 0.], requires_grad=True)
    """

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            dev = backend.Device("cpu")
            arr = dev.xp.empty((0,), dtype=backend.get_default_dtype())
        elif isinstance(data, Tensor):
            arr, dev = data._data, data.device
        else:
            raise TypeError(f"Parameter expects a Tensor as data, got {type(data).__name__}")
        p = object.__new__(cls)
        p._data = arr
        p.device = dev
        p.grad = p.grad_fn = p._hooks = None
        p._output_nr = 0
        p._retains_grad = False
        p.requires_grad = False
        if isinstance(data, Tensor):
            if data._version is None:
                data._version = [0]
            p._version = data._version  # shares memory, so shares the version counter
        else:
            p._version = None
        if requires_grad:
            p.requires_grad_(True)
        return p

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = Parameter(Tensor._make(self._data.copy(), self.device), self.requires_grad)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol):
        raise TypeError("xpgrad parameters are not pickled; save a state_dict with ag.save")


__all__ = ["Parameter"]
