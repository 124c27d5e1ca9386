"""``torch.func``: ``functional_call``, ``grad``, ``grad_and_value``, ``vjp``, ``jvp``, ``jacrev``,
``jacfwd``, ``hessian``, ``vmap`` and ``stack_module_state``, on the ordinary autograd graph.

``grad`` differentiates ``func`` with ``ag.grad``; where its inputs already require grad (an
outer transform, or parameters of a model) it keeps the graph, so transforms nest
(``grad(grad(f))``, ``vmap(grad(f))``, ``jacrev(jacrev(f))``). ``vmap`` calls ``func`` once per
index of the mapped dimensions and stacks the results: the values are PyTorch's, the cost is one
call per sample, and random ops draw independently per sample (PyTorch's ``randomness=
'different'``; its default ``'error'`` refuses them). ``jacfwd`` gives ``jacrev``'s Jacobian
(computed in reverse mode). Arguments may be tensors or nested tuples, lists and dicts of them.
"""
from __future__ import annotations

from .autograd import grad as _grad
from .grad_mode import enable_grad
from .ops.shape import stack
from .tensor import Tensor

__all__ = ["functional_call", "grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian",
           "vmap", "stack_module_state"]


# ---------------------------------------------------------------- pytrees
def tree_flatten(tree):
    """``(leaves, rebuild)``: the non-container leaves of nested tuples/lists/dicts, and a function
    that rebuilds the same structure from a list of new leaves."""
    if isinstance(tree, (tuple, list, dict)):
        keys = list(tree) if isinstance(tree, dict) else range(len(tree))
        parts = [tree_flatten(tree[k]) for k in keys]
        leaves = [leaf for p in parts for leaf in p[0]]

        def rebuild(values):
            out, i = [], 0
            for sub, remake in parts:
                out.append(remake(values[i:i + len(sub)]))
                i += len(sub)
            if isinstance(tree, dict):
                return type(tree)(zip(keys, out))
            return type(tree)(*out) if hasattr(tree, "_fields") else type(tree)(out)

        return leaves, rebuild
    return [tree], lambda values: values[0]


def _argnums(argnums, n, fn):
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    if not nums:
        raise RuntimeError(f"{fn}: argnums must be non-empty")
    for k in nums:
        if not isinstance(k, int) or not -n <= k < n:
            raise RuntimeError(f"{fn}: Got argnums={argnums}, but only {n} positional inputs")
    return tuple(k % n for k in nums)


def _track(args, nums, fn):
    """``args`` with the tensors of ``args[k]`` (k in ``nums``) replaced by tracked ones: fresh leaves,
    or aliases on the graph where they already require grad. Returns (args, tracked per argnum,
    rebuild per argnum, whether an outer graph is tracked)."""
    args = list(args)
    tracked, rebuilds, nested = [], [], False
    for k in nums:
        leaves, rebuild = tree_flatten(args[k])
        new = []
        for t in leaves:
            if not isinstance(t, Tensor) or t.dtype.kind != "f":
                what = t.dtype if isinstance(t, Tensor) else type(t).__name__
                raise RuntimeError(f"{fn}: expected the inputs to differentiate to be floating point Tensors "
                                   f"(or containers of them), got {what}")
            nested = nested or t.requires_grad
            new.append(t.view_as(t) if t.requires_grad else t.detach().requires_grad_(True))
        args[k] = rebuild(new)
        tracked.append(new)
        rebuilds.append(rebuild)
    return args, tracked, rebuilds, nested


def _grads(outputs, inputs, grad_outputs, nested, retain=False):
    """Gradients of ``outputs`` (weighted by ``grad_outputs``) for each input, zeros where unused."""
    live = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    gs = (_grad([o for o, _ in live], inputs, [g for _, g in live], retain_graph=retain or nested,
                create_graph=nested, allow_unused=True) if live else (None,) * len(inputs))
    return [t.new_zeros(t.shape) if g is None else g for g, t in zip(gs, inputs)]


def _split_aux(out, has_aux, fn):
    if not has_aux:
        return out, None
    if not (isinstance(out, tuple) and len(out) == 2):
        raise RuntimeError(f"{fn}(f)(*args): output of function f should be a tuple: (output, aux) if "
                           "has_aux is True")
    return out


def _per_argnum(flat, tracked, rebuilds, argnums):
    out, i = [], 0
    for leaves, rebuild in zip(tracked, rebuilds):
        out.append(rebuild(flat[i:i + len(leaves)]))
        i += len(leaves)
    return out[0] if isinstance(argnums, int) else tuple(out)


def _value(t, nested):
    return t if nested or not isinstance(t, Tensor) else t.detach()


# ---------------------------------------------------------------- grad, vjp, jvp
def grad_and_value(func, argnums=0, has_aux=False):
    """``f -> (grad of f, f)`` at the same arguments; ``f`` returns a scalar tensor (and ``aux``)."""
    def wrapper(*args, **kwargs):
        nums = _argnums(argnums, len(args), "grad_and_value")
        with enable_grad():
            args, tracked, rebuilds, nested = _track(args, nums, "grad_and_value")
            out, aux = _split_aux(func(*args, **kwargs), has_aux, "grad_and_value")
            if not isinstance(out, Tensor):
                raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a Tensor, got "
                                   f"{type(out).__name__}")
            if out.numel() != 1 or out.ndim:
                raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, "
                                   f"got tensor with {out.ndim} dims. Maybe you wanted to use the vjp or "
                                   "jacrev APIs instead?")
            inputs = [t for leaves in tracked for t in leaves]
            flat = _grads([out], inputs, [out.new_ones(())], nested)
        g = _per_argnum(flat, tracked, rebuilds, argnums)
        value = _value(out, nested)
        return (g, (value, aux)) if has_aux else (g, value)

    return wrapper


def grad(func, argnums=0, has_aux=False):
    """``f -> grad of f`` with respect to the arguments ``argnums`` (``f`` returns a scalar tensor)."""
    gv = grad_and_value(func, argnums, has_aux)

    def wrapper(*args, **kwargs):
        g, value = gv(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return wrapper


def vjp(func, *primals, has_aux=False):
    """``(func(*primals), vjp_fn)``: ``vjp_fn(cotangents)`` gives the vector-Jacobian product for
    each primal."""
    with enable_grad():
        args, tracked, rebuilds, nested = _track(primals, range(len(primals)), "vjp")
        out, aux = _split_aux(func(*args), has_aux, "vjp")
    outs, _ = tree_flatten(out)
    inputs = [t for leaves in tracked for t in leaves]

    def vjp_fn(cotangents):
        cts, _ = tree_flatten(cotangents)
        if len(cts) != len(outs):
            raise RuntimeError(f"vjp: Expected cotangents with the structure of the outputs ({len(outs)} "
                               f"tensors), got {len(cts)}")
        with enable_grad():
            flat = _grads(outs, inputs, cts, nested, retain=True)
        return tuple(_per_argnum(flat, tracked, rebuilds, tuple(range(len(primals)))))

    value = tree_flatten(out)[1]([_value(o, nested) for o in outs])
    return (value, vjp_fn, aux) if has_aux else (value, vjp_fn)


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """``(func(*primals), J @ tangents)``: the Jacobian-vector product (by two reverse passes)."""
    from .autograd_functional import jvp as _jvp

    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals and tangents to be tuples")
    nested = any(isinstance(p, Tensor) and p.requires_grad for p in primals)
    aux = []

    def f(*xs):
        out, a = _split_aux(func(*xs), has_aux, "jvp")
        aux.append(a)
        return out

    out, tangent_out = _jvp(f, tuple(primals), tuple(tangents), create_graph=nested)
    return (out, tangent_out, aux[0]) if has_aux else (out, tangent_out)


# ---------------------------------------------------------------- Jacobians
def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None, _preallocate_and_copy=False):
    """``f -> its Jacobian``: ``out.shape + in.shape`` for each (output, differentiated input) pair,
    in the structures of the output and of ``argnums``."""
    def wrapper(*args):
        nums = _argnums(argnums, len(args), "jacrev")
        with enable_grad():
            args, tracked, rebuilds, nested = _track(args, nums, "jacrev")
            out, aux = _split_aux(func(*args), has_aux, "jacrev")
            outs, remake_out = tree_flatten(out)
            inputs = [t for leaves in tracked for t in leaves]
            per_output = []
            for o in outs:
                if not isinstance(o, Tensor):
                    raise RuntimeError(f"jacrev(f): Expected f to return Tensors, got {type(o).__name__}")
                flat_o = o.reshape(-1)
                rows = [_grads([flat_o[k]], inputs, [o.new_ones(())], nested, retain=True)
                        for k in range(flat_o.numel())]
                jac = [(stack([r[i] for r in rows]) if rows else t.new_zeros((0,) + tuple(t.shape)))
                       .reshape(tuple(o.shape) + tuple(t.shape)) for i, t in enumerate(inputs)]
                per_output.append(_per_argnum([_value(j, nested) for j in jac], tracked, rebuilds, argnums))
        result = remake_out(per_output)
        return (result, _value(aux, nested) if isinstance(aux, Tensor) else aux) if has_aux else result

    return wrapper


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """``f -> its Jacobian``, as :func:`jacrev` (computed in reverse mode; the values are the same)."""
    return jacrev(func, argnums, has_aux=has_aux)


def hessian(func, argnums=0):
    """``f -> its Hessian``: ``jacfwd(jacrev(f, argnums), argnums)``."""
    return jacfwd(jacrev(func, argnums), argnums)


# ---------------------------------------------------------------- vmap
def _dims_for(arg, spec, fn):
    """The mapped dimension of each leaf of ``arg`` (``spec``: an int/None for all, or a tree like it)."""
    leaves, _ = tree_flatten(arg)
    if spec is None or isinstance(spec, int):
        return [spec if isinstance(t, Tensor) else None for t in leaves]
    specs, _ = tree_flatten(spec)
    if len(specs) != len(leaves):
        raise ValueError(f"{fn}: in_dims is not compatible with the structure of the inputs")
    return specs


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """``f`` mapped over a dimension of its inputs (``in_dims``: an int, None, or one entry per
    positional argument), its outputs stacked along ``out_dims``."""
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or 'same'. "
                           f"Got {randomness}")

    def wrapped(*args, **kwargs):
        fn = "vmap"
        specs = in_dims if isinstance(in_dims, tuple) else (in_dims,) * len(args)
        if len(specs) != len(args):
            raise ValueError(f"{fn}(f, in_dims={in_dims}, ...)(<inputs>): in_dims is not compatible with "
                             f"the structure of `inputs`. in_dims has structure of length {len(specs)} but "
                             f"inputs has {len(args)} positional arguments")
        flat = [tree_flatten(a) for a in args]
        dims = [_dims_for(a, s, fn) for a, s in zip(args, specs)]
        sizes = set()
        for (leaves, _), ds in zip(flat, dims):
            for t, d in zip(leaves, ds):
                if d is None:
                    continue
                if not isinstance(t, Tensor) or not -t.ndim <= d < t.ndim:
                    raise ValueError(f"{fn}: in_dim={d} is out of bounds for an input with "
                                     f"{t.ndim if isinstance(t, Tensor) else 0} dims")
                sizes.add(t.shape[d])
        if not sizes:
            raise ValueError(f"{fn}(f, in_dims={in_dims}, ...)(<inputs>): at least one input must be mapped "
                             "over (got in_dims all None)")
        if len(sizes) > 1:
            raise ValueError(f"{fn}: Expected all tensors to have the same size in the mapped dimension, got "
                             f"sizes {sorted(sizes)} for the mapped dimension")
        (size,) = sizes
        results = []
        for i in range(size):
            call = [rebuild([t.select(d, i) if d is not None else t for t, d in zip(leaves, ds)])
                    for (leaves, rebuild), ds in zip(flat, dims)]
            results.append(func(*call, **kwargs))
        if not results:
            raise ValueError(f"{fn}: the mapped dimension has size 0")
        outs, remake = tree_flatten(results[0])
        odims = [out_dims] * len(outs) if isinstance(out_dims, int) else _dims_for(results[0], out_dims, fn)
        per_sample = [tree_flatten(r)[0] for r in results]
        stacked = []
        for k, o in enumerate(outs):
            if not isinstance(o, Tensor):
                raise ValueError(f"{fn}: `{getattr(func, '__name__', func)}` must only return Tensors, got "
                                 f"type {type(o).__name__}")
            stacked.append(stack([p[k] for p in per_sample], dim=odims[k]))
        return remake(stacked)

    return wrapped


# ---------------------------------------------------------------- modules
def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True,
                    strict=False):
    """``module(*args, **kwargs)`` with its parameters and buffers replaced by the tensors of
    ``parameter_and_buffer_dicts``; see ``nn.utils.stateless.functional_call``."""
    import importlib

    call = importlib.import_module("nn.utils.stateless").functional_call
    return call(module, parameter_and_buffer_dicts, args, kwargs, tie_weights=tie_weights, strict=strict)


def stack_module_state(models):
    """``(params, buffers)``: each name's tensors from ``models`` (of one architecture) stacked along a
    new first dimension; the stacked parameters are new leaves that require grad where they did."""
    models = list(models)
    if not models:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if any(m.training != models[0].training for m in models):
        raise RuntimeError("stack_module_state: Expected all models to have the same training/eval mode.")
    params = {}
    for name, p in models[0].named_parameters():
        params[name] = stack([m.get_parameter(name).detach() for m in models]).requires_grad_(p.requires_grad)
    buffers = {name: stack([m.get_buffer(name) for m in models]) for name, _ in models[0].named_buffers()}
    return params, buffers
