"""Finite-difference checks of the engine's gradients: ``gradcheck`` and ``gradgradcheck``.

Both compare, in float64, the engine's vector-Jacobian product ``v^T J`` (for
a random upstream gradient ``v``) against central finite differences of
``<v, fn(x)>``, element by element, for every input that requires grad.
"""
from __future__ import annotations

from . import backend
from .autograd import grad as _grad
from .grad_mode import state
from .tensor import Tensor

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]


class GradcheckError(RuntimeError):
    """Raised by :func:`gradcheck` when the analytical and numerical gradients differ."""


def _as_tuple(x):
    if isinstance(x, Tensor):
        return (x,)
    if isinstance(x, (tuple, list)):
        return tuple(x)
    return (x,)


def _host(a):
    return backend.to_host(a)


def _random_like(t, rng):
    """A float64 standard-normal array on ``t``'s device (drawn on the host, reproducibly)."""
    host = rng.standard_normal(t.shape)
    return Tensor._make(backend.asarray(host, dtype=backend.float64, device=t.device), t.device)


def _differentiable_outputs(outputs):
    return [i for i, o in enumerate(outputs) if isinstance(o, Tensor) and o.dtype.kind == "f"]


def _check_inputs(inputs, fname):
    wanted = []
    for i, t in enumerate(inputs):
        if isinstance(t, Tensor) and t.requires_grad:
            if t.dtype != backend.float64:
                raise TypeError(
                    f"{fname}: input {i} has dtype {t.dtype}, but finite differences need float64 "
                    f"inputs: pass x.double() (or create it with dtype=ag.float64)"
                )
            wanted.append(i)
    if not wanted:
        raise ValueError(f"{fname} expects at least one input tensor that requires grad")
    return wanted


def _dot(outputs, vs):
    """``sum_k <v_k, outputs_k>`` as a Python float."""
    total = 0.0
    for o, v in zip(outputs, vs):
        if v is None:
            continue
        if o is None:
            continue
        if tuple(o.shape) != tuple(v.shape):
            raise GradcheckError(
                f"gradcheck: the function's output changed shape from {tuple(v.shape)} to "
                f"{tuple(o.shape)} when its input was perturbed"
            )
        total += float((_host(o._data).astype("float64") * _host(v._data)).sum())
    return total


def _numerical(fn, inputs, wanted, vs, eps):
    """Central differences of ``<v, fn(x)>`` for each element of each wanted input (host arrays)."""
    cpu = backend.Device("cpu")
    results = []
    for i in wanted:
        t = inputs[i]
        work = t._data.copy()  # C-contiguous and writable
        flat = work.reshape(-1)
        host = _host(work).reshape(-1)
        args = list(inputs)
        probe = Tensor._make(work, t.device)
        probe.requires_grad = True  # so that functions calling ag.grad inside still work
        args[i] = probe
        grad = cpu.xp.zeros(host.shape, dtype=backend.float64)
        for j in range(host.size):
            x0 = float(host[j])
            flat[j] = x0 + eps
            plus = _dot(_as_tuple(fn(*args)), vs)
            flat[j] = x0 - eps
            minus = _dot(_as_tuple(fn(*args)), vs)
            flat[j] = x0
            grad[j] = (plus - minus) / (2 * eps)
        results.append(grad.reshape(t.shape))
    return results


def _analytical(outputs, inputs, wanted, vs):
    diff = [k for k, v in enumerate(vs) if v is not None and outputs[k].requires_grad]
    targets = [inputs[i] for i in wanted]
    if not diff:
        grads = [None] * len(wanted)
    else:
        grads = _grad([outputs[k] for k in diff], targets, [vs[k] for k in diff],
                      retain_graph=True, allow_unused=True)
    cpu = backend.Device("cpu")
    out = []
    for t, g in zip(targets, grads):
        if g is None:
            out.append(cpu.xp.zeros(t.shape, dtype=backend.float64))
            continue
        if tuple(g.shape) != tuple(t.shape):
            raise GradcheckError(
                f"gradcheck: the gradient has shape {tuple(g.shape)} but its input has shape {tuple(t.shape)}"
            )
        if g.dtype != t.dtype:
            raise GradcheckError(
                f"gradcheck: the gradient has dtype {g.dtype} but its input has dtype {t.dtype}")
        if g.device is not t.device:
            raise GradcheckError(f"gradcheck: the gradient is on {g.device} but its input is on {t.device}")
        out.append(_host(g._data))
    return out


def _compare(wanted, inputs, numerical, analytical, atol, rtol, what):
    worst = None
    for i, num, ana in zip(wanted, numerical, analytical):
        err = abs(num - ana) - (atol + rtol * abs(num))
        if err.size == 0:
            continue
        j = int(err.argmax())
        e = float(err.reshape(-1)[j])
        nanbad = bool((num != num).any() or (ana != ana).any())
        if nanbad:
            bad = (num != num) | (ana != ana)
            j, e = int(bad.reshape(-1).argmax()), float("inf")
        if e > 0 and (worst is None or e > worst[0]):
            idx = tuple(int(k) for k in _unravel(j, num.shape))
            worst = (e, i, idx, float(num.reshape(-1)[j]), float(ana.reshape(-1)[j]), num, ana)
    if worst is None:
        return None
    _, i, idx, n, a, num, ana = worst
    t = inputs[i]
    return (
        f"{what} mismatch for input {i} (shape {tuple(t.shape)}) at element {idx}:\n"
        f"    numerical:  {n!r}\n    analytical: {a!r}\n    difference: {abs(n - a)!r} "
        f"(allowed: atol={atol} + rtol={rtol} * |numerical|)\n"
        f"numerical vector-Jacobian product:\n{num}\nanalytical vector-Jacobian product:\n{ana}"
    )


def _unravel(j, shape):
    idx = []
    for n in reversed(shape):
        idx.append(j % n)
        j //= n
    return tuple(reversed(idx))


def _run_check(fn, inputs, eps, atol, rtol, raise_exception, fname, what, seed=0):
    inputs = _as_tuple(inputs)
    wanted = _check_inputs(inputs, fname)
    rng = backend.Device("cpu").xp.random.default_rng(seed)
    prev = state.enabled
    state.enabled = True
    try:
        outputs = _as_tuple(fn(*inputs))
        diff = _differentiable_outputs(outputs)
        if not diff:
            raise GradcheckError(f"{fname}: the function returned no floating-point tensor output")
        vs = [None] * len(outputs)
        for k in diff:
            vs[k] = _random_like(outputs[k], rng)
        analytical = _analytical(outputs, inputs, wanted, vs)
        numerical = _numerical(fn, inputs, wanted, vs, eps)
    finally:
        state.enabled = prev
    msg = _compare(wanted, inputs, numerical, analytical, atol, rtol, what)
    if msg is None:
        return True
    if raise_exception:
        raise GradcheckError(f"{fname} failed: {msg}")
    return False


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """Check the engine's gradients of ``fn`` against central finite differences.

    For a random upstream gradient ``v`` (one per floating-point output), the
    vector-Jacobian product computed by backward is compared, element by
    element, with ``(<v, fn(x + eps e_j)> - <v, fn(x - eps e_j)>) / (2 eps)``,
    for every input tensor that requires grad.

    Args:
        fn: a function of ``*inputs`` returning a Tensor or a tuple of Tensors.
        inputs: a Tensor or a tuple of arguments; tensors that require grad
            are checked and must be float64.
        eps: the finite-difference step.
        atol, rtol: an element passes when ``|numerical - analytical| <= atol
            + rtol * |numerical|``.
        raise_exception: raise :class:`GradcheckError` describing the worst
            element (input index, element index, numerical vs analytical)
            instead of returning False.

    Returns:
        True when every element passes (otherwise False or an exception).

    Example::

        >>> x = ag.randn(3, dtype=ag.float64, requires_grad=True)
        >>> ag.gradcheck(lambda t: (t * t).sin(), (x,))
        True
    """
    return _run_check(fn, inputs, eps, atol, rtol, raise_exception, "gradcheck", "Jacobian")


def gradgradcheck(fn, inputs, grad_outputs=None, eps=1e-6, atol=1e-5, rtol=1e-3,
                  raise_exception=True):
    """Check second derivatives of ``fn`` (the gradient of its gradient) by finite differences.

    The first-order gradient ``g(x, v) = v^T J(x)`` is built with
    ``create_graph=True`` and then checked with :func:`gradcheck` with respect
    to both ``x`` and the upstream gradient ``v``.

    Args:
        fn, inputs, eps, atol, rtol, raise_exception: as :func:`gradcheck`.
        grad_outputs: upstream gradients of ``fn``'s outputs (float64 tensors);
            random ones when omitted.

    Example::

        >>> x = ag.randn(3, dtype=ag.float64, requires_grad=True)
        >>> ag.gradgradcheck(lambda t: t ** 3, (x,))
        True
    """
    inputs = _as_tuple(inputs)
    wanted = _check_inputs(inputs, "gradgradcheck")
    with_grad = state.enabled
    state.enabled = True
    try:
        outputs = _as_tuple(fn(*inputs))
    finally:
        state.enabled = with_grad
    diff = _differentiable_outputs(outputs)
    if not diff:
        raise GradcheckError("gradgradcheck: the function returned no floating-point tensor output")
    if grad_outputs is None:
        rng = backend.Device("cpu").xp.random.default_rng(1)
        vs = [_random_like(outputs[k], rng).requires_grad_() for k in diff]
    else:
        vs = list(_as_tuple(grad_outputs))
        if len(vs) != len(diff):
            raise ValueError(
                f"gradgradcheck: got {len(vs)} grad_outputs for {len(diff)} floating-point outputs"
            )
    n = len(inputs)

    def first_order(*args):
        xs, gs = args[:n], args[n:]
        outs = _as_tuple(fn(*xs))
        pairs = [(outs[k], g) for k, g in zip(diff, gs) if outs[k].requires_grad]
        targets = [xs[i] for i in wanted]
        if not pairs:
            grads = [None] * len(targets)
        else:
            grads = _grad([p[0] for p in pairs], targets, [p[1] for p in pairs],
                          create_graph=True, allow_unused=True)
        return tuple(
            g if g is not None else Tensor._make(t.device.xp.zeros(t.shape, t.dtype), t.device)
            for g, t in zip(grads, targets)
        )

    return _run_check(first_order, inputs + tuple(vs), eps, atol, rtol, raise_exception,
                      "gradgradcheck", "second-order (gradient of the vector-Jacobian product)", seed=2)
