"""``nn.DataParallel``: a thin wrapper that runs its module on one device.

PyTorch's ``DataParallel`` splits each batch across the GPUs of one process.
xpgrad runs the wrapped module as is, on the device its parameters live on
(one device): programs that wrap their model keep working, and
``state_dict`` keys carry the ``module.`` prefix as PyTorch's do. For several
devices or processes use :class:`DistributedDataParallel`.
"""
from __future__ import annotations

from ..modules.module import Module

__all__ = ["DataParallel"]


class DataParallel(Module):
    """Runs ``module`` on one device; ``device_ids``, ``output_device`` and ``dim`` are accepted.

    Args:
        module: the module to run.
        device_ids: accepted for compatibility; only one device is used.
        output_device: accepted for compatibility.
        dim: the batch dimension (accepted for compatibility).

    Example::

        >>> model = nn.DataParallel(nn.Linear(2, 3))
        >>> list(model.state_dict())
        ['module.weight', 'module.bias']
        >>> model(ag.ones(4, 2)).shape
        (4, 3)
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DataParallel expects an nn.Module, got {type(module).__name__}")
        self.module = module
        self.device_ids = list(device_ids) if device_ids is not None else []
        self.output_device = output_device
        self.dim = dim

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)
