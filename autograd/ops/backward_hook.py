"""The identity op that carries a module's backward hooks (``nn/modules/backward_hooks.py``),
as PyTorch's ``BackwardHookFunction`` (torch/utils/hooks.py)."""
from __future__ import annotations

from ..function import Function


class BackwardHookFunction(Function):
    """Identity on its Tensors; its backward runs the owning :class:`BackwardHook`'s step."""

    @staticmethod
    def forward(ctx, *args):
        ctx.mark_non_differentiable(*[a for a in args if not a.requires_grad])
        return args

    @staticmethod
    def backward(ctx, *grads):
        step = ctx.__dict__.get("hook_step")
        out = grads if step is None else step(grads)
        return tuple(out)
