"""PyTorch's type-promotion queries: promote_types, result_type, can_cast.

They answer with the rules the ops use (``backend.result_type``: dimensioned tensors, then 0-d
tensors, then Python numbers, a lower level counting only when its category is higher).
"""
from __future__ import annotations

import numbers

from .. import backend
from ..tensor import Tensor

__all__ = ["promote_types", "result_type", "can_cast"]

#: The class of dtypes (``numpy.dtype``), found without importing NumPy here (only the backend does)
_DTYPE_CLASS = type(backend.bool_).__mro__[-2]


def _dtype(name, arg, pos, value):
    if not isinstance(value, _DTYPE_CLASS):
        raise TypeError(f"{name}(): argument '{arg}' (position {pos}) must be torch.dtype, "
                        f"not {type(value).__name__}")
    return value


def promote_types(type1, type2):
    """The smallest dtype that both ``type1`` and ``type2`` convert to without leaving their category.

    Example::

        >>> ag.promote_types(ag.int32, ag.float16)
        dtype('float16')
    """
    return backend.promote_types(_dtype("promote_types", "type1", 1, type1),
                                 _dtype("promote_types", "type2", 2, type2))


def result_type(tensor, other):
    """The dtype of an arithmetic op on ``tensor`` and ``other`` (tensors or Python numbers).

    Example::

        >>> ag.result_type(ag.tensor([1], dtype=ag.int32), 1.0)
        dtype('float32')
    """
    dims, zero, scalars = [], [], []
    for value in (tensor, other):
        if isinstance(value, Tensor):
            (dims if value.ndim else zero).append(value._data.dtype)
        elif isinstance(value, numbers.Number) and not isinstance(value, complex):
            scalars.append(value)
        else:
            got = ", ".join("Tensor" if isinstance(v, Tensor) else type(v).__name__ for v in (tensor, other))
            raise TypeError(f"result_type() received an invalid combination of arguments - got ({got}), "
                            "but expected one of: (Tensor tensor, Tensor other), (Number scalar, Tensor "
                            "tensor), (Tensor tensor, Number other), (Number scalar1, Number scalar2)")
    return backend.result_type(dims, zero, scalars)


def can_cast(from_, to):
    """Whether PyTorch's casting rules allow ``from_`` to ``to``: any cast that does not lower the
    category (bool < integer < floating point).

    Example::

        >>> ag.can_cast(ag.float64, ag.int32), ag.can_cast(ag.int64, ag.float16)
        (False, True)
    """
    f, t = _dtype("can_cast", "from_", 1, from_), _dtype("can_cast", "to", 2, to)
    return backend.category(t) >= backend.category(f)
