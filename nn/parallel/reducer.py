"""DDP's gradient reducer: buckets of gradients averaged across ranks while backward runs.

Each parameter has a post-accumulate-grad hook (:meth:`Reducer.hook`), which the
engine calls as soon as every use of the parameter has sent its gradient back
and ``.grad`` holds it (gradient hooks on the parameter included; under
``no_sync`` earlier passes accumulated there too). The hook copies ``.grad`` into
its bucket's flat buffer; when a bucket's last gradient arrives, the bucket's
all-reduce starts (non-blocking) while backward goes on with the earlier layers.
The last bucket's arrival waits for all of them and gives each parameter its
averaged ``.grad``, a view of the bucket.
"""
from __future__ import annotations

from autograd import distributed as dist
from autograd.tensor import Tensor

#: PyTorch's cap of the first bucket (small, so that communication starts early).
FIRST_BUCKET_BYTES = 1024 * 1024


class _Bucket:
    def __init__(self, indices, device, dtype):
        self.indices, self.device, self.dtype = indices, device, dtype
        self.buffer = self.work = None
        self.pending = len(indices)


class Reducer:
    """Assigns parameters to buckets and averages their gradients across the process group."""

    def __init__(self, params, names, group, bucket_cap_mb, find_unused_parameters):
        self.params, self.names, self.group = params, names, group
        self.world = dist.get_world_size(group)
        self.find_unused = find_unused_parameters
        self.offsets, self.bucket_of = [0] * len(params), [0] * len(params)
        self.buckets = self._assign(int(bucket_cap_mb * 1024 * 1024))
        self.events = []  # ("launch", bucket) / ("done", bucket): the order of the last backward
        self.armed = False
        self.ready = set()

    def _assign(self, cap):
        """Buckets of at most ``cap`` bytes, filled in reverse parameter order (the order backward
        produces gradients), one dtype and device per bucket; the first one capped at 1 MiB."""
        buckets, open_ = [], {}
        for i in reversed(range(len(self.params))):
            p = self.params[i]
            key = (p.device, p.dtype)
            cur = open_.get(key)
            limit = min(FIRST_BUCKET_BYTES, cap) if cur is not None and cur is buckets[0] else cap
            if cur is None or (cur[1] and cur[1] + p._data.nbytes > limit):
                cur = open_[key] = [[], 0]
                buckets.append(cur)
            cur[0].append(i)
            cur[1] += p._data.nbytes
        out = []
        for b, (indices, _) in enumerate(buckets):
            off = 0
            for i in indices:
                self.offsets[i], self.bucket_of[i] = off, b
                off += self.params[i]._data.size
            p = self.params[indices[0]]
            out.append(_Bucket(indices, p.device, p.dtype))
            out[-1].size = off
        return out

    def bucket_sizes(self):
        """The parameter indices of each bucket (in launch order)."""
        return [list(b.indices) for b in self.buckets]

    # ------------------------------------------------------------ one iteration
    def prepare(self):
        """Arm the reducer for the backward of the forward about to run."""
        if self.armed and self.ready:
            missing = [self.names[i] for i in range(len(self.params)) if i not in self.ready]
            raise RuntimeError(
                "Expected to have finished reduction in the prior iteration before starting a new one. "
                "This error indicates that your module has parameters that were not used in producing "
                f"loss: {missing}. Pass find_unused_parameters=True to DistributedDataParallel, or make "
                "sure every forward output takes part in computing the loss.")
        self.armed, self.ready = True, set()
        self.events.clear()
        self.used = None
        for b in self.buckets:
            b.buffer = b.device.xp.zeros(b.size, b.dtype)
            b.pending, b.work = len(b.indices), None

    def mark_unused(self, unused):
        """Parameters that did not take part in this forward count as ready, contributing zero."""
        self.used = [1] * len(self.params)
        for i in unused:
            self.used[i] = 0
        for i in unused:
            self._ready(i)

    def hook(self, index):
        """The post-accumulate-grad hook of parameter ``index``: hands its ``.grad`` over while armed
        (a synchronised forward ran; not under ``no_sync``)."""
        def ready(param):
            if self.armed:
                self.mark_ready(index)
        return ready

    def mark_ready(self, index):
        if index in self.ready:
            raise RuntimeError(
                f"DistributedDataParallel: the gradient of parameter '{self.names[index]}' arrived twice "
                "in one iteration (reentrant backward or a second backward through the same forward is "
                "not supported; use no_sync() for accumulation)")
        self._ready(index)

    def _ready(self, i):
        self.ready.add(i)
        b = self.buckets[self.bucket_of[i]]
        p = self.params[i]
        n = p._data.size
        view = b.buffer[self.offsets[i]:self.offsets[i] + n]
        if p.grad is not None:  # this pass's gradient, plus those accumulated under no_sync()
            view[...] = p.grad._data.reshape(-1)
        b.pending -= 1
        for other in self.buckets:  # MPI progresses inside MPI calls: nudge the running all-reduces
            if other.work is not None:
                other.work.is_completed()
        if b.pending == 0:
            self.events.append(("launch", self.bucket_of[i]))
            b.work = dist.all_reduce(Tensor._make(b.buffer, b.device), group=self.group, async_op=True)
        if len(self.ready) == len(self.params):
            self._finalize()

    def _finalize(self):
        used = None
        if self.used is not None:  # which parameters some rank used (the rest keep their .grad)
            dev = self.buckets[0].device
            flags = Tensor._make(dev.xp.asarray(self.used, dtype="int32"), dev)
            dist.all_reduce(flags, op=dist.ReduceOp.MAX, group=self.group)
            used = flags._data.tolist()
        for k, b in enumerate(self.buckets):
            b.work.wait()
            self.events.append(("done", k))
            b.buffer /= self.world
            for i in b.indices:
                if used is not None and not used[i]:
                    continue
                p = self.params[i]
                off = self.offsets[i]
                p.grad = Tensor._make(b.buffer[off:off + p._data.size].reshape(p.shape), p.device)
        self.armed = False
