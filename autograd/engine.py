"""The backward pass: one iterative walk of the graph, newest node first.

Nodes are visited in reverse creation order (``Function._seq``), popped from a
heap of the nodes that have received a gradient: every consumer of a node was
recorded after it, so it has delivered before the node is visited, and no pass
over the graph is needed to order it first. Each node's incoming gradients are
summed, its hooks run, its ``backward`` is called, and the results are reduced
over broadcast dimensions, cast to the input dtype and passed along its edges.
Leaves accumulate into ``.grad`` at the end, except those with
post-accumulate-grad hooks: each of them as soon as its last incoming gradient
has arrived, and then its hooks run (as PyTorch's AccumulateGrad node; see
``accumulate.py``). With ``inputs`` (``ag.grad``, ``backward(inputs=...)``) only
the nodes from which an input is reachable are run (``_prune``).
"""
from __future__ import annotations

from heapq import heappop, heappush

from . import backend
from .accumulate import (
    _apply_hooks, _EarlyLeaves, _grad_lock, _hooked, _mark, _run_post_hooks, accumulate_grad,
    post_accumulate_hooks,
)
from .function import Function
from .grad_mode import state
from .observers import on_backward


def topological_order(roots):
    """Nodes reachable from ``roots``, each after every node that consumes it.

    An explicit stack (no recursion), so graphs of any depth work.
    """
    order = []
    seen = set()
    for root in roots:
        if id(root) in seen:
            continue
        stack = [(root, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            for e in node._edges:
                if e is not None:
                    nxt = e[0]
                    if isinstance(nxt, Function) and id(nxt) not in seen:
                        stack.append((nxt, False))
    order.reverse()
    return order


def run_backward(tensors, grad_tensors, retain_graph=False, create_graph=False,
                 inputs=None, allow_unused=False, run_inputs=False):
    """Backpropagate from ``tensors`` seeded with ``grad_tensors``.

    With ``inputs`` (``ag.grad``), returns their gradients and leaves every
    ``.grad`` untouched; otherwise accumulates into the leaves' ``.grad``.
    With ``inputs`` only the nodes from which some input is reachable are run
    (as PyTorch): the others get no hooks, no ``retain_grad`` and keep their
    saved tensors. A non-leaf input's own node is run only with ``run_inputs``
    (``backward(inputs=...)``, as PyTorch); ``ag.grad`` just takes its gradient.

    Without ``create_graph`` the gradients flow between nodes as backend arrays
    (each node's ``raw_backward`` where it has one): a gradient is wrapped in a
    Tensor only where code outside the engine sees it (hooks, a ``backward``
    written with Tensors, ``.grad``). With ``create_graph`` they are Tensors, and
    the operations on them are recorded.
    """
    arrays = not create_graph
    buffers = {}  # node -> list of gradient per output
    leaf_grads = {}  # id(leaf) -> [leaf, grad, summed here]
    # memory blocks seen outside the engine (the caller's seeds, hooks' arguments and results, user
    # Functions' results): a leaf never adopts one of them as its .grad
    visible = set()
    roots = []
    for i, (t, g) in enumerate(zip(tensors, grad_tensors)):
        _mark(visible, g)
        fn = t.grad_fn
        if fn is None:
            if not t.requires_grad:
                raise RuntimeError(
                    f"element {i} of tensors does not require grad and does not have a grad_fn"
                )
            _add_leaf(leaf_grads, t, g)
            continue
        if _add(buffers, fn, t._output_nr, g._data if arrays else g):
            roots.append((fn._seq, fn))

    captured = None
    wanted_nodes = {}  # node -> [(index in inputs, output number)] (ag.grad's non-leaf inputs)
    tips = ()  # wanted nodes that lead to no other input: their gradient is taken, they are not run
    if inputs is not None:
        captured = {}
        for k, t in enumerate(inputs):
            if t.grad_fn is not None:
                wanted_nodes.setdefault(t.grad_fn, []).append((k, t._output_nr))
        roots, tips = _prune(roots, buffers, inputs, wanted_nodes, run_inputs)

    heap = roots  # (seq, node) of the nodes holding gradients, newest (smallest seq) first
    heap.sort()
    claimed = set()
    early = None  # leaves with post-accumulate hooks: finished as soon as their last gradient arrives
    if post_accumulate_hooks.count and captured is None:
        early = _EarlyLeaves(topological_order([n for _, n in heap]), leaf_grads, visible, claimed,
                             create_graph)
    prev, prev_acc = state.enabled, state.accumulating
    state.enabled, state.accumulating = create_graph, inputs is None  # (read by checkpoint's backward)
    anomaly = state.anomaly
    observers = on_backward
    inspect = captured is not None or bool(observers)  # a node's gradients may be seen outside
    owned = set()  # (node, nr) of gradient arrays made here that nothing else has seen yet
    scatter_ok = arrays and not anomaly
    try:
        while heap:
            node = heappop(heap)[1]
            grads = buffers.pop(node)
            if owned:
                for nr in range(len(node._out_metas)):
                    owned.discard((node, nr))
            if early is not None and not any(g is not None for g in grads):  # reached by edges that
                for e in node._edges:                                         # brought nothing
                    if e is not None:
                        _nothing_along(early, buffers, heap, e[0])
                continue
            single = len(grads) == 1
            if not single and not node._no_materialize:  # (ctx.set_materialize_grads(False))
                grads = _materialize(node, grads, arrays)
            if node._hooks or node._retained or inspect and (observers or node in wanted_nodes):
                seen = [_wrap(g, node.device) for g in grads] if arrays else grads  # user code sees them
                if node._hooks:
                    seen = _run_hooks(node._hooks, seen, visible)
                if node._retained:
                    _retain(node, seen, create_graph)
                if node._hooks and "pre" in node._hooks:
                    seen = _run_node_hooks(node, node._hooks["pre"], seen)
                if node in wanted_nodes:
                    for k, nr in wanted_nodes[node]:
                        captured[k] = seen[nr]
                    if node in tips:
                        continue
                if observers:
                    for observe in observers:
                        observe(node, seen)
                if arrays:
                    grads = [None if g is None else g._data for g in seen]
                else:
                    grads = seen
            if scatter_ok and node.raw_scatter is not None and _scatter(node, grads[0], buffers, heap, owned):
                if not retain_graph:
                    node._saved = None
                continue
            if arrays and node.raw_backward is not None:
                results = (node.raw_backward(node, grads[0]) if single  # no tuple made
                           else node.raw_backward(node, *grads))
            else:
                results = node.backward(node, *([_wrap(g, node.device) for g in grads] if arrays else grads))
                if results.__class__ is not tuple:
                    results = (results,)
                if not node.raw:  # a user Function may return any tensor (a saved input, a constant)
                    for g in results:
                        _mark(visible, g)
                if arrays:
                    results = tuple(None if g is None else g._data for g in results)
            if results.__class__ is not tuple:
                results = (results,)
            if node._hooks and "post" in node._hooks:  # grad_fn.register_hook(fn(grad_inputs, grad_outputs))
                results = _run_node_hooks(node, node._hooks["post"], results, seen, arrays)
            if anomaly:
                _check_anomaly(node, results)
            edges = node._edges
            if len(results) != len(edges):
                _raise_count(node, results)
            i = -1
            for e in edges:  # not zip(): its iterators and tuples are five allocations per node
                i += 1
                if e is None:
                    continue
                g = results[i]
                if g is None:
                    if early is not None:
                        _nothing_along(early, buffers, heap, e[0])
                    continue
                target, nr, shape, dtype = e
                if arrays:
                    if g.__class__ is not target.device.array_type:  # 0-d arithmetic gives NumPy scalars
                        g = backend.as_array(g, target.device)
                    if g.shape != shape:  # sum over the dimensions the forward broadcast
                        g = sum_to_shape(Tensor._make(g, target.device), shape, node)._data
                    if g.dtype is not dtype and g.dtype != dtype:  # `is`: NumPy's dtypes are
                        g = g.astype(dtype)                            # shared, `!=` is a call
                else:
                    if g._data.shape != shape:
                        g = sum_to_shape(g, shape, node)
                    if g._data.dtype != dtype:
                        g = g.to(dtype)
                if isinstance(target, Function):
                    slots = buffers.get(target)
                    if slots is None:
                        n_out = len(target._out_metas)
                        if n_out == 1:
                            buffers[target] = [g]
                        else:
                            slots = buffers[target] = [None] * n_out
                            slots[nr] = g
                        heappush(heap, (target._seq, target))
                    elif slots[nr] is None:
                        slots[nr] = g
                    elif owned and (target, nr) in owned:
                        slots[nr] += g  # an array made here, seen by no one: in place
                    else:
                        slots[nr] = slots[nr] + g
                        if arrays:  # a new array: later gradients are added into it
                            owned.add((target, nr))
                else:
                    _add_leaf(leaf_grads, target, Tensor._make(g, target.device) if arrays else g)
                    if early is not None:
                        early.arrived(target)
            if not retain_graph:
                node._saved = None
    finally:
        state.enabled, state.accumulating = prev, prev_acc

    if captured is not None:
        result = []
        for k, t in enumerate(inputs):
            g = captured.get(k)
            if g is None and t.grad_fn is None:
                entry = leaf_grads.get(id(t))
                g = entry[1] if entry is not None else None
                if g is not None and t._hooks:
                    g = _apply_hooks(t._hooks, g)
            if g is None and not allow_unused:
                raise RuntimeError(
                    f"One of the differentiated Tensors (input {k}, shape {tuple(t.shape)}) "
                    "appears to not have been used in the graph. Set allow_unused=True if "
                    "this is the desired behavior."
                )
            if g is not None and not create_graph:
                g = g.detach()
            result.append(g)
        return tuple(result)

    ready = [_hooked(leaf, g, summed, visible, claimed) for leaf, g, summed in leaf_grads.values()]
    with _grad_lock:
        for leaf, g, private in ready:
            accumulate_grad(leaf, g, private, create_graph)
    if post_accumulate_hooks.count:
        for leaf, _, _ in ready:
            _run_post_hooks(leaf)
    return None


class _Pruned:
    """The gradient slots of a node that leads to no input (``_prune``): they read as empty and
    drop what is written into them, so the node is never queued and never run."""

    __slots__ = ()

    def __getitem__(self, nr):
        return None

    def __setitem__(self, nr, g):
        pass


_PRUNED = _Pruned()


def _prune(roots, buffers, inputs, wanted_nodes, run_inputs):
    """Restrict a backward with ``inputs`` to the nodes from which an input is reachable, as
    PyTorch's engine: returns the roots to start from and the wanted nodes not to run.

    One iterative walk (graphs are deep) finds, children first, the nodes that lead to an input: a
    leaf among ``inputs``, or a node of ``wanted_nodes`` (which itself counts as leading there only
    with ``run_inputs``). Each other node that a kept node has an edge into gets ``_PRUNED`` as its
    gradient slots in ``buffers``: the loop then drops what is sent to it and never queues it, at
    no cost to a backward without ``inputs``. Without leaf inputs, a node older than every wanted
    node (a larger ``_seq``) cannot reach one and is not walked."""
    leaves = {id(t) for t in inputs if t.grad_fn is None}
    if leaves:
        oldest = 1  # every _seq is negative: no node is cut off by age
    elif wanted_nodes:
        oldest = max(n._seq for n in wanted_nodes)
    else:
        oldest = -1 << 62
    leads = set()  # nodes from which an input is reachable
    seen = set()
    for _, root in roots:
        if root._seq > oldest:
            continue
        stack = [(root, False)]
        while stack:
            node, done = stack.pop()
            if done:  # every child is settled (a DAG: a child seen before is done)
                if run_inputs and node in wanted_nodes:
                    leads.add(node)
                    continue
                for e in node._edges:
                    if e is not None:
                        nxt = e[0]
                        if (nxt in leads or nxt in wanted_nodes if isinstance(nxt, Function)
                                else id(nxt) in leaves):
                            leads.add(node)
                            break
                continue
            if node in seen:
                continue
            seen.add(node)
            stack.append((node, True))
            for e in node._edges:
                if e is not None:
                    nxt = e[0]
                    if isinstance(nxt, Function) and nxt not in seen and nxt._seq <= oldest:
                        stack.append((nxt, False))
    tips = {n for n in wanted_nodes if n not in leads}
    for node in leads:
        for e in node._edges:
            if e is not None:
                nxt = e[0]
                if isinstance(nxt, Function) and nxt not in leads and nxt not in tips:
                    buffers[nxt] = _PRUNED
    return [r for r in roots if r[1] in leads or r[1] in tips], tips


def _wrap(a, device):
    return None if a is None else Tensor._make(a, device)


def _scatter(node, g, buffers, heap, owned):
    """Add the gradient array ``g`` of a slice-like node (``raw_scatter``) straight into its
    source's gradient buffer, instead of making zeros of the source's shape per slice and summing
    them: the first slice of a source allocates one buffer (``owned``: made here, seen by no one),
    the later ones and any dense gradient are added into it in place. False (nothing done) when
    the source is a leaf or the gradient needs a cast; the caller then runs the node's ordinary
    backward."""
    e = node._edges[0]
    if e is None:
        return True
    target, nr, shape, dtype = e
    if not isinstance(target, Function) or g.dtype != dtype:
        return False
    slots = buffers.get(target)
    if slots is None:
        slots = buffers[target] = [None] * len(target._out_metas)
        heappush(heap, (target._seq, target))
    cur = slots[nr]
    if cur is not None and (target, nr) in owned:
        node.raw_scatter(node, cur, g)
        return True
    buf = node.device.xp.zeros(shape, dtype) if cur is None else cur.astype(dtype, order="C")
    node.raw_scatter(node, buf, g)
    slots[nr] = buf
    owned.add((target, nr))
    return True


def _add(buffers, node, nr, g):
    """Add a root's seed gradient into its node's slots; True when the node had none yet."""
    slots = buffers.get(node)
    if slots is None:
        slots = buffers[node] = [None] * len(node._out_metas)
        slots[nr] = g
        return True
    slots[nr] = g if slots[nr] is None else slots[nr] + g
    return False


def _nothing_along(early, buffers, heap, target):
    """An edge into ``target`` brought no gradient: it counts as arrived (for a leaf with
    post-accumulate hooks), and a node ``target`` is queued anyway, so that its own edges are
    counted in turn."""
    early.arrived(target)
    if isinstance(target, Function) and target not in buffers:
        buffers[target] = [None] * len(target._out_metas)
        heappush(heap, (target._seq, target))


def _add_leaf(leaf_grads, leaf, g):
    entry = leaf_grads.get(id(leaf))
    if entry is None:
        leaf_grads[id(leaf)] = [leaf, g, False]
    elif entry[2] and not state.enabled:  # already a sum made here, seen by no one: in place
        entry[1]._data += g._data
    else:
        entry[1] = entry[1] + g
        entry[2] = True  # a new array, made here


def _retain(node, grads, create_graph):
    """Set ``.grad`` of the non-leaf outputs that asked for ``retain_grad()`` (a copy, as PyTorch)."""
    for nr, ref in node._retained.items():
        t = ref()
        if t is not None and grads[nr] is not None:
            with _grad_lock:
                accumulate_grad(t, grads[nr], False, create_graph)


def _materialize(node, grads, arrays):
    """A multi-output node's gradients with zeros for the outputs that got none."""
    out = list(grads)
    for i, g in enumerate(out):
        if g is None and node._out_metas[i] is not None:
            shape, dtype = node._out_metas[i]
            zeros = node.device.xp.zeros(shape, dtype)
            out[i] = zeros if arrays else Tensor._make(zeros, node.device)
    return out


def _run_hooks(hooks, grads, visible):
    grads = list(grads)
    for nr, fns in hooks.items():
        if nr.__class__ is int and grads[nr] is not None:  # ("pre"/"post": the node's own hooks)
            _mark(visible, grads[nr])
            grads[nr] = _apply_hooks(fns, grads[nr])
            _mark(visible, grads[nr])
    return grads


def _run_node_hooks(node, fns, grads, grad_outputs=None, arrays=False):
    """A Node's pre-hooks ``fn(grad_outputs)`` (``grad_outputs`` None) or post-hooks
    ``fn(grad_inputs, grad_outputs)``; a hook's non-None result replaces ``grads``."""
    if arrays:  # post-hooks get the backward's arrays: user code sees Tensors
        grads = tuple(None if g is None else _wrap(g, node.device) for g in grads)
    if grad_outputs is not None:  # as PyTorch, grad_inputs have their inputs' shapes
        grads = tuple(g if g is None or e is None or g.shape == e[2] else sum_to_shape(g, e[2], node)
                      for g, e in zip(grads, node._edges))
    grads = tuple(grads)
    for fn in list(fns):
        r = fn(grads) if grad_outputs is None else fn(grads, tuple(grad_outputs))
        if r is not None:
            r = (r,) if isinstance(r, Tensor) else tuple(r)
            if len(r) != len(grads):
                raise RuntimeError(f"hook '{getattr(fn, '__name__', fn)}' on {node.name()} returned "
                                   f"{len(r)} gradients, expected {len(grads)}")
            grads = r
    if arrays:
        return tuple(None if g is None else g._data for g in grads)
    return list(grads) if grad_outputs is None else grads


def sum_to_shape(g, shape, node=None):
    """Reduce ``g`` by summation to ``shape`` (the inverse of broadcasting)."""
    gshape = g.shape
    lead = len(gshape) - len(shape)
    if lead < 0:
        return g.reshape(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(shape) if n == 1 and gshape[i + lead] != 1
    )
    if any(gshape[i + lead] != n and n != 1 for i, n in enumerate(shape)):
        where = node.where() if node is not None else ""
        name = node.name() if node is not None else "backward"
        raise RuntimeError(
            f"{name} returned a gradient of shape {tuple(gshape)} for an input of shape "
            f"{tuple(shape)}{where}"
        )
    if axes:
        g = g.sum(dim=axes, keepdim=True)
    if lead:
        g = g.reshape(shape)
    return g


def _raise_count(node, results):
    raise RuntimeError(
        f"{node.name()}.backward returned {len(results)} gradients but its forward "
        f"took {len(node._edges)} arguments{node.where()}"
    )


def _check_anomaly(node, results):
    for i, g in enumerate(results):
        if g is None:
            continue
        xp = node.device.xp
        a = g._data if isinstance(g, Tensor) else xp.asarray(g)
        if not bool(xp.all(xp.isfinite(a))):
            node._anomalous = True
            bad = "nan" if bool(xp.any(xp.isnan(a))) else "inf"
            raise RuntimeError(
                f"Function '{node.name()}' returned {bad} values in its {i}th output"
                f"{node.where()}."
            )


from .tensor import Tensor  # noqa: E402
