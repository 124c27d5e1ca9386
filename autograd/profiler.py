"""``torch.profiler`` (also ``torch.autograd.profiler``): where a program's time goes, op by op.

While a :class:`profile` is active every recorded operation is timed (each op's forward, each
node's backward and each :class:`record_function` range), and ``key_averages().table()`` prints
PyTorch's table (self and total CPU time, calls); ``export_chrome_trace`` writes a trace for
``chrome://tracing`` or Perfetto. The timing wraps ``Function.apply`` and the backward only while
a profiler runs, so an unprofiled program pays nothing. Only CPU wall time is measured (the
``activities``, ``profile_memory``, ``with_stack`` and ``with_flops`` arguments are accepted).
"""
from __future__ import annotations

import enum
import json
import os
import socket
import threading
import time

from . import autograd as _autograd
from .function import Function
from .observers import observe_backward

__all__ = ["profile", "record_function", "ProfilerActivity", "ProfilerAction", "schedule",
           "tensorboard_trace_handler", "EventList", "FunctionEvent", "FunctionEventAvg"]


class ProfilerActivity(enum.Enum):
    CPU = 0
    CUDA = 1
    XPU = 2
    MTIA = 3
    HPU = 4
    PrivateUse1 = 5


class ProfilerAction(enum.Enum):
    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3


def schedule(*, wait, warmup, active, repeat=0, skip_first=0, skip_first_wait=0):
    """``step -> ProfilerAction``: skip ``skip_first`` steps, then cycles of ``wait`` idle, ``warmup``
    and ``active`` recorded steps (the last one saves), ``repeat`` times (0: forever)."""
    def action(step):
        if step < skip_first:
            return ProfilerAction.NONE
        step -= skip_first
        cycle = wait + warmup + active
        if repeat > 0 and step // cycle >= repeat:
            return ProfilerAction.NONE
        pos = step % cycle
        if pos < wait:
            return ProfilerAction.NONE
        if pos < wait + warmup:
            return ProfilerAction.WARMUP
        return ProfilerAction.RECORD if pos < cycle - 1 else ProfilerAction.RECORD_AND_SAVE

    return action


class FunctionEvent:
    """One timed interval: an op's forward, a node's backward or a ``record_function`` range."""

    def __init__(self, name, start_ns, total_ns, self_ns, thread, input_shapes=None):
        self.name, self.start_ns, self.thread = name, start_ns, thread
        self.cpu_time_total, self.self_cpu_time_total = total_ns / 1e3, self_ns / 1e3  # µs, as PyTorch
        self.input_shapes = input_shapes or []
        self.count = 1

    key = property(lambda self: self.name)
    cpu_time = property(lambda self: self.cpu_time_total)
    device_time_total = cuda_time_total = self_cuda_time_total = self_device_time_total = 0.0

    def __repr__(self):
        return f"<FunctionEvent {self.name}: {self.cpu_time_total:.3f}us>"


class FunctionEventAvg:
    """The events of one name (and input shapes, when grouped by them) added up."""

    def __init__(self, key, input_shapes=None):
        self.key, self.input_shapes = key, input_shapes or []
        self.count, self.cpu_time_total, self.self_cpu_time_total = 0, 0.0, 0.0

    def add(self, ev):
        self.count += 1
        self.cpu_time_total += ev.cpu_time_total
        self.self_cpu_time_total += ev.self_cpu_time_total
        return self

    cpu_time = property(lambda self: self.cpu_time_total / max(self.count, 1))
    device_time_total = cuda_time_total = self_cuda_time_total = self_device_time_total = 0.0

    def __repr__(self):
        return (f"<FunctionEventAvg key={self.key} count={self.count} "
                f"cpu_time_total={self.cpu_time_total:.3f}us>")


def _fmt(us):
    if us >= 1e6:
        return f"{us / 1e6:.3f}s"
    if us >= 1e3:
        return f"{us / 1e3:.3f}ms"
    return f"{us:.3f}us"


class EventList(list):
    """A list of events (or of their averages) that prints as PyTorch's profiler table."""

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0):
        avgs = {}
        for ev in self:
            key = (ev.key, str(ev.input_shapes)) if group_by_input_shape else ev.key
            if key not in avgs:
                avgs[key] = FunctionEventAvg(ev.key, ev.input_shapes if group_by_input_shape else None)
            avgs[key].add(ev)
        return EventList(avgs.values())

    @property
    def self_cpu_time_total(self):
        return sum(ev.self_cpu_time_total for ev in self)

    def total_average(self):
        total = FunctionEventAvg("Total")
        for ev in self:
            total.add(ev)
        return total

    def table(self, sort_by=None, row_limit=100, max_src_column_width=75, max_name_column_width=55,
              max_shapes_column_width=80, header=None, top_level_events_only=False):
        rows = list(self)
        if sort_by is not None:
            rows.sort(key=lambda ev: getattr(ev, sort_by, 0.0), reverse=True)
        if row_limit is not None and row_limit > 0:
            rows = rows[:row_limit]
        total_self = self.self_cpu_time_total or 1.0
        shapes = any(ev.input_shapes for ev in rows)
        width = min(max([len(ev.key) for ev in rows] + [4]), max_name_column_width)
        cols = ["Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg", "# of Calls"]
        head = f"{'Name':>{width}}  " + "  ".join(f"{c:>12}" for c in cols)
        if shapes:
            head += f"  {'Input Shapes':<{max_shapes_column_width}}"
        line = "-" * len(head)
        out = ([header] if header else []) + [line, head, line]
        for ev in rows:
            cells = [f"{100 * ev.self_cpu_time_total / total_self:.2f}%", _fmt(ev.self_cpu_time_total),
                     f"{100 * ev.cpu_time_total / total_self:.2f}%", _fmt(ev.cpu_time_total),
                     _fmt(ev.cpu_time_total / max(ev.count, 1)), str(ev.count)]
            row = f"{ev.key[:width]:>{width}}  " + "  ".join(f"{c:>12}" for c in cells)
            if shapes:
                row += f"  {str(ev.input_shapes)[:max_shapes_column_width]}"
            out.append(row)
        out += [line, f"Self CPU time total: {_fmt(self.self_cpu_time_total)}"]
        return "\n".join(out)

    def __str__(self):
        return self.table()

    def export_chrome_trace(self, path):
        """Write the events as Chrome trace JSON ("X" complete events, microseconds)."""
        pid = os.getpid()
        trace = [{"name": ev.name, "ph": "X", "ts": ev.start_ns / 1e3, "dur": ev.cpu_time_total, "pid": pid,
                  "tid": ev.thread, "cat": "cpu_op", "args": {"Input Dims": ev.input_shapes}}
                 for ev in self if isinstance(ev, FunctionEvent)]
        with open(path, "w") as f:
            json.dump({"traceEvents": trace, "displayTimeUnit": "ms"}, f)


# ---------------------------------------------------------------- recording
_lock = threading.Lock()
_state = {"active": None, "apply": None, "run_backward": None, "observer": None}


class _Recorder:
    def __init__(self, record_shapes):
        self.record_shapes, self.events = record_shapes, EventList()
        self.local = threading.local()
        self.backward_node = {}  # thread -> (name, start) of the node whose backward is running

    def stack(self):
        s = getattr(self.local, "stack", None)
        if s is None:
            s = self.local.stack = []
        return s

    def timed(self, name, fn, shapes=None):
        stack = self.stack()
        stack.append(0)
        t0 = time.perf_counter_ns()
        try:
            return fn()
        finally:
            total = time.perf_counter_ns() - t0
            children = stack.pop()
            if stack:
                stack[-1] += total
            self.events.append(FunctionEvent(name, t0, total, total - children, threading.get_ident(),
                                             shapes))

    def node_started(self, node):
        self.node_finished()
        self.backward_node[threading.get_ident()] = (node.name(), time.perf_counter_ns())

    def node_finished(self):
        prev = self.backward_node.pop(threading.get_ident(), None)
        if prev is not None:
            total = time.perf_counter_ns() - prev[1]
            stack = self.stack()
            if stack:
                stack[-1] += total
            self.events.append(FunctionEvent(prev[0], prev[1], total, total, threading.get_ident()))


def _shapes(args):
    return [list(a.shape) if hasattr(a, "shape") and not isinstance(a, type) else [] for a in args]


def _install(rec):
    with _lock:
        if _state["active"] is not None:
            raise RuntimeError("Profiler is already enabled on this thread")
        _state["active"] = rec
        original = _state["apply"] = Function.__dict__["apply"]
        run_backward = _state["run_backward"] = _autograd.run_backward

        def apply(cls, *args):
            return rec.timed(cls.__name__, lambda: original.__func__(cls, *args),
                             _shapes(args) if rec.record_shapes else None)

        def backward(*args, **kwargs):
            try:
                return rec.timed("autograd::backward", lambda: run_backward(*args, **kwargs))
            finally:
                rec.node_finished()

        Function.apply = classmethod(apply)
        _autograd.run_backward = backward
        _state["observer"] = observe_backward(lambda node, grads: rec.node_started(node))


def _uninstall():
    with _lock:
        if _state["active"] is None:
            return
        Function.apply = _state["apply"]
        _autograd.run_backward = _state["run_backward"]
        _state["observer"].remove()
        _state["active"] = None


class record_function:
    """Time a named region (a context manager or a decorator) when a profiler is active."""

    def __init__(self, name, args=None):
        self.name = name

    def __enter__(self):
        rec = _state["active"]
        self._rec = rec
        if rec is not None:
            stack = rec.stack()
            stack.append(0)
            self._t0 = time.perf_counter_ns()
        return self

    def __exit__(self, *exc):
        rec = self._rec
        if rec is not None:
            total = time.perf_counter_ns() - self._t0
            stack = rec.stack()
            children = stack.pop()
            if stack:
                stack[-1] += total
            rec.events.append(FunctionEvent(self.name, self._t0, total, total - children,
                                            threading.get_ident()))
        return False

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with record_function(self.name):
                return fn(*args, **kwargs)

        return wrapper


class profile:
    """Profile the code inside ``with profile() as prof:``; then ``prof.key_averages().table()``.

    With a ``schedule``, call ``prof.step()`` once per training step: steps are recorded only in
    the schedule's active windows, and ``on_trace_ready(prof)`` runs at the end of each window.
    """

    def __init__(self, activities=None, schedule=None, on_trace_ready=None, record_shapes=False,
                 profile_memory=False, with_stack=False, with_flops=False, with_modules=False,
                 experimental_config=None, execution_trace_observer=None, acc_events=False,
                 custom_trace_id_callback=None, enabled=True, use_cuda=False, use_device=None, **kwargs):
        self.enabled, self.schedule, self.on_trace_ready = enabled, schedule, on_trace_ready
        self.record_shapes = record_shapes
        self.step_num, self._rec, self._last = 0, None, EventList()

    def _action(self):
        return self.schedule(self.step_num) if self.schedule is not None else ProfilerAction.RECORD

    def _start_recording(self):
        if self._rec is None:
            self._rec = _Recorder(self.record_shapes)
            _install(self._rec)

    def _stop_recording(self):
        if self._rec is not None:
            _uninstall()
            self._last, self._rec = self._rec.events, None

    def start(self):
        if self.enabled and self._action() in (ProfilerAction.RECORD, ProfilerAction.RECORD_AND_SAVE):
            self._start_recording()

    def stop(self):
        recording = self._rec is not None
        self._stop_recording()
        if recording and self.on_trace_ready is not None:
            self.on_trace_ready(self)

    def step(self):
        """Mark the end of a training step (advances the schedule)."""
        if not self.enabled:
            return
        prev = self._action()
        self.step_num += 1
        now = self._action()
        if prev == ProfilerAction.RECORD_AND_SAVE:
            self._stop_recording()
            if self.on_trace_ready is not None:
                self.on_trace_ready(self)
        if now in (ProfilerAction.RECORD, ProfilerAction.RECORD_AND_SAVE):
            self._start_recording()
        elif self._rec is not None:
            self._stop_recording()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def events(self):
        return self._last if self._rec is None else self._rec.events

    function_events = property(events)

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0):
        return self.events().key_averages(group_by_input_shape, group_by_stack_n)

    def table(self, *args, **kwargs):
        return self.key_averages().table(*args, **kwargs)

    def export_chrome_trace(self, path):
        self.events().export_chrome_trace(path)

    @property
    def self_cpu_time_total(self):
        return self.events().self_cpu_time_total

    def __str__(self):
        return self.table()


def tensorboard_trace_handler(dir_name, worker_name=None, use_gzip=False):
    """An ``on_trace_ready`` that writes each window's trace to ``dir_name`` (Chrome JSON)."""
    def handler(prof):
        os.makedirs(dir_name, exist_ok=True)
        name = worker_name or f"{socket.gethostname()}_{os.getpid()}"
        stamp = f"{time.time_ns() // 1000000}.{prof.step_num}"  # the step: two windows within one ms
        prof.export_chrome_trace(os.path.join(dir_name, f"{name}.{stamp}.pt.trace.json"))

    return handler

