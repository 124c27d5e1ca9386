"""``DistributedDataParallel``: one model replica per process, gradients averaged across ranks."""
from __future__ import annotations

import contextlib

from autograd import distributed as dist
from autograd.engine import topological_order
from autograd.grad_mode import is_grad_enabled, no_grad
from autograd.tensor import Tensor

from ..modules.module import Module
from .reducer import Reducer, _GradReady


def _tensors_in(obj, out):
    """Every Tensor inside a (nested) output: tensors, tuples, lists, dicts."""
    if isinstance(obj, Tensor):
        out.append(obj)
    elif isinstance(obj, (list, tuple)):
        for o in obj:
            _tensors_in(o, out)
    elif isinstance(obj, dict):
        for o in obj.values():
            _tensors_in(o, out)
    return out


class DistributedDataParallel(Module):
    """Data parallelism across processes, as ``torch.nn.parallel.DistributedDataParallel``.

    Every rank holds a replica of ``module`` and feeds it its own share of each
    batch. At construction, parameters and buffers are broadcast from rank 0 (after
    checking that every rank has the same parameter shapes). During backward,
    gradients are averaged across ranks in buckets of about ``bucket_cap_mb``
    megabytes, each bucket's all-reduce started as soon as its gradients are
    ready, so communication overlaps the rest of backward. After ``backward()``,
    every rank holds the same averaged ``.grad``, so identical optimizer steps keep
    the replicas identical.

    Args:
        module (Module): the model to replicate.
        device_ids: accepted for PyTorch compatibility (``[i]`` for the GPU of this rank).
        broadcast_buffers (bool): copy rank 0's buffers (BatchNorm statistics) to every
            rank at the start of each forward. Default: True.
        process_group: the group to average over (default: the default group).
        bucket_cap_mb (float): bucket size in MiB. Default: 25.
        find_unused_parameters (bool): look through the graph after each forward for
            parameters that did not take part, so that backward does not wait for
            them. Default: False.

    Example::

        >>> # mpiexec -n 2 python train.py
        >>> dist.init_process_group("mpi")                       # doctest: +SKIP
        >>> model = nn.parallel.DistributedDataParallel(net)     # doctest: +SKIP
        >>> loss_fn(model(x), y).backward()                      # doctest: +SKIP
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0, broadcast_buffers=True,
                 process_group=None, bucket_cap_mb=None, find_unused_parameters=False, check_reduction=False,
                 gradient_as_bucket_view=False, static_graph=False, init_sync=True, **kwargs):
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel wraps an nn.Module, got {type(module).__name__}")
        if bucket_cap_mb is None:
            bucket_cap_mb = 25
        if not bucket_cap_mb > 0:
            raise ValueError(f"bucket_cap_mb must be positive, got {bucket_cap_mb}")
        self.module = module
        self.device_ids, self.output_device, self.dim = device_ids, output_device, dim
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.process_group = dist.group.resolve(process_group)
        self.require_backward_grad_sync = True
        named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
        self._verify_same_model(named, list(module.named_buffers()))
        if init_sync:
            self._broadcast([p for _, p in named] + [b for _, b in module.named_buffers()])
        self._owners = self._parameter_slots([p for _, p in named])
        self._marks = None  # {index: marked parameter} during a synchronised forward
        for m in {id(m): m for m, _, _ in self._owners}.values():
            m.register_forward_pre_hook(self._anchor_marks)
        self.reducer = Reducer([p for _, p in named], [n for n, _ in named], self.process_group,
                               bucket_cap_mb, find_unused_parameters)

    # ------------------------------------------------------------ construction
    def _verify_same_model(self, named, buffers):
        """Every rank must hold parameters (and buffers) of the same names, shapes and dtypes as rank 0."""
        mine = [(n, tuple(p.shape), str(p.dtype)) for n, p in named] + \
               [(n, tuple(b.shape), str(b.dtype)) for n, b in buffers]
        pg = self.process_group
        every = [None] * pg.size()
        dist.all_gather_object(every, mine, group=pg)
        ref = every[0]
        for r, theirs in enumerate(every[1:], 1):
            if theirs == ref:
                continue
            if len(theirs) != len(ref):
                msg = (f"DDP expects same model across all ranks, but rank 0 has {len(ref)} parameters and "
                       f"buffers, while rank {r} has {len(theirs)}")
            else:
                (n0, s0, d0), (n1, s1, d1) = next((a, b) for a, b in zip(ref, theirs) if a != b)
                msg = (f"DDP expects same model across all ranks: rank {r} has '{n1}' of shape {list(s1)} "
                       f"({d1}) where rank 0 has '{n0}' of shape {list(s0)} ({d0})")
            raise RuntimeError(msg)

    def _broadcast(self, tensors):
        """Rank 0's values into ``tensors`` on every rank (all broadcasts in flight at once)."""
        if self.process_group.size() == 1 or not tensors:
            return
        src = self.process_group.global_ranks[0]
        with no_grad():
            works = [dist.broadcast(t, src, group=self.process_group, async_op=True) for t in tensors]
            for w in works:
                w.wait()

    def _parameter_slots(self, params):
        """``[(submodule, name, index)]`` for every registration of a reduced parameter."""
        index = {id(p): i for i, p in enumerate(params)}
        slots = []
        for m in self.module.modules():
            for name, p in m._parameters.items():
                if p is not None and id(p) in index:
                    slots.append((m, name, index[id(p)]))
        return slots

    # ------------------------------------------------------------ forward
    def _anchor_marks(self, module, args):
        """Tie the readiness nodes of ``module``'s parameters to the module's input.

        The engine runs nodes in one topological order fixed before backward; a node
        is placed before every node it has an edge to. A readiness node that also has
        an (inert: it never receives a gradient) edge to the layer's input is
        therefore run before any earlier layer's backward: the bucket launches as
        soon as the layer is done, not at the very end of backward.
        """
        marks = self._marks
        if marks is None:
            return None
        anchor = next((a for a in args if isinstance(a, Tensor) and a.requires_grad), None)
        if anchor is None:
            return None
        for p in module._parameters.values():
            node = p.grad_fn if isinstance(p, Tensor) else None
            if isinstance(node, _GradReady) and node._edges[1] is None and marks.get(node.index) is p:
                fn = anchor.grad_fn
                data = anchor._data  # the edge as Function.apply builds it: (node or leaf, nr, shape, dtype)
                node._edges[1] = ((fn, anchor._output_nr, data.shape, data.dtype) if fn is not None
                                  else (anchor, 0, data.shape, data.dtype))
        return None

    @contextlib.contextmanager
    def no_sync(self):
        """Accumulate gradients locally (no communication) in the backward passes inside this block;
        the first synchronised backward after it averages the accumulated gradients."""
        prev = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = prev

    def forward(self, *inputs, **kwargs):
        if self.broadcast_buffers and self.process_group.size() > 1:
            self._broadcast(list(self.module.buffers()))
        if not (is_grad_enabled() and self.require_backward_grad_sync and self.reducer.params):
            return self.module(*inputs, **kwargs)
        reducer = self.reducer
        reducer.prepare()
        marked = {}
        saved = []
        try:
            for m, name, i in self._owners:
                if i not in marked:
                    marked[i] = _GradReady.apply(reducer.params[i], reducer, i)
                saved.append((m, name, m._parameters[name]))
                m._parameters[name] = marked[i]
            self._marks = marked
            out = self.module(*inputs, **kwargs)
        finally:
            self._marks = None
            for m, name, p in saved:
                m._parameters[name] = p
        if self.find_unused_parameters:
            reached = {id(n) for n in topological_order([t.grad_fn for t in _tensors_in(out, [])
                                                         if t.grad_fn is not None])}
            reducer.mark_unused([i for i, t in marked.items() if id(t.grad_fn) not in reached])
        return out

    def extra_repr(self):
        return (f"broadcast_buffers={self.broadcast_buffers}, "
                f"find_unused_parameters={self.find_unused_parameters}")
