"""xpgrad's neural network package, in the role of ``torch.nn``.

Example::

    >>> import autograd as ag, nn
    >>> model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
    >>> list(model.state_dict())
    ['0.weight', '0.bias', '2.weight', '2.bias']
"""
from . import functional, init, utils
from .modules import *  # noqa: F401,F403
from .modules import __all__ as _modules_all
from .parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter
from . import parallel  # noqa: E402  (DistributedDataParallel; needs the modules above)
from .parallel.sync_batchnorm import SyncBatchNorm  # noqa: E402
from .parallel.data_parallel import DataParallel  # noqa: E402

__all__ = ["Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer", "SyncBatchNorm",
           "DataParallel", "functional", "init", "parallel",
           "utils"] + list(_modules_all)
