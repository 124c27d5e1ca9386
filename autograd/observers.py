"""Node observers: the engine's one door for annotating graph nodes from outside it.

nn registers a record observer that stamps each node with the path of the module
that was running when it was recorded (``node._module``); ``viz.record_grad_norms``
registers a backward observer that keeps each node's incoming gradient norm
(``node._grad_norm``). The engine knows neither: it calls whatever is registered,
and costs one empty-list check per node when nothing is.
"""
from __future__ import annotations

__all__ = ["observe_record", "observe_backward"]

#: ``fn(node)``, called for every node as it is recorded (forward).
on_record: list = []
#: ``fn(node, grads)``, called before each node's backward with its incoming gradients.
on_backward: list = []


class RemovableHandle:
    """Returned by ``observe_*`` (and by ``register_hook``): ``remove()`` takes the function out of
    its list again (idempotent)."""

    __slots__ = ("_registry", "_fn")

    def __init__(self, registry, fn):
        self._registry, self._fn = registry, fn

    def remove(self):
        try:
            self._registry.remove(self._fn)
        except ValueError:
            pass


def observe_record(fn):
    """Call ``fn(node)`` on every node recorded from now on, until the handle is removed."""
    on_record.append(fn)
    return RemovableHandle(on_record, fn)


def observe_backward(fn):
    """Call ``fn(node, grads)`` before every node's backward, until the handle is removed."""
    on_backward.append(fn)
    return RemovableHandle(on_backward, fn)
