"""Where tiny_ops' microseconds go: ``python -m bench.overhead``.

Times the ``tiny_ops`` chain (200 elementwise ops on 8 floats) in stages, each
adding one part of the engine, and prints the cost of each part per op:
NumPy's own kernels, dispatch and Tensor wrapping (forward under ``no_grad``),
recording the graph node, recording its provenance (file:line), and the
backward engine's bookkeeping. PyTorch's forward and backward are beside it.
"""
from __future__ import annotations

import argparse
import collections
import contextlib
import os
import sys

import numpy as np

from . import tiny_ops
from .common import timeit, torch_or_none


@contextlib.contextmanager
def no_provenance():
    """Record nodes without their file:line (to measure what provenance costs)."""
    from autograd import function

    saved = function.record_site
    function.record_site = lambda depth=2: None
    try:
        yield
    finally:
        function.record_site = saved


def stages(reps):
    """Seconds per op of each stage (medians of ``reps`` chains)."""
    import autograd as ag

    per_op = 1 / tiny_ops.N_OPS
    x0 = np.linspace(-1, 1, 8, dtype=np.float32)
    saved = tiny_ops.numpy_forward(x0)
    x = ag.tensor(x0, requires_grad=True)

    def forward():
        return tiny_ops._chain(x, ag.tanh, ag.exp)

    def unrecorded():
        with ag.no_grad():
            forward()

    def both():
        x.grad = None
        forward().sum().backward()

    t = {
        "np_fwd": timeit(lambda: tiny_ops.numpy_forward(x0), reps),
        "np_bwd": timeit(lambda: tiny_ops.numpy_backward(saved), reps),
        "no_grad": timeit(unrecorded, reps),
        "recorded": timeit(forward, reps),
        "both": timeit(both, reps),
    }
    with no_provenance():
        t["recorded_no_site"] = timeit(forward, reps)
    torch = torch_or_none()
    if torch is not None:
        xt = torch.tensor(x0, requires_grad=True)

        def torch_both():
            xt.grad = None
            tiny_ops._chain(xt, torch.tanh, torch.exp).sum().backward()

        t["torch_fwd"] = timeit(lambda: tiny_ops._chain(xt, torch.tanh, torch.exp), reps)
        t["torch_both"] = timeit(torch_both, reps)
    return {k: v * per_op for k, v in t.items()}


def table(t):
    """Rows ``(part, µs per op)`` that add up to xpgrad's forward + backward."""
    us = 1e6
    rows = [
        ("NumPy kernels, forward", t["np_fwd"]),
        ("dispatch and Tensor wrapping (forward under no_grad)", t["no_grad"] - t["np_fwd"]),
        ("recording the node (edges, saved values)", t["recorded_no_site"] - t["no_grad"]),
        ("provenance (file:line of the node)", t["recorded"] - t["recorded_no_site"]),
        ("NumPy kernels, backward", t["np_bwd"]),
        ("backward engine (ordering, per-node bookkeeping)", t["both"] - t["recorded"] - t["np_bwd"]),
    ]
    return [(name, v * us) for name, v in rows]


def bytecodes(top=12):
    """Python bytecodes executed per op by each function, forward + backward (``sys.settrace``
    opcode events): a count that, unlike a time, does not move with the machine's load."""
    import autograd as ag

    x = ag.tensor(np.linspace(-1, 1, 8, dtype=np.float32), requires_grad=True)
    counts = collections.Counter()

    def tracer(frame, event, arg):
        frame.f_trace_opcodes = True
        if event == "opcode":
            code = frame.f_code
            counts[f"{os.path.basename(code.co_filename)}:{code.co_name}"] += 1
        return tracer

    def both():
        x.grad = None
        tiny_ops._chain(x, ag.tanh, ag.exp).sum().backward()

    both()  # warm (interned shapes, sites)
    sys.settrace(tracer)
    try:
        both()
    finally:
        sys.settrace(None)
    per_op = {k: v / tiny_ops.N_OPS for k, v in counts.items()}
    return sum(per_op.values()), sorted(per_op.items(), key=lambda kv: -kv[1])[:top]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--bytecodes", action="store_true",
                        help="count the Python bytecodes per op of each function instead of timing")
    args = parser.parse_args()
    if args.bytecodes:
        total, rows = bytecodes()
        print("# Python bytecodes per op (forward + backward), by function")
        for name, n in rows:
            print(f"{name:45s} {n:7.1f}")
        print(f"{'total':45s} {total:7.1f}")
        return
    t = stages(args.reps)
    print("# where tiny_ops' time goes, µs per op (forward + backward of one elementwise op on 8 floats)")
    for name, v in table(t):
        print(f"{name:55s} {v:6.2f}")
    print(f"{'xpgrad forward + backward':55s} {t['both'] * 1e6:6.2f}")
    if "torch_both" in t:
        fwd, bwd = t["torch_fwd"] * 1e6, (t["torch_both"] - t["torch_fwd"]) * 1e6
        print(f"{'PyTorch forward + backward':55s} {t['torch_both'] * 1e6:6.2f}   "
              f"(forward {fwd:.2f}, backward {bwd:.2f})")


if __name__ == "__main__":
    main()
