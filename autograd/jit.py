"""``autograd.jit``, in the role of ``torch.jit``: TorchScript's decorators and queries as documented
no-ops, so that code written for TorchScript runs unchanged.

xpgrad runs eagerly and has no compiler: :func:`script` and :func:`trace` return the function or
module they are given (its Python code is what runs), the decorators (:func:`ignore`,
:func:`unused`, :func:`export`, ...) return their function, :func:`is_scripting` and
:func:`is_tracing` are False (the eager branches of such code are taken), and :func:`annotate`
returns its value.

Example::

    >>> @ag.jit.script
    ... def double(x):
    ...     return 2 * x
    >>> double(ag.tensor([1.0, 2.0]))
    tensor([2., 4.])
"""
from __future__ import annotations

import contextlib
import typing
import warnings

__all__ = ["script", "trace", "trace_module", "script_if_tracing", "ignore", "unused", "export", "interface",
           "is_scripting", "is_tracing", "annotate", "Final", "Attribute", "fork", "wait", "Future", "freeze",
           "optimize_for_inference", "optimized_execution", "ScriptModule", "ScriptFunction", "isinstance"]

#: ``typing.Final``, as ``torch.jit.Final`` (a class attribute TorchScript treats as a constant).
Final = typing.Final


class ScriptModule:
    """The type of TorchScript modules: nothing xpgrad makes is one (``isinstance`` checks are False)."""


class ScriptFunction:
    """The type of TorchScript functions: nothing xpgrad makes is one."""


def script(obj=None, optimize=None, _frames_up=0, _rcb=None, example_inputs=None):
    """``torch.jit.script``: returns ``obj`` itself (xpgrad runs eagerly; nothing is compiled)."""
    return obj


def trace(func, example_inputs=None, optimize=None, check_trace=True, check_inputs=None, check_tolerance=1e-5,
          strict=True, _force_outplace=False, _module_class=None, _compilation_unit=None,
          example_kwarg_inputs=None, _store_inputs=True):
    """``torch.jit.trace``: returns ``func`` itself (not run on ``example_inputs``; nothing is recorded)."""
    return func


def trace_module(mod, inputs=None, *args, **kwargs):
    """``torch.jit.trace_module``: returns ``mod`` itself."""
    return mod


def script_if_tracing(fn):
    """``torch.jit.script_if_tracing``: returns ``fn`` itself."""
    return fn


def ignore(drop=False, **kwargs):
    """``torch.jit.ignore``, as ``@ignore`` or ``@ignore(drop=...)``: returns the function itself."""
    if callable(drop):
        return drop
    if drop:
        warnings.warn("ignore(True) has been deprecated. TorchScript will now drop the function call on "
                      "compilation. Use torch.jit.unused now. {}", category=FutureWarning, stacklevel=2)
    return lambda fn: fn


def unused(fn):
    """``torch.jit.unused``: returns ``fn`` itself."""
    return fn


def export(fn):
    """``torch.jit.export``: returns ``fn`` itself."""
    return fn


def interface(obj):
    """``torch.jit.interface``: returns the class itself."""
    return obj


def is_scripting() -> bool:
    """``torch.jit.is_scripting``: False (xpgrad code always runs as Python)."""
    return False


def is_tracing() -> bool:
    """``torch.jit.is_tracing``: False (nothing is traced)."""
    return False


def annotate(the_type, the_value):
    """``torch.jit.annotate``: returns ``the_value`` (the type is for TorchScript only)."""
    return the_value


def Attribute(value, type=None):  # noqa: A002, N802  (torch's names)
    """``torch.jit.Attribute``: returns ``value``, as torch does outside TorchScript."""
    return value


def isinstance(obj, target_type):  # noqa: A001  (torch.jit.isinstance)
    """``torch.jit.isinstance``: the builtin check, with ``typing`` containers (``List[int]``,
    ``Dict[str, Tensor]``, ``Optional[T]``, ``Tuple[...]``) checked element by element."""
    import builtins

    origin, args = typing.get_origin(target_type), typing.get_args(target_type)
    if origin is None:
        return target_type is typing.Any or builtins.isinstance(obj, target_type)
    if origin is typing.Union:
        return any(isinstance(obj, t) for t in args)
    if origin in (list, tuple, dict) and not builtins.isinstance(obj, origin):
        return False
    if origin is list:
        return all(isinstance(v, args[0]) for v in obj) if args else True
    if origin is dict:
        return not args or all(isinstance(k, args[0]) and isinstance(v, args[1]) for k, v in obj.items())
    if origin is tuple:
        if not args:
            return True
        if len(args) == 2 and args[1] is Ellipsis:
            return all(isinstance(v, args[0]) for v in obj)
        return len(obj) == len(args) and all(isinstance(v, t) for v, t in zip(obj, args))
    return builtins.isinstance(obj, origin)


class Future:
    """The result of :func:`fork`: holds the value, computed at once."""

    def __init__(self, value):
        self._value = value

    def wait(self):
        return self._value

    def value(self):
        return self._value

    def done(self):
        return True


def fork(func, *args, **kwargs):
    """``torch.jit.fork``: runs ``func(*args, **kwargs)`` now and returns a :class:`Future` of it."""
    return Future(func(*args, **kwargs))


def wait(future):
    """``torch.jit.wait``: the value of a :func:`fork`."""
    return future.wait()


def freeze(mod, preserved_attrs=None, optimize_numerics=True):
    """``torch.jit.freeze``: returns ``mod`` itself."""
    return mod


def optimize_for_inference(mod, other_methods=None):
    """``torch.jit.optimize_for_inference``: returns ``mod`` itself."""
    return mod


@contextlib.contextmanager
def optimized_execution(should_optimize):
    """``torch.jit.optimized_execution``: a context that changes nothing."""
    yield
