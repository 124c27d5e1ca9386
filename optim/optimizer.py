"""``Optimizer``: the base class of all optimizers, as ``torch.optim.Optimizer``.

An optimizer holds ``param_groups`` (a list of dicts: the parameters and the
hyperparameters that apply to them, filled from ``defaults``) and ``state``
(per-parameter buffers, created lazily on the first step and keyed by the
parameter tensor). ``state_dict()`` packs both in PyTorch's layout, with
integer parameter ids, so checkpoints read the same way.

Updates run in place on the parameters' backend arrays (``p._data``) under
no-grad: they record no graph nodes, keep the parameters' dtype, and bump the
parameters' version counters.
"""
from __future__ import annotations

import functools
import math
import numbers
import warnings
from collections import defaultdict
from itertools import chain

import autograd as ag
from autograd import backend
from autograd.tensor import Tensor

from ._hooks import (_HOOK_DICTS, _OptimizerHooks, register_optimizer_step_post_hook,
                     register_optimizer_step_pre_hook)

__all__ = ["Optimizer", "register_optimizer_step_pre_hook", "register_optimizer_step_post_hook", "required"]


class _RequiredParameter:
    """Marks a hyperparameter that every param group must give (PyTorch's ``required``)."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


def _use_grad_for_differentiable(step):
    """Decorator for ``Optimizer.step``: run the update under ``no_grad``, as PyTorch's decorator.

    xpgrad's optimizers are never differentiable (``differentiable=True`` is
    refused), so the step always runs without recording. When it fails, a
    parameter moved to another device after its state was created is named.
    """

    @functools.wraps(step)
    def _use_grad(self, *args, **kwargs):
        with ag.no_grad():
            try:
                return step(self, *args, **kwargs)
            except (TypeError, ValueError, RuntimeError):
                self._check_state_devices()  # explain the usual cause (no cost when steps succeed)
                raise

    return _use_grad


class Optimizer(_OptimizerHooks):
    """Base class for all optimizers.

    Args:
        params (iterable): an iterable of Tensors, of ``(name, Tensor)`` pairs, or
            of dicts that define parameter groups (a ``"params"`` entry plus
            hyperparameters that override ``defaults`` for that group).
        defaults (dict): default values of the optimization options.

    Subclasses validate their hyperparameters in ``__init__``, create each
    parameter's state lazily in ``_init_group`` and implement
    ``step(closure=None)`` decorated with ``@_use_grad_for_differentiable``
    (the update runs under ``no_grad``; ``_eval_closure`` runs the closure
    under ``enable_grad``), as PyTorch's optimizers do.
    """

    def __init__(self, params, defaults):
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors "
                            f"or dicts, but got {type(params).__name__}")
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(dict(group))

    def __getstate__(self):
        # a scheduler's instance-level ``step`` wrapper (a closure) and the hooks are not part of the
        # optimizer's state (as PyTorch, a copy or an unpickled optimizer has no hooks)
        return {k: v for k, v in self.__dict__.items() if k != "step" and k not in _HOOK_DICTS}

    def __repr__(self):
        lines = [self.__class__.__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(group):
                if key not in ("params", "param_names"):
                    lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)

    def _check_state_devices(self):
        """Raise a clear error when a parameter moved to another device after its state was created."""
        for p, st in self.state.items():
            if not isinstance(p, Tensor):
                continue
            for name, v in st.items():
                if isinstance(v, Tensor) and name != "step" and v.device is not p.device:
                    raise RuntimeError(
                        f"Expected all tensors to be on the same device, but the optimizer state "
                        f"'{name}' of a parameter of shape {tuple(p.shape)} is on {v.device} while the "
                        f"parameter is on {p.device}: the model was moved after the optimizer took a step. "
                        "Move the model before creating the optimizer, or create a new optimizer and "
                        "load_state_dict(old.state_dict()) (state loads onto each parameter's device).")

    # ------------------------------------------------------------ groups
    def add_param_group(self, param_group):
        """Add a param group to ``param_groups`` (e.g. layers unfrozen while fine-tuning).

        Args:
            param_group (dict): the Tensors to optimize under ``"params"``, and
                group-specific options; missing options take ``defaults``.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the "
                            "ordering of tensors in sets will change between runs. Please use a list "
                            "instead.")
        else:
            params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        params = [p[1] if isinstance(p, tuple) else p for p in params]
        if names:
            if len(names) != len(params):
                raise ValueError(
                    "all optimizer params should be with/without names. Some param names are missing")
            param_group["param_names"] = names
        param_group["params"] = params
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"optimizer can only optimize Tensors, but one of the params is {type(p).__name__}")
            if not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(
                    f"parameter group didn't specify a value of required optimization parameter {name}")
            param_group.setdefault(name, default)
        for name, value in param_group.items():
            if name not in ("params", "param_names"):
                param_group[name] = _plain(value)
        ids = [id(p) for p in params]
        if len(ids) != len(set(ids)):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, this "
                          "will cause an error", stacklevel=3)
        seen = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        if not seen.isdisjoint(ids):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all optimized tensors.

        Args:
            set_to_none (bool): set ``.grad`` to None instead of filling it with
                zeros (default: True), which saves memory and lets ``step`` skip
                parameters that got no gradient.
        """
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                if set_to_none:
                    p.grad = None
                    continue
                if g.grad_fn is not None:
                    g.detach_()
                else:
                    g.requires_grad_(False)
                with ag.no_grad():
                    g.zero_()

    def step(self, closure=None):
        """Perform a single optimization step; return the closure's loss (if any).

        Args:
            closure (callable, optional): re-evaluates the model and returns the loss.
        """
        raise NotImplementedError

    @staticmethod
    def _eval_closure(closure):
        if closure is None:
            return None
        with ag.enable_grad():
            return closure()

    # ------------------------------------------------------------ state dict
    def state_dict(self):
        """The optimizer's state as a dict in PyTorch's layout.

        ``{"state": {id: {buffer_name: Tensor, "step": Tensor, ...}},
        "param_groups": [{hyperparameters..., "params": [id, ...]}]}``, where the
        ids number the parameters in group order. As in PyTorch, the state
        tensors are the live buffers (not copies): save the dict, or pass it to
        ``load_state_dict`` (which copies), before stepping again.
        """
        self._run_state_dict_pre_hooks()
        mapping = {}
        start = 0

        def pack(group):
            nonlocal start
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                mapping.setdefault(id(p), i)
            packed["params"] = [mapping[id(p)] for p in group["params"]]
            start += len(packed["params"])
            return packed

        groups = [pack(g) for g in self.param_groups]
        state = {(mapping[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        return self._run_state_dict_post_hooks({"state": state, "param_groups": groups})

    def load_state_dict(self, state_dict):
        """Load the optimizer state (a copy of it) from ``state_dict()``'s output.

        The saved groups must have as many groups, and as many parameters in
        each, as this optimizer's. Buffers are copied onto each parameter's
        device and, for floating parameters, cast to its dtype; ``step`` keeps
        its dtype and lives on the host (as PyTorch keeps it, so reading it
        never waits for a GPU). Integer ids written as strings (a JSON round
        trip) are accepted.

        Raises:
            ValueError: the group count or a group's size differs.
        """
        state_dict = self._run_load_state_dict_pre_hooks(dict(state_dict))
        for key in ("state", "param_groups"):
            if key not in state_dict:
                raise ValueError(f"optimizer state_dict is missing the {key!r} entry")
        groups = self.param_groups
        saved_groups = [_copy_value(g) for g in state_dict["param_groups"]]
        if len(groups) != len(saved_groups):
            raise ValueError(f"loaded state dict has a different number of parameter groups "
                             f"({len(saved_groups)}) than the optimizer ({len(groups)})")
        for i, (g, s) in enumerate(zip(groups, saved_groups)):
            if len(g["params"]) != len(s["params"]):
                raise ValueError(f"loaded state dict contains a parameter group that doesn't match the size "
                                 f"of optimizer's group: group {i} has {len(s['params'])} parameters in "
                                 f"the state dict and {len(g['params'])} in the optimizer")
        id_map = dict(zip(chain.from_iterable(_int_ids(g["params"]) for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))
        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            k = _int_key(k)
            if k in id_map:
                param = id_map[k]
                state[param] = {name: _cast(param, val, name) for name, val in v.items()}
            else:
                state[k] = _copy_value(v)
        new_groups = []
        for g, s in zip(groups, saved_groups):
            s["params"] = g["params"]
            if "param_names" in g and "param_names" not in s:
                s["param_names"] = g["param_names"]
            for key, value in g.items():  # JSON turns tuples (betas, etas) into lists
                if isinstance(value, tuple) and isinstance(s.get(key), list):
                    s[key] = tuple(s[key])
            new_groups.append(s)
        self.state = state
        self.param_groups = new_groups
        for group in self.param_groups:
            for name, default in self.defaults.items():
                group.setdefault(name, default)
        self._after_load()
        self._run_load_state_dict_post_hooks()

    def _after_load(self):
        """Hook for subclasses to fix up groups loaded from older or foreign state dicts."""


# ---------------------------------------------------------------- helpers for state dicts
def _int_key(k):
    return int(k) if isinstance(k, str) and k.lstrip("-").isdigit() else k


def _int_ids(ids):
    return [_int_key(i) for i in ids]


def _clone(t):
    return Tensor._make(t._data.copy(), t.device)


def _copy_value(value):
    """A deep copy of plain Python containers holding tensors (tensors cloned)."""
    if isinstance(value, Tensor):
        return _clone(value)
    if isinstance(value, dict):
        return {k: _copy_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy_value(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_copy_value(v) for v in value)
    return value


def _cast(param, value, key):
    """A loaded state value for ``param``: ``step`` as a host tensor, buffers on its device and dtype."""
    if key == "step":
        if isinstance(value, Tensor):
            host = backend.Device("cpu")
            return Tensor._make(backend.to_device(value._data, host).copy(), host)
        return step_tensor(float(value))
    if isinstance(value, Tensor):
        data = backend.to_device(value._data, param.device)
        if param.dtype.kind == "f" and data.dtype != param.dtype:
            data = data.astype(param.dtype)
        elif data is value._data:
            data = data.copy()
        return Tensor._make(data, param.device)
    return _copy_value(value)


# ---------------------------------------------------------------- helpers for the updates
def _plain(value):
    """Array-library scalars (``np.float64(0.1)``) as Python numbers, which never upcast float32 arrays."""
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, numbers.Number) and type(value) not in (bool, int, float):
        if isinstance(value, numbers.Integral):
            return int(value)
        if isinstance(value, numbers.Real):
            return float(value)
    return value


def step_tensor(value=0.0):
    """A ``step`` counter: a 0-d float tensor on the host, as PyTorch keeps it (no device sync per step)."""
    dtype = backend.float64 if backend.get_default_dtype() == backend.float64 else backend.float32
    return ag.tensor(value, dtype=dtype)


def increment(step_t):
    """Add one to a ``step`` counter in place and return the new count as a Python float."""
    step_t._data += 1
    return float(step_t.item())


def data(t):
    """A tensor's array for an update; a 0-d one as a 1-element view.

    NumPy's ufuncs return scalars for 0-d arrays, which ``out=`` and in-place
    updates cannot take; the view has arrays throughout and writes through.
    """
    a = t._data
    return a if a.ndim else a.reshape(1)


def zeros_state(p):
    """A zero buffer shaped, typed and placed like parameter ``p``."""
    return Tensor._make(p.device.xp.zeros_like(p._data), p.device)


def full_state(p, value):
    """A buffer like ``p`` filled with ``value``."""
    return Tensor._make(p.device.xp.full_like(p._data, value), p.device)


def scalar(value):
    """A hyperparameter as a Python number (a 1-element tensor lr is accepted)."""
    return value.item() if isinstance(value, Tensor) else value


def hyper(value):
    """A hyperparameter for an update; a Tensor (lr) as a host scalar of its dtype.

    Arithmetic with Python numbers then stays in the tensor's dtype, as with
    PyTorch's 0-d tensors: with ``lr=tensor(0.01)`` (float32), PyTorch's
    ``lr / bias_correction`` or ``1 - lr * weight_decay`` are float32 values.
    """
    if isinstance(value, Tensor):
        return value.detach().cpu().reshape(())._data[()]
    return value


def effective_grad(xp, param, grad, weight_decay, maximize):
    """The gradient an update uses, ``(-grad if maximize else grad) + weight_decay * param``.

    Returns ``grad`` itself when nothing changes (callers must not write to it),
    otherwise one new array.
    """
    if weight_decay != 0:
        out = xp.multiply(param, weight_decay)
        if maximize:
            xp.subtract(out, grad, out=out)
        else:
            xp.add(out, grad, out=out)
        return out
    if maximize:
        return xp.negative(grad)
    return grad


def adam_grad(xp, param, grad, lr, weight_decay, decoupled_weight_decay, maximize):
    """The Adam family's gradient: decoupled decay shrinks ``param`` in place, L2 decay joins the grad."""
    if weight_decay != 0 and decoupled_weight_decay:
        param *= 1 - lr * weight_decay
        return effective_grad(xp, param, grad, 0, maximize)
    return effective_grad(xp, param, grad, weight_decay, maximize)


def update_moments_(xp, exp_avg, exp_avg_sq, grad, beta1, beta2, tmp):
    """``m += (1-b1) * (g - m)`` and ``v = b2*v + (1-b2)*g²`` in place (``tmp``: scratch like ``grad``)."""
    lerp_(xp, exp_avg, grad, 1 - beta1, tmp)
    exp_avg_sq *= beta2
    xp.multiply(grad, grad, out=tmp)
    tmp *= 1 - beta2
    exp_avg_sq += tmp


def lerp_(xp, start, end, weight, tmp):
    """``start += weight * (end - start)`` in place with PyTorch's two-branch formula (``tmp``: scratch)."""
    xp.subtract(end, start, out=tmp)
    if abs(weight) < 0.5:
        tmp *= weight
        start += tmp
    else:
        tmp *= 1 - weight
        xp.subtract(end, tmp, out=start)


def params_with_grad(group):
    """The group's parameters that have a gradient (the others are skipped)."""
    return [p for p in group["params"] if p.grad is not None]


def bump(params):
    """Mark the parameters as changed in place (their version counters)."""
    for p in params:
        p._bump()


# ---------------------------------------------------------------- validation
def check(name, value, ok, what=None):
    """Raise ``ValueError("Invalid <what>: <value>")`` unless ``ok`` (NaN is never valid)."""
    if not ok or _is_nan(value):
        raise ValueError(f"Invalid {what or name + ' value'}: {value}")


def _is_nan(value):
    if isinstance(value, (tuple, list)):
        return any(_is_nan(v) for v in value)
    return isinstance(value, numbers.Real) and math.isnan(value)


def check_betas(betas):
    """Validate a pair of running-average coefficients in [0, 1); return them as Python floats."""
    if len(betas) != 2:
        raise ValueError(f"Invalid betas: expected two values, got {betas}")
    betas = tuple(float(scalar(b)) for b in betas)
    for i, b in enumerate(betas):
        check("betas", b, 0.0 <= b < 1.0, f"beta parameter at index {i}")
    return betas


def check_lr(lr):
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    lr = scalar(lr)
    if not isinstance(lr, numbers.Real) or isinstance(lr, bool):
        raise TypeError(f"Invalid learning rate: lr must be a float (or a 1-element Tensor), "
                        f"got {type(lr).__name__} {lr!r}")
    check("lr", lr, lr >= 0.0, "learning rate")


def check_unsupported(**flags):
    """Options of PyTorch's signatures that only make sense there (CUDA graphs, differentiable steps)."""
    for name, value in flags.items():
        if value:
            raise ValueError(f"{name}=True is not supported by xpgrad's optimizers")
