"""Learning-rate schedulers, as ``torch.optim.lr_scheduler``.

A scheduler rewrites ``group["lr"]`` of its optimizer's param groups each time
``step()`` is called (once per epoch, or per batch for ``OneCycleLR``), after
``optimizer.step()``. Subclasses override only ``get_lr()``, written in
PyTorch's recursive (chainable) form so that the learning rates match
PyTorch's to the last bit; ``ReduceLROnPlateau`` reads a metric instead.
"""
from .base import LRScheduler, _LRScheduler  # noqa: F401  (the old name, outside __all__ as in PyTorch)
from .composite import ChainedScheduler, SequentialLR
from .cyclic import CosineAnnealingWarmRestarts, CyclicLR
from .decay import CosineAnnealingLR, ExponentialLR, LambdaLR, MultiStepLR, StepLR
from .factor import ConstantLR, LinearLR, MultiplicativeLR, PolynomialLR
from .one_cycle import OneCycleLR
from .plateau import ReduceLROnPlateau

__all__ = ["LRScheduler", "LambdaLR", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
           "OneCycleLR", "ReduceLROnPlateau", "MultiplicativeLR", "ConstantLR", "LinearLR", "PolynomialLR",
           "SequentialLR", "ChainedScheduler", "CyclicLR", "CosineAnnealingWarmRestarts"]
