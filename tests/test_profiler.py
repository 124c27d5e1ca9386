"""torch.profiler / torch.autograd.profiler: op-by-op timing, record_function ranges, schedules,
Chrome traces, and nothing left installed afterwards."""
import json

import pytest

import autograd as ag
import nn
from autograd.function import Function
from autograd.profiler import ProfilerAction, profile, record_function, schedule, tensorboard_trace_handler


def _model():
    ag.manual_seed(0)
    return nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 2))


def test_ops_backward_nodes_and_ranges_are_timed():
    model, x = _model(), ag.randn(4, 6)
    original = Function.__dict__["apply"]
    with profile(record_shapes=True) as prof:
        with record_function("forward"):
            loss = model(x).sum()
        loss.backward()
    assert Function.__dict__["apply"] is original  # uninstalled
    avg = {e.key: e for e in prof.key_averages()}
    assert avg["Addmm"].count == 2 and avg["AddmmBackward"].count == 2 and avg["ReluBackward"].count == 1
    fwd = avg["forward"]
    assert fwd.cpu_time_total >= avg["Addmm"].cpu_time_total + avg["Relu"].cpu_time_total
    inside = sum(avg[k].cpu_time_total for k in ("Addmm", "Relu", "Sum"))
    assert fwd.self_cpu_time_total == pytest.approx(fwd.cpu_time_total - inside)
    assert all(e.self_cpu_time_total <= e.cpu_time_total + 1e-9 for e in prof.events())
    shapes = [e.input_shapes for e in prof.events() if e.name == "Addmm"]
    assert shapes[0] == [[4, 6], [5, 6], [5]]
    table = prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=3)
    assert "Self CPU %" in table and "# of Calls" in table and len(table.splitlines()) == 3 + 3 + 2
    assert "Addmm" in str(prof)


def test_profiling_twice_at_once_raises_and_legacy_spelling():
    with profile():
        with pytest.raises(RuntimeError, match="already enabled"):
            with profile():
                pass
    import autograd.autograd.profiler as legacy

    with legacy.profile(use_cuda=False) as prof:
        ag.ones(2).exp()
    assert [e.key for e in prof.key_averages()] == ["Exp"]


def test_schedule_windows_and_trace_handler(tmp_path):
    sched = schedule(wait=1, warmup=1, active=2, repeat=2)
    assert [sched(i) for i in range(9)] == [ProfilerAction.NONE, ProfilerAction.WARMUP, ProfilerAction.RECORD,
                                            ProfilerAction.RECORD_AND_SAVE] * 2 + [ProfilerAction.NONE]
    windows = []
    handler = tensorboard_trace_handler(str(tmp_path), worker_name="w")

    def ready(p):
        windows.append(sum(e.count for e in p.key_averages() if e.key == "Exp"))
        handler(p)

    x = ag.ones(3)
    with profile(schedule=sched, on_trace_ready=ready) as prof:
        for _ in range(9):
            x.exp()
            prof.step()
    assert windows == [2, 2]  # the two active steps of each window
    files = sorted(tmp_path.iterdir())
    assert len(files) == 2 and json.loads(files[0].read_text())["traceEvents"][0]["name"] == "Exp"


def test_record_function_decorator_outside_a_profiler_does_nothing():
    @record_function("step")
    def f(t):
        return t * 2

    assert f(ag.ones(1)).item() == 2.0
    with profile() as prof:
        f(ag.ones(1))
    assert {e.key for e in prof.key_averages()} == {"step", "Mul"}
