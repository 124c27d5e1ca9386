"""``memory_report``: the bytes a graph keeps alive for backward, per op and per module."""
from __future__ import annotations

import html

from . import backend
from .engine import topological_order
from .function import Function
from .tensor import Tensor

__all__ = ["memory_report", "MemoryReport"]

# ctx attributes that belong to the engine (their arrays, if any, are not saved values)
_ENGINE_ATTRS = frozenset({"_saved", "_edges", "_out_metas", "device", "needs_input_grad",
                           "_where", "_module", "_hooks", "_retained", "_non_diff", "_anomalous"})
_KINDS = ("inputs", "outputs", "constants")


class MemoryReport:
    """What :func:`memory_report` returns: a table of saved bytes.

    Attributes:
        total_bytes (int): bytes saved for backward, each memory block counted once.
        by_op (dict): op name (``"MulBackward"``) -> bytes.
        count_by_op (dict): op name -> number of nodes in the graph.
        by_module (dict): module path (``"encoder.0"``; ``""`` outside any
            module) -> bytes.
        by_kind (dict): ``"inputs"`` (saved input tensors, parameters
            included), ``"outputs"`` (saved outputs) and ``"constants"``
            (masks, indices, other arrays) -> bytes.
        nodes (int): graph nodes visited.
    """

    def __init__(self):
        self.total_bytes = 0
        self.by_op = {}
        self.count_by_op = {}
        self.by_module = {}
        self.by_kind = dict.fromkeys(_KINDS, 0)
        self.nodes = 0

    def _rows(self):
        ops = sorted(self.count_by_op, key=lambda k: (-self.by_op.get(k, 0), k))
        mods = sorted(self.by_module, key=lambda k: (-self.by_module[k], k))
        return ([(k, self.count_by_op[k], self.by_op.get(k, 0)) for k in ops],
                [(k or "(no module)", self.by_module[k]) for k in mods])

    def __str__(self):
        ops, mods = self._rows()
        w = max([len("op")] + [len(k) for k, _, _ in ops])
        lines = [f"Saved for backward: {_fmt(self.total_bytes)} in {self.nodes} nodes "
                 f"(views counted once)", "",
                 f"{'op':<{w}}  {'count':>6}  {'bytes':>12}  {'':>10}"]
        lines += [f"{k:<{w}}  {c:>6}  {b:>12,}  {_fmt(b):>10}" for k, c, b in ops]
        if mods:
            wm = max([len("module")] + [len(k) for k, _ in mods])
            lines += ["", f"{'module':<{wm}}  {'bytes':>12}  {'':>10}"]
            lines += [f"{k:<{wm}}  {b:>12,}  {_fmt(b):>10}" for k, b in mods]
        return "\n".join(lines)

    def __repr__(self):
        return f"<MemoryReport total_bytes={self.total_bytes} nodes={self.nodes}>"

    def _repr_html_(self):
        ops, mods = self._rows()
        esc = html.escape

        def table(head, rows):
            th = "".join(f"<th>{esc(h)}</th>" for h in head)
            body = "".join("<tr>" + "".join(f"<td>{esc(str(c))}</td>" for c in r) + "</tr>" for r in rows)
            return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"

        return (f"<p>Saved for backward: <b>{esc(_fmt(self.total_bytes))}</b> in {self.nodes} nodes "
                "(views counted once)</p>"
                + table(("op", "count", "bytes"), [(k, c, f"{b:,}") for k, c, b in ops])
                + table(("module", "bytes"), [(k, f"{b:,}") for k, b in mods]))


def _fmt(n):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024


def memory_report(tensor):
    """Tabulate the memory the graph behind ``tensor`` keeps for backward.

    Walks the recorded graph (iteratively, so any depth works) and sums the
    arrays each node saved for its backward: per op type, per module path
    (recorded when the op ran inside an ``nn.Module``'s forward) and per kind
    (saved inputs, outputs, constants). Memory shared between views is counted
    once: a saved view and its base are one block, attributed to the first op
    (in forward order) that saved it. A graph freed by ``backward()`` reports 0.

    Args:
        tensor: a Tensor (usually the loss), or a list/tuple of Tensors.

    Returns:
        MemoryReport: ``str()`` (or Jupyter's display) shows the table;
        ``total_bytes``, ``by_op``, ``by_module`` hold the numbers.

    Example::

        >>> x = ag.ones(1000, requires_grad=True)
        >>> y = (x.exp() * 2).sum()
        >>> ag.memory_report(y).total_bytes   # exp saves its 4000-byte output
        4000
    """
    tensors = list(tensor) if isinstance(tensor, (list, tuple)) else [tensor]
    roots = []
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"memory_report expects a Tensor or a list of Tensors, got {type(t).__name__}")
        if t.grad_fn is not None:
            roots.append(t.grad_fn)
    report = MemoryReport()
    seen = set()
    for node in reversed(topological_order(roots)):  # forward order
        report.nodes += 1
        name = node.name()
        report.count_by_op[name] = report.count_by_op.get(name, 0) + 1
        report.by_op.setdefault(name, 0)
        module = node._module or ""
        report.by_module.setdefault(module, 0)
        for kind, array in _saved_arrays(node):
            key, nbytes = backend.buffer_of(array)
            if key in seen:
                continue
            seen.add(key)
            report.total_bytes += nbytes
            report.by_op[name] += nbytes
            report.by_module[module] += nbytes
            report.by_kind[_KINDS[kind]] += nbytes
    return report


def _saved_arrays(node: Function):
    """``(kind, array)`` for each array ``node`` keeps for backward."""
    saved = node._saved
    if saved.__class__ is list:
        for rec in saved:
            kind, value = rec[:2] if rec.__class__ is tuple else (3, rec)
            if kind == 0:
                yield 0, value._data
            elif kind in (1, 2) and value is not None:
                yield kind, value
    for attr, value in vars(node).items():  # arrays an op kept as ctx attributes
        if attr in _ENGINE_ATTRS:
            continue
        values = value if isinstance(value, (tuple, list)) else (value,)
        for v in values:
            if isinstance(v, Tensor):
                v = v._data
            if backend.is_array(v):
                yield 2, v
