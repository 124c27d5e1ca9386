"""Taking the whole group down when one rank fails, with a message on every rank.

At ``init_process_group`` each rank gets a private control communicator (a
duplicate of MPI's world) and an exception hook. A rank that dies of an uncaught
exception prints it, tells every peer over the control communicator, waits a
moment for their acknowledgement and aborts the MPI job. A peer learns of it the
next time it polls a collective (every wait polls, see :class:`~.work.Work`):
it raises :class:`DistBackendError` naming the failed rank and its error, which
in turn ends that rank. A rank that only hangs is caught by the collectives'
timeout on the others.
"""
from __future__ import annotations

import sys
import time
import traceback

_ABORT, _ACK = 7001, 7002
_state = {"ctrl": None, "rank": 0, "size": 1, "hook": None, "peer_failed": None, "prev": None}


class DistBackendError(RuntimeError):
    """A collective failed, timed out, or a peer rank died (``torch.distributed.DistBackendError``)."""


def rank_label():
    return f"{_state['rank']} (of {_state['size']})"


def install(world_comm):
    """Watch for peers' failures on a duplicate of ``world_comm``; end the job on an uncaught error."""
    _state.update(ctrl=world_comm.Dup(), rank=world_comm.Get_rank(), size=world_comm.Get_size(),
                  peer_failed=None)
    if _state["hook"] is None:
        _state["prev"] = sys.excepthook
        _state["hook"] = sys.excepthook = _excepthook


def uninstall():
    ctrl = _state["ctrl"]
    _state["ctrl"] = None
    if ctrl is not None:
        try:
            ctrl.Free()
        except Exception:  # noqa: BLE001  (the MPI job may already be going down)
            pass
    if _state["hook"] is not None and sys.excepthook is _state["hook"]:
        sys.excepthook = _state["prev"]
    _state["hook"] = None


def check_peers():
    """Raise :class:`DistBackendError` if another rank has reported a failure."""
    ctrl = _state["ctrl"]
    if ctrl is None:
        return
    from mpi4py import MPI

    status = MPI.Status()
    if not ctrl.Iprobe(source=MPI.ANY_SOURCE, tag=_ABORT, status=status):
        return
    src = status.Get_source()
    what = ctrl.recv(source=src, tag=_ABORT)
    _state["peer_failed"] = src
    raise DistBackendError(
        f"rank {src} failed with {what}; rank {rank_label()} stops too (the process group is down)")


def _excepthook(etype, value, tb):
    prev = _state["prev"] or sys.__excepthook__
    prev(etype, value, tb)
    ctrl = _state["ctrl"]
    if ctrl is None:
        return
    rank, size = _state["rank"], _state["size"]
    src = _state["peer_failed"]
    if src is not None:  # tell the failed rank that this one has printed; it aborts the job
        sys.stderr.write(f"[autograd.distributed] rank {rank}: stopping because a peer rank failed\n")
        sys.stderr.flush()
        try:
            ctrl.send(rank, dest=src, tag=_ACK)
        except Exception:  # noqa: BLE001
            pass
        time.sleep(5.0)  # the failed rank's MPI_Abort ends this process; abort here if it did not
    else:
        what = "".join(traceback.format_exception_only(etype, value)).strip()
        sys.stderr.write(f"[autograd.distributed] rank {rank} failed with {what}; taking the process "
                         f"group ({size} ranks) down\n")
        sys.stderr.flush()
        _notify_peers(ctrl, what, rank, size)
    from mpi4py import MPI

    MPI.COMM_WORLD.Abort(1)


def _notify_peers(ctrl, what, rank, size, wait=3.0):
    """Tell every peer; give them ``wait`` seconds to print their message before the job is aborted."""
    from mpi4py import MPI

    reqs = [ctrl.isend(what, dest=r, tag=_ABORT) for r in range(size) if r != rank]
    acked, deadline = 0, time.monotonic() + wait
    while acked < len(reqs) and time.monotonic() < deadline:
        if ctrl.Iprobe(source=MPI.ANY_SOURCE, tag=_ACK):
            ctrl.recv(source=MPI.ANY_SOURCE, tag=_ACK)
            acked += 1
        else:
            time.sleep(0.001)
    del reqs
