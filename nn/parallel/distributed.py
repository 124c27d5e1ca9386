"""``DistributedDataParallel``: one model replica per process, gradients averaged across ranks."""
from __future__ import annotations

import contextlib

from autograd import distributed as dist
from autograd.engine import topological_order
from autograd.grad_mode import is_grad_enabled, no_grad
from autograd.tensor import Tensor

from ..modules.module import Module
from .reducer import Reducer


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
    ready (a post-accumulate-grad hook on each parameter), so communication
    overlaps the rest of backward. After ``backward()``, every rank holds the same
    averaged ``.grad``, so identical optimizer steps keep the replicas identical.

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
        self.reducer = Reducer([p for _, p in named], [n for n, _ in named], self.process_group,
                               bucket_cap_mb, find_unused_parameters)
        self._grad_hooks = [p.register_post_accumulate_grad_hook(self.reducer.hook(i))
                            for i, (_, p) in enumerate(named)]

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
        out = self.module(*inputs, **kwargs)
        if self.find_unused_parameters:
            outs = _tensors_in(out, [])
            reached = {id(t) for t in outs if t.grad_fn is None}
            for node in topological_order([t.grad_fn for t in outs if t.grad_fn is not None]):
                reached.update(id(e[0]) for e in node._edges if e is not None)
            reducer.mark_unused([i for i, p in enumerate(reducer.params) if id(p) not in reached])
        return out

    def extra_repr(self):
        return (f"broadcast_buffers={self.broadcast_buffers}, "
                f"find_unused_parameters={self.find_unused_parameters}")
