"""``make_dot``: the recorded graph as a ``graphviz.Digraph`` (shown inline in Jupyter).

Op nodes are named like PyTorch's ``grad_fn`` (``MulBackward``); leaves show their
parameter names and shapes. The walk is iterative, so graphs of any depth draw.
"""
from __future__ import annotations

import math
import os
import threading

from .function import Function
from .observers import observe_backward
from .tensor import Tensor

_LEAF = "lightblue"
_OUTPUT = "darkolivegreen1"
_OP = "lightgrey"
_ANOMALY = "red"


def _size(shape):
    return str(tuple(int(s) for s in shape))


def _nbytes(value):
    data = value._data if isinstance(value, Tensor) else value
    return int(getattr(data, "nbytes", 0))


def _grad_colour(norm, lo, hi):
    """Blue for vanishing, red for exploding, on a log scale between the graph's extremes."""
    if norm is None or not math.isfinite(norm):
        return _ANOMALY
    if hi <= lo:
        return "#9ecae1"
    t = (math.log10(max(norm, 1e-30)) - lo) / (hi - lo)
    # light blue (0x9ecae1) to light red (0xfc9272): black labels stay readable
    r, g, b = (int(c0 + (c1 - c0) * t) for c0, c1 in ((0x9E, 0xFC), (0xCA, 0x92), (0xE1, 0x72)))
    return f"#{r:02x}{g:02x}{b:02x}"


class record_grad_norms:
    """Context manager: backward passes inside it record each op node's gradient norm.

    ``make_dot(..., show_grad=True)`` then labels and colours op nodes too, not only leaves.

    Example::

        >>> with ag.viz.record_grad_norms():
        ...     loss.backward()  # doctest: +SKIP
    """

    def __enter__(self):
        thread = threading.get_ident()

        def record(node, grads):  # a backward observer of the engine, for this thread's backward passes
            if threading.get_ident() == thread:
                node._grad_norm = _grads_norm(grads)

        self._handle = observe_backward(record)
        return self

    def __exit__(self, *exc):
        self._handle.remove()
        return False


def _grads_norm(grads):
    """The 2-norm of some gradients together (a node's incoming gradients, a leaf's ``.grad``)."""
    total = 0.0
    for g in grads:
        if g is not None:
            xp = g.device.xp
            total += float(xp.sum(xp.square(g._data.astype("float64"))))
    return total ** 0.5


def walk(roots):
    """Every node and leaf reachable from ``roots`` (Functions or leaf Tensors), without recursion."""
    seen = {}
    stack = list(roots)
    while stack:
        n = stack.pop()
        if n is None or id(n) in seen:
            continue
        seen[id(n)] = n
        if isinstance(n, Function):
            for e in n._edges:
                if e is not None and id(e[0]) not in seen:
                    stack.append(e[0])
    return list(seen.values())


def make_dot(tensor, params=None, show_attrs=False, show_saved=False, group_by_module=False,
             show_grad=False):
    """Draw the graph that produced ``tensor`` (or a list/tuple of tensors).

    Args:
        tensor: the output(s) whose history is drawn.
        params (dict, optional): ``{name: tensor}`` (e.g. ``dict(model.named_parameters())``)
            to label leaves by name.
        show_attrs: list each op's non-tensor attributes and where it was created.
        show_saved: list the arrays each op saved for backward, with their sizes.
        group_by_module: one cluster per module path that created the nodes.
        show_grad: after ``backward()``, label and colour leaves by gradient norm, and op
            nodes too when the backward ran inside :class:`record_grad_norms`.

    Returns:
        graphviz.Digraph
    """
    try:
        from graphviz import Digraph
    except ImportError as e:  # pragma: no cover - depends on the extra
        raise ImportError('make_dot needs graphviz: pip install "xpgrad[viz]"') from e
    outputs = [tensor] if isinstance(tensor, Tensor) else list(tensor)
    names = {id(p): n for n, p in (params or {}).items()}
    dot = Digraph(graph_attr={"rankdir": "TB", "size": "12,12"},
                  node_attr={"style": "filled", "shape": "box", "align": "left", "fontsize": "10",
                             "ranksep": "0.1", "height": "0.2", "fontname": "monospace"})
    roots = [t.grad_fn if t.grad_fn is not None else t for t in outputs]
    nodes = walk(roots)

    norms = [_norm(n) for n in nodes] if show_grad else []
    finite = [math.log10(max(v, 1e-30)) for v in norms if v is not None and math.isfinite(v)]
    lo, hi = (min(finite), max(finite)) if finite else (0.0, 0.0)

    clusters = {}
    for i, n in enumerate(nodes):
        nid = str(id(n))
        if isinstance(n, Function):
            label = n.name()
            if show_attrs:
                label += _attrs(n)
            if show_saved:
                label += _saved(n)
            colour = _OP
            if getattr(n, "_anomalous", False):
                colour = _ANOMALY
            elif show_grad and norms[i] is not None:
                label += f"\n|grad| {norms[i]:.3g}"
                colour = _grad_colour(norms[i], lo, hi)
            target = dot
            if group_by_module and n._module:
                target = clusters.setdefault(n._module, Digraph(name=f"cluster_{len(clusters)}"))
            _node(target, nid, label, colour)
        else:
            name = names.get(id(n), "")
            label = (name + "\n" if name else "") + _size(n.shape)
            colour = _LEAF
            if show_grad and norms[i] is not None:
                label += f"\n|grad| {norms[i]:.3g}"
                colour = _grad_colour(norms[i], lo, hi)
            target = dot
            module = name.rpartition(".")[0]
            if group_by_module and module:  # a parameter sits in its module's cluster
                target = clusters.setdefault(module, Digraph(name=f"cluster_{len(clusters)}"))
            _node(target, nid, label, colour)
    for module, sub in clusters.items():
        sub.attr(label=module, style="dashed")
        dot.subgraph(sub)
    body = dot.body
    for n in nodes:
        if isinstance(n, Function):
            head = id(n)
            for e in n._edges:
                if e is not None:
                    body.append(f"\t{id(e[0])} -> {head}\n")
    for k, t in enumerate(outputs):
        oid = f"out{k}_{id(t)}"
        _node(dot, oid, _size(t.shape), _OUTPUT)
        body.append(f"\t{id(roots[k])} -> {oid}\n")
    return dot


def _node(graph, nid, label, colour):
    # DOT lines written directly: graphviz's per-attribute quoting is most of the time on big graphs
    label = label.replace("\\", "\\\\").replace('"', '\\"')
    graph.body.append(f'\t{nid} [label="{label}" fillcolor="{colour}"]\n')


def _norm(n):
    if isinstance(n, Function):
        return getattr(n, "_grad_norm", None)
    return None if n.grad is None else _grads_norm((n.grad,))


def _attrs(n):
    lines = []
    for k, v in vars(n).items():
        if k.startswith("_") or k in ("needs_input_grad", "device"):
            continue
        if isinstance(v, (int, float, str, bool, tuple)) and len(repr(v)) < 40:
            lines.append(f"{k}: {v!r}")
    if n._site:  # the file's name is enough in a picture
        lines.append(f"{os.path.basename(n._site[0])}:{n._site[1]}")
    if n._module:
        lines.append(f"in {n._module}")
    return ("\n" + "\n".join(lines)) if lines else ""


def _saved(n):
    saved = n._saved
    if saved is None or saved.__class__ is not list:
        return ""
    lines = []
    for rec in saved:
        kind, v = rec[:2] if rec.__class__ is tuple else (3, rec)
        if kind in (0, 1, 2) and v is not None:
            lines.append(f"saved {_size(v.shape)} {_nbytes(v)} B")
    return ("\n" + "\n".join(lines)) if lines else ""
