"""ag.save / ag.load: round trips, PyTorch interop, atomic writes."""
from __future__ import annotations

import collections
import json
import math
import os
import pickle
import struct

import numpy as np
import pytest

import autograd as ag
from autograd import serialization

pytest.importorskip("safetensors")


def host(t):
    return t.detach().cpu().numpy()


def assert_same(a, b):
    """Structural equality: same types (tuples vs lists, key types), equal tensors."""
    if isinstance(a, ag.Tensor):
        assert isinstance(b, ag.Tensor), type(b)
        assert a.shape == b.shape and a.dtype == b.dtype
        np.testing.assert_array_equal(host(a), host(b))
        return
    assert type(a) is type(b) or (isinstance(a, dict) and type(b) is dict), (type(a), type(b))
    if isinstance(a, dict):
        assert list(a.keys()) == list(b.keys())
        for ka, kb in zip(a, b):
            assert type(ka) is type(kb)
        for k in a:
            assert_same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_same(x, y)
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b)
    else:
        assert a == b


@pytest.fixture
def path(tmp_path):
    return str(tmp_path / "ckpt.safetensors")


def test_tensor_round_trip(device, path):
    t = ag.randn(3, 4, device=device)
    ag.save(t, path)
    out = ag.load(path, map_location=device)
    assert str(out.device) == str(t.device)
    assert_same(t, out)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int32", "int64", "bool", "uint8",
                                   "int8"])
def test_dtypes_round_trip(device, path, dtype):
    t = ag.tensor(np.arange(-3, 9).reshape(3, 4) % 5, device=device).to(getattr(ag, dtype))
    ag.save({"x": t}, path)
    out = ag.load(path, map_location=device)["x"]
    assert out.dtype == t.dtype
    assert_same(t, out)


@pytest.mark.parametrize("shape", [(), (0,), (3, 0, 2), (1,), (2, 1, 3)])
def test_shapes_round_trip(device, path, shape):
    t = ag.ones(*shape, device=device) * 2.5 if shape else ag.tensor(2.5, device=device)
    ag.save({"a": t, "b": t.long()}, path)
    out = ag.load(path, map_location=device)
    assert out["a"].shape == shape and out["b"].shape == shape
    assert_same({"a": t, "b": t.long()}, out)


def test_non_contiguous_round_trip(device, path):
    base = ag.arange(24, device=device).float().reshape(4, 6)
    views = {"t": base.t(), "perm": base.reshape(2, 3, 4).permute(2, 0, 1), "step": base[:, ::2],
             "flip": base.flip(0), "exp": ag.arange(3, device=device).reshape(3, 1).expand(3, 4)}
    ag.save(views, path)
    out = ag.load(path, map_location=device)
    for k, v in views.items():
        np.testing.assert_array_equal(host(out[k]), host(v))


def test_flat_state_dict_keys_unchanged(path):
    sd = collections.OrderedDict([("0.weight", ag.randn(4, 3)), ("0.bias", ag.zeros(4)),
                                  ("bn.num_batches_tracked", ag.tensor(7))])
    ag.save(sd, path)
    out = ag.load(path)
    assert type(out) is collections.OrderedDict and list(out) == list(sd)  # as torch.load
    assert_same(sd, out)
    # the entry names are the keys themselves: any safetensors reader sees the state_dict
    header, _, _ = serialization.read_header(path)
    assert set(header) == set(sd)


def test_nested_checkpoint_round_trip(device, path):
    w = ag.randn(3, 2, device=device)
    ckpt = {
        "model": {"fc.weight": w, "fc.bias": ag.zeros(2, device=device)},
        "optimizer": {
            "state": {0: {"step": ag.tensor(10.0), "exp_avg": ag.ones(3, 2), "exp_avg_sq": ag.zeros(3, 2)},
                      1: {"momentum_buffer": None}},
            "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0,
                              "amsgrad": False, "maximize": False, "foreach": None, "params": [0, 1]}],
        },
        "epoch": 5, "loss": 0.125, "best": float("inf"), "nan": float("nan"), "name": "run-1",
        "done": True, "note": None, "history": [1.5, [2, (3, "x")], ()], "empty": {}, "el": [],
        -3: "negative int key", 2.5: "float key", True: "bool key", None: "none key",
        "unicode ключ": "значение ✓", "dots.in.key": {"a.b": ag.ones(1)},
    }
    ag.save(ckpt, path)
    out = ag.load(path, map_location=device)
    assert_same(ckpt, out)
    assert list(out["optimizer"]["state"]) == [0, 1]
    assert isinstance(out["optimizer"]["param_groups"][0]["betas"], tuple)
    assert isinstance(out["history"][1][1], tuple) and isinstance(out["history"][1], list)
    assert str(out["model"]["fc.weight"].device) == str(ag.device(device))


def test_key_collisions_and_shared_tensors(path):
    a, b = ag.ones(2), ag.zeros(3)
    obj = {"x.y": a, "x": {"y": b}, "__metadata__": ag.ones(1), "tied": [a, a]}
    ag.save(obj, path)
    out = ag.load(path)
    assert_same(obj, out)
    assert out["tied"][0] is out["tied"][1] is out["x.y"]  # one tensor saved once stays one tensor


def test_requires_grad_restored(path):
    p = ag.randn(2, requires_grad=True)
    ag.save({"p": p, "d": p.detach()}, path)
    out = ag.load(path)
    assert out["p"].requires_grad and out["p"].is_leaf and not out["d"].requires_grad


def test_bare_values_and_numpy_scalars(path):
    for obj in (3, "x", None, [1, 2], (1, ag.ones(1)), {"n": np.int64(4), "f": np.float32(0.5)}):
        ag.save(obj, path)
        out = ag.load(path)
        if isinstance(obj, dict):
            assert out == {"n": 4, "f": 0.5} and type(out["n"]) is int
        else:
            assert_same(obj, out)


def test_python_objects_need_weights_only_false(path):
    # sets and tuple keys are not plain data: pickled, as torch.save, and refused by default
    for obj in ({"a": {1, 2}}, {(1, 2): 3}):
        ag.save(obj, path)
        with pytest.raises(serialization.WeightsOnlyError, match="weights_only=False") as info:
            ag.load(path)
        assert isinstance(info.value, pickle.UnpicklingError) and isinstance(info.value, ValueError)
        assert path in str(info.value) and "trust" in str(info.value)
        assert ag.load(path, weights_only=False) == obj


def test_numpy_arrays_round_trip_without_pickle(path):
    obj = {"arr": np.arange(6, dtype=np.int32).reshape(2, 3), "lst": [np.ones(2), 1.5, 3], "t": ag.ones(1)}
    ag.save(obj, path)
    out = ag.load(path)  # weights_only: no pickle involved
    assert type(out["arr"]) is np.ndarray and out["arr"].dtype == np.int32
    np.testing.assert_array_equal(out["arr"], obj["arr"])
    np.testing.assert_array_equal(out["lst"][0], np.ones(2))
    assert out["lst"][1:] == [1.5, 3] and type(out["lst"][2]) is int
    assert_same(obj["t"], out["t"])


def test_pathlike(tmp_path):
    p = tmp_path / "a.safetensors"
    ag.save({"a": ag.ones(2)}, p)
    assert_same({"a": ag.ones(2)}, ag.load(p))


# ---------------------------------------------------------------- PyTorch interop
def test_load_torch_state_dict(path):
    torch = pytest.importorskip("torch")
    st = pytest.importorskip("safetensors.torch")
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3), torch.nn.Linear(3, 2))
    model(torch.randn(5, 4))  # non-trivial running stats and num_batches_tracked
    sd = {k: v.contiguous() for k, v in model.state_dict().items()}
    st.save_file(sd, path, metadata={"format": "pt"})
    out = ag.load(path)
    assert set(out) == set(sd)
    for k, v in sd.items():
        assert out[k].shape == tuple(v.shape), k
        assert str(out[k].dtype) == str(v.dtype).replace("torch.", ""), k
        np.testing.assert_array_equal(host(out[k]), v.numpy())


def test_torch_reads_our_flat_state_dict(path):
    torch = pytest.importorskip("torch")
    st = pytest.importorskip("safetensors.torch")
    sd = {"w": ag.randn(3, 2), "n": ag.tensor(4), "h": ag.ones(2, dtype=ag.float16), "s": ag.tensor(1.5)}
    ag.save(sd, path)
    out = st.load_file(path)
    assert set(out) == set(sd)
    for k in sd:
        assert torch.equal(out[k], torch.from_numpy(host(sd[k]).copy()))


def test_torch_bfloat16_is_widened_to_float32(path):
    torch = pytest.importorskip("torch")
    st = pytest.importorskip("safetensors.torch")
    x = torch.tensor([[1.5, -2.0, 3.140625], [0.0, 1e30, -1e-20]], dtype=torch.bfloat16)
    st.save_file({"x": x, "y": torch.arange(3)}, path)
    out = ag.load(path)
    assert out["x"].dtype == ag.float32
    np.testing.assert_array_equal(host(out["x"]), x.float().numpy())
    np.testing.assert_array_equal(host(out["y"]), [0, 1, 2])


# ---------------------------------------------------------------- atomic save
def _listing(tmp_path):
    return sorted(os.listdir(tmp_path))


def test_atomic_save_interrupted(tmp_path, monkeypatch):
    path = str(tmp_path / "ckpt.safetensors")
    old = {"w": ag.arange(5).float(), "step": 1}
    ag.save(old, path)

    def crash(fh, chunks):
        fh.write(chunks[0])  # the header reaches the disk, then the process "dies"
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(serialization, "_write_bytes", crash)
    with pytest.raises(OSError, match="simulated"):
        ag.save({"w": ag.zeros(1000), "step": 2}, path)
    assert _listing(tmp_path) == ["ckpt.safetensors"]  # no temporary file left behind
    assert_same(old, ag.load(path))


def test_atomic_save_interrupted_keyboard(tmp_path, monkeypatch):
    path = str(tmp_path / "new.safetensors")

    def interrupt(fh, chunks):
        fh.write(chunks[0][:10])
        raise KeyboardInterrupt

    monkeypatch.setattr(serialization, "_write_bytes", interrupt)
    with pytest.raises(KeyboardInterrupt):
        ag.save({"w": ag.ones(3)}, path)
    assert _listing(tmp_path) == []  # neither a partial checkpoint nor a temp file


def test_atomic_save_replace_fails(tmp_path, monkeypatch):
    path = str(tmp_path / "ckpt.safetensors")
    ag.save({"v": 1}, path)

    def bad_replace(src, dst):
        raise PermissionError("rename refused (simulated)")

    monkeypatch.setattr(serialization.os, "replace", bad_replace)
    with pytest.raises(PermissionError):
        ag.save({"v": 2}, path)
    monkeypatch.undo()
    assert _listing(tmp_path) == ["ckpt.safetensors"]
    assert ag.load(path) == {"v": 1}


def test_save_overwrites_and_fsyncs(tmp_path, monkeypatch):
    path = str(tmp_path / "ckpt.safetensors")
    synced = []
    real = os.fsync
    monkeypatch.setattr(serialization.os, "fsync", lambda fd: (synced.append(fd), real(fd)))
    ag.save({"v": 1}, path)
    ag.save({"v": 2}, path)
    assert ag.load(path) == {"v": 2}
    assert len(synced) >= 2
    assert _listing(tmp_path) == ["ckpt.safetensors"]


def test_save_into_missing_directory(tmp_path):
    with pytest.raises(FileNotFoundError):
        ag.save({"v": 1}, str(tmp_path / "nope" / "x.safetensors"))


def test_metadata_is_json(path):
    ag.save({"a": ag.ones(1), "n": 3}, path)
    _, meta, _ = serialization.read_header(path)
    assert meta["format"] == "xpgrad"
    json.loads(meta[serialization.STRUCTURE_KEY])
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
    assert n % 8 == 0  # safetensors aligns the data section


def test_torch_state_dict_into_nn_model(path):
    torch = pytest.importorskip("torch")
    st = pytest.importorskip("safetensors.torch")
    nn = pytest.importorskip("nn")
    torch.manual_seed(0)
    tmodel = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3), torch.nn.Tanh(),
                                 torch.nn.Linear(3, 2))
    tmodel(torch.randn(8, 4))
    tmodel.eval()
    st.save_file({k: v.contiguous() for k, v in tmodel.state_dict().items()}, path)
    model = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.Tanh(), nn.Linear(3, 2))
    model.load_state_dict(ag.load(path))
    model.eval()
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    with torch.no_grad():
        expected = tmodel(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(host(model(ag.tensor(x))), expected, rtol=1e-5, atol=1e-6)


def test_model_and_optimizer_checkpoint(path):
    nn = pytest.importorskip("nn")
    optim = pytest.importorskip("optim")
    F = pytest.importorskip("nn.functional")
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    opt = optim.Adam(model.parameters(), lr=1e-2)
    x, y = ag.randn(8, 3), ag.randn(8, 1)

    def step(m, o):
        o.zero_grad()
        loss = F.mse_loss(m(x), y)
        loss.backward()
        o.step()
        return loss.item()

    for _ in range(3):
        step(model, opt)
    ag.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3}, path)
    ckpt = ag.load(path)
    assert ckpt["epoch"] == 3
    assert all(isinstance(k, int) for k in ckpt["optimizer"]["state"])
    assert_same(opt.state_dict(), ckpt["optimizer"])
    model2 = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    model2.load_state_dict(ckpt["model"])
    opt2 = optim.Adam(model2.parameters(), lr=1e-2)
    opt2.load_state_dict(ckpt["optimizer"])
    # the resumed run continues exactly as the original
    assert [step(model, opt) for _ in range(3)] == [step(model2, opt2) for _ in range(3)]


# ---------------------------------------------------------------- file objects, Python objects
def test_file_objects_and_pathlib(tmp_path):
    import io
    import pathlib

    obj = {"w": ag.arange(4).float(), "n": 2, "arr": np.ones(3)}
    buf = io.BytesIO()
    ag.save(obj, buf)
    buf.seek(0)
    out = ag.load(buf)
    assert_same(obj["w"], out["w"]) and out["n"] == 2
    p = pathlib.Path(tmp_path) / "p.safetensors"
    ag.save(obj, p)
    with open(p, "rb") as fh:
        assert_same(obj["w"], ag.load(fh)["w"])
    with open(tmp_path / "q.safetensors", "wb") as fh:
        ag.save(obj["w"], fh)
    assert_same(obj["w"], ag.load(tmp_path / "q.safetensors"))
    with pytest.raises(TypeError, match="path or a"):
        ag.save(obj, 3)
    with pytest.raises(TypeError, match="path or a"):
        ag.load(3.5)


def test_whole_module_and_optimizer_need_weights_only_false(path):
    nn = pytest.importorskip("nn")
    optim = pytest.importorskip("optim")
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(ag.randn(5, 3)).sum().backward()
    opt.step()
    ag.save({"model": model, "opt": opt}, path)
    with pytest.raises(serialization.WeightsOnlyError, match="weights_only=False") as info:
        ag.load(path)
    assert "Python objects" in str(info.value) and "trust" in str(info.value)
    ck = ag.load(path, weights_only=False)
    m2, o2 = ck["model"], ck["opt"]
    assert type(m2) is nn.Sequential and type(m2[0].weight) is nn.Parameter and m2[0].weight.requires_grad
    x = ag.randn(2, 3)
    np.testing.assert_array_equal(host(m2(x)), host(model(x)))
    assert o2.param_groups[0]["params"][0] is m2[0].weight  # one object, as pickling keeps identity
    assert_same(opt.state_dict(), o2.state_dict())
    # the file itself is safetensors: its tensors are readable without unpickling
    header, meta, _ = serialization.read_header(path)
    assert serialization.PICKLE_KEY in meta and len(header) == 4 + 4  # 4 params + 4 momentum buffers


def test_parameter_round_trips_without_pickle(path):
    nn = pytest.importorskip("nn")
    p = nn.Parameter(ag.ones(2))
    ag.save([p, p], path)
    out = ag.load(path)
    assert type(out[0]) is nn.Parameter and out[0] is out[1] and out[0].requires_grad


def test_torch_state_dict_of_numbers_and_arrays_like_pytorch(path):
    torch = pytest.importorskip("torch")
    obj = {"epoch": 3, "best": 0.25, "hist": [1.0, 2.0], "arr": np.arange(3)}
    ag.save(obj, path)
    out = ag.load(path)
    import io

    buf = io.BytesIO()
    torch.save(obj, buf)
    buf.seek(0)
    theirs = torch.load(buf, weights_only=False)
    assert {k: out[k] for k in ("epoch", "best", "hist")} == {k: theirs[k] for k in ("epoch", "best", "hist")}
    assert type(out["arr"]) is type(theirs["arr"]) and out["arr"].tolist() == theirs["arr"].tolist()


# ---------------------------------------------------------------- reading under concurrency
def test_load_opens_once_and_never_maps(path, monkeypatch):
    import builtins
    import mmap

    ag.save({"a": ag.ones(3), "b": ag.zeros(2, dtype=ag.int64)}, path)
    opened = []
    real_open = builtins.open

    def counting_open(*a, **k):
        opened.append(a[0])
        return real_open(*a, **k)

    def no_mmap(*a, **k):
        raise AssertionError("ag.load memory-maps the file")

    monkeypatch.setattr(builtins, "open", counting_open)
    monkeypatch.setattr(mmap, "mmap", no_mmap)
    out = ag.load(path)
    assert opened == [path] and out["a"].tolist() == [1.0, 1.0, 1.0]


def test_loaded_tensors_do_not_depend_on_the_file(path):
    ag.save({"a": ag.arange(4).float()}, path)
    out = ag.load(path)
    with open(path, "r+b") as fh:  # rewrite in place, then truncate: the loaded data stays
        fh.truncate(10)
    assert out["a"].tolist() == [0.0, 1.0, 2.0, 3.0]
    out["a"].add_(1)  # and it is writable memory of its own


def test_rewrite_in_place_is_detected_by_checksum(path):
    ag.save({"a": ag.zeros(64)}, path)
    good = open(path, "rb").read()
    ag.save({"a": ag.ones(64)}, path)
    other = open(path, "rb").read()
    assert len(good) == len(other)
    split = len(good) - 100  # the old header and part of the old data, then the new data
    with open(path, "wb") as fh:
        fh.write(good[:split] + other[split:])
    with pytest.raises(ValueError, match="checksum"):
        ag.load(path)


def _expect_old_or_new(out, versions):
    vals = out["w"].tolist()
    assert any(vals == v and out["step"] == s for s, v in versions), (out["step"], vals[:3])


def test_concurrent_saves_and_loads_never_mix(tmp_path):
    import threading

    path = str(tmp_path / "ckpt.safetensors")
    versions = [(s, [float(s)] * 4096) for s in range(4)]
    ag.save({"w": ag.tensor(versions[0][1]), "step": 0}, path)
    stop = threading.Event()
    errors, loads = [], [0, 0]

    def writer():
        i = 0
        while not stop.is_set():
            s, v = versions[i % 4]
            if i % 2:  # in place: truncate and rewrite (not what ag.save does, but what others might)
                data = serialization.safetensors_io.encode(
                    {"w": np.asarray(v, np.float32)}, {"format": "xpgrad",
                                                       serialization.STRUCTURE_KEY: json.dumps(
                                                           {"$d": [["w", {"$t": "w"}], ["step", s]]})})
                with open(path, "wb") as fh:
                    for c in data:
                        fh.write(c)
            else:
                ag.save({"w": ag.tensor(v), "step": s}, path)
            i += 1

    def reader():
        try:
            for _ in range(150):
                try:
                    out = ag.load(path)
                except ValueError:
                    loads[1] += 1  # a clear error while the file is being rewritten in place
                    continue
                _expect_old_or_new(out, versions)
                loads[0] += 1
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    w = threading.Thread(target=writer)
    readers = [threading.Thread(target=reader) for _ in range(2)]
    w.start()
    for r in readers:
        r.start()
    for r in readers:
        r.join()
    stop.set()
    w.join()
    assert not errors, errors[0]
    assert loads[0] > 0


def test_concurrent_writer_process_does_not_crash_readers(tmp_path):
    """A separate process rewrites the file in place (truncating it) while this one loads: no SIGBUS."""
    import subprocess
    import sys
    import time

    path = str(tmp_path / "ckpt.safetensors")
    ag.save({"w": ag.zeros(1 << 16), "step": 0}, path)
    script = (
        "import sys, time\n"
        "data = open(sys.argv[1], 'rb').read()\n"
        "end = time.time() + 1.0\n"
        "while time.time() < end:\n"
        "    with open(sys.argv[1], 'r+b') as f:\n"
        "        f.truncate(100)\n"
        "        f.seek(0); f.write(data)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script, path])
    ok = bad = 0
    deadline = time.time() + 1.0
    try:
        while time.time() < deadline and proc.poll() is None:
            try:
                out = ag.load(path)
                assert out["step"] == 0 and out["w"].shape == (1 << 16,)
                ok += 1
            except ValueError:
                bad += 1
    finally:
        proc.wait(timeout=10)
    assert proc.returncode == 0 and ok + bad > 0


# ---------------------------------------------------------------- permissions, links, leftovers
def test_new_file_respects_umask_and_overwrite_keeps_mode(tmp_path):
    if os.name != "posix":
        pytest.skip("POSIX permissions")
    path = str(tmp_path / "ckpt.safetensors")
    old = os.umask(0o022)
    try:
        ag.save({"v": 1}, path)
        assert os.stat(path).st_mode & 0o777 == 0o644  # 0o666 less the umask, as open()
        os.chmod(path, 0o640)
        ag.save({"v": 2}, path)
        assert os.stat(path).st_mode & 0o777 == 0o640  # an overwrite keeps the mode
        os.umask(0o077)
        other = str(tmp_path / "private.safetensors")
        ag.save({"v": 3}, other)
        assert os.stat(other).st_mode & 0o777 == 0o600
    finally:
        os.umask(old)


def test_symlink_is_written_through(tmp_path):
    if not hasattr(os, "symlink"):
        pytest.skip("no symlinks")
    real = tmp_path / "store" / "real.safetensors"
    real.parent.mkdir()
    ag.save({"v": 1}, str(real))
    link = tmp_path / "latest.safetensors"
    os.symlink(real, link)
    ag.save({"v": 2}, str(link))
    assert os.path.islink(link) and os.readlink(link) == str(real)
    assert ag.load(str(real)) == {"v": 2} and ag.load(str(link)) == {"v": 2}
    assert sorted(os.listdir(real.parent)) == ["real.safetensors"]
    dangling = tmp_path / "dangling.safetensors"
    os.symlink(tmp_path / "store" / "new.safetensors", dangling)
    ag.save({"v": 3}, str(dangling))  # as open(): creates the file the link points to
    assert os.path.islink(dangling) and ag.load(str(tmp_path / "store" / "new.safetensors")) == {"v": 3}


def test_save_killed_mid_write_leaves_a_visible_temp_that_the_next_save_removes(tmp_path):
    if os.name != "posix":
        pytest.skip("SIGKILL")
    import subprocess
    import sys

    path = str(tmp_path / "ckpt.safetensors")
    ag.save({"v": 1}, path)
    script = (
        "import os, signal, sys\n"
        "import autograd as ag\n"
        "from autograd import serialization\n"
        "def die(fh, chunks):\n"
        "    fh.write(chunks[0][:16]); fh.flush(); os.kill(os.getpid(), signal.SIGKILL)\n"
        "serialization._write_bytes = die\n"
        "ag.save({'v': 2, 'w': ag.ones(100)}, sys.argv[1])\n"
    )
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    proc = subprocess.run([sys.executable, "-c", script, path], cwd=root, timeout=120)
    assert proc.returncode == -9
    left = [n for n in os.listdir(tmp_path) if n != "ckpt.safetensors"]
    assert len(left) == 1 and not left[0].startswith(".") and "xpgrad-tmp" in left[0]  # visible
    assert ag.load(path) == {"v": 1}  # the killed save left the checkpoint intact
    ag.save({"v": 3}, path)  # the writer is gone: its temporary file is removed
    assert os.listdir(tmp_path) == ["ckpt.safetensors"] and ag.load(path) == {"v": 3}


def test_temp_file_of_a_live_writer_is_kept(tmp_path):
    path = str(tmp_path / "ckpt.safetensors")
    live = f"ckpt.safetensors.xpgrad-tmp-{serialization.safetensors_io._host()}-{os.getppid()}-abcd1234"
    other = "other.safetensors.xpgrad-tmp-somehost-1-abcd1234"  # another target or host: not ours
    for n in (live, other):
        (tmp_path / n).write_bytes(b"partial")
    ag.save({"v": 1}, path)
    assert sorted(os.listdir(tmp_path)) == sorted(["ckpt.safetensors", live, other])


def test_ordered_dict_and_counter_keep_their_type_without_pickle(path):
    # state_dict() is an OrderedDict; MultiStepLR's milestones are a Counter (both data, as in PyTorch)
    obj = {"sd": collections.OrderedDict([("b", ag.ones(1)), ("a", 2)]),
           "milestones": collections.Counter([4, 12, 12])}
    ag.save(obj, path)
    out = ag.load(path)
    assert type(out["sd"]) is collections.OrderedDict and list(out["sd"]) == ["b", "a"]
    assert type(out["milestones"]) is collections.Counter and out["milestones"] == obj["milestones"]


def test_headers_whose_length_starts_like_a_pickle_load(tmp_path):
    # a header of 640, 896, 1152 or 1408 bytes begins with 80 02..05, a pickle's marker: such files
    # (8 of 399 one-tensor dicts below, and an ordinary Linear + BatchNorm1d state dict) were refused
    path = tmp_path / "h.safetensors"
    lengths = set()
    for n in range(1, 400):
        ag.save({"k" * n: ag.ones(1)}, path)
        lengths.add(struct.unpack("<Q", path.read_bytes()[:8])[0])
        assert list(ag.load(path)) == ["k" * n]
    assert {640, 896, 1152} <= lengths


def test_loaded_tensors_take_views_of_views(tmp_path):
    # a loaded array's memory is a memoryview, which has a shape and nbytes: buffer_of took it for
    # the root array and data_ptr failed (AttributeError) on any view of a view
    path = tmp_path / "w.safetensors"
    ag.save({"w": ag.arange(6.0).reshape(2, 3)}, path)
    w = ag.load(path)["w"]
    assert w.detach().detach().tolist() == [[0, 1, 2], [3, 4, 5]]
    assert w[1][2].item() == 5 and w.t().reshape(-1).tolist() == [0, 3, 1, 4, 2, 5]
    assert w.view(3, 2)[0].tolist() == [0, 1] and w.detach()[0].tolist() == [0, 1, 2]
    w[0].mul_(2)
    assert w.tolist() == [[0, 2, 4], [3, 4, 5]]
