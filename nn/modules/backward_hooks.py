"""Module backward hooks, as PyTorch's ``BackwardHook`` (torch/utils/hooks.py).

An identity Function is applied to a hooked module's positional Tensor inputs and
another to its outputs. In the backward the outputs' node runs first: it sees the
gradients w.r.t. the outputs (``None`` for an output that got none), runs the
backward pre-hooks and keeps them; the inputs' node then runs the full backward
hooks with the gradients w.r.t. the inputs and passes on what they return.

PyTorch forbids in-place changes of the wrapped tensors in grad mode (they are views
made by a custom Function). Here a recorded in-place op never writes into their arrays,
and they share their sources' version counters, so a backward that would read a value
changed in place raises; the in-place op itself is allowed.
"""
from __future__ import annotations

import warnings

from autograd import Tensor
from autograd.ops.backward_hook import BackwardHookFunction
from autograd.grad_mode import state


class BackwardHook:
    """The backward hooks of one call of ``module``: wraps its inputs and outputs."""

    def __init__(self, module, user_hooks, user_pre_hooks):
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.module = module
        self.grad_outputs = None
        self.n_outputs = -1
        self.output_tensors_index = None
        self.n_inputs = -1
        self.input_tensors_index = None

    @staticmethod
    def _pack_with_none(indices, values, size):
        res = [None] * size
        for idx, val in zip(indices, values):
            res[idx] = val
        return tuple(res)

    def _input_step(self, grad_input):
        """The inputs' node: the full backward hooks see and may replace the gradients."""
        if self.grad_outputs is None:  # reached without passing the module's outputs (double backward)
            return grad_input
        res = self._pack_with_none(self.input_tensors_index, grad_input, self.n_inputs)
        for hook in self.user_hooks:
            out = hook(self.module, res, self.grad_outputs)
            if out is None:
                continue
            if len(out) != len(res):
                raise RuntimeError("Backward hook returned an invalid number of grad_input, "
                                   f"got {len(out)}, but expected {len(res)}")
            res = out
        self.grad_outputs = None
        return [res[i] for i in self.input_tensors_index]

    def _output_step(self, grad_output):
        """The outputs' node: the pre-hooks see and may replace the gradients w.r.t. the outputs."""
        self.grad_outputs = self._pack_with_none(self.output_tensors_index, grad_output, self.n_outputs)
        expected = len(self.grad_outputs)
        for hook in self.user_pre_hooks:
            new = hook(self.module, self.grad_outputs)
            if new is None:
                continue
            if len(new) != expected:
                raise RuntimeError("Backward pre hook returned an invalid number of grad_output, "
                                   f"got {len(new)}, but expected {expected}")
            self.grad_outputs = new
        local = self.grad_outputs
        if self.input_tensors_index is None:  # no input requires grad: the hooks fire here
            warnings.warn("Full backward hook is firing when gradients are computed with respect to module "
                          "outputs since no inputs require gradients. See https://docs.pytorch.org/docs/main/"
                          "generated/torch.nn.Module.html#torch.nn.Module.register_full_backward_hook "
                          "for more details.", stacklevel=2)
            grad_inputs = (None,) * self.n_inputs
            for hook in self.user_hooks:
                res = hook(self.module, grad_inputs, self.grad_outputs)
                if res is not None and not (isinstance(res, tuple) and all(r is None for r in res)):
                    raise RuntimeError("Backward hook for Modules where no input requires gradient should "
                                       "always return None or None for all gradients.")
            self.grad_outputs = None
        return [local[i] for i in self.output_tensors_index]

    def _apply_on_tensors(self, step, args, materialize):
        idx = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        tensors = [args[i] for i in idx]
        if not (state.enabled and any(t.requires_grad for t in tensors)):
            return args, None
        new = BackwardHookFunction.apply(*tensors)
        node = next(t.grad_fn for t in new if t.grad_fn is not None)
        node.hook_step = step
        if not materialize:  # the outputs' hooks see None for an output that got no gradient
            node._out_metas = (None,) * len(new)
        for t, src in zip(new, tensors):
            # an input returned as-is is a view in PyTorch: one version counter, so that an in-place
            # change of the output makes a node that saved the input raise (the array is shared)
            if src._version is None:
                src._version = [0]
            t._version = src._version
        out = list(args)
        for i, t in zip(idx, new):
            out[i] = t
        return (tuple(out) if type(args) is tuple else type(args)(*out)), idx

    def setup_input_hook(self, args):
        """Wrap the module's positional Tensor inputs."""
        res, self.input_tensors_index = self._apply_on_tensors(self._input_step, args, True)
        self.n_inputs = len(args)
        return res

    def setup_output_hook(self, result):
        """Wrap the module's output (a Tensor or a tuple of them)."""
        is_tuple = isinstance(result, tuple)
        args = result if is_tuple else (result,)
        res, self.output_tensors_index = self._apply_on_tensors(self._output_step, args, False)
        self.n_outputs = len(args)
        return res if is_tuple else res[0]
