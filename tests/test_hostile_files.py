"""ag.load on untrusted files: clear errors, nothing executed, nothing huge allocated."""
from __future__ import annotations

import builtins
import json
import os
import pickle
import struct
import tracemalloc

import pytest

import autograd as ag
from autograd import safetensors_io, serialization

pytest.importorskip("safetensors")

_HOSTILE = []  # names of the hostile files tried (the report counts them)


def craft(path, header, data=b"", length=None, raw_header=None):
    """Write a safetensors-shaped file with a chosen header (and optionally a lying length)."""
    body = raw_header if raw_header is not None else json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(body) if length is None else length))
        f.write(body)
        f.write(data)
    return str(path)


def expect_error(path, *words, exc=ValueError):
    _HOSTILE.append(os.path.basename(str(path)))
    tracemalloc.start()
    try:
        with pytest.raises(exc) as info:
            ag.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024, f"loading a hostile file allocated {peak} bytes"
    msg = str(info.value).lower()
    for w in words:
        assert w.lower() in msg, f"{w!r} not in {msg!r}"
    return msg


class _Payload:
    """Unpickling this object creates a file (what a malicious checkpoint would do)."""

    def __init__(self, target):
        self.target = target

    def __reduce__(self):
        return builtins.open, (self.target, "w")


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickle_payload_is_not_executed(tmp_path, protocol):
    marker = tmp_path / "pwned"
    path = tmp_path / f"evil_p{protocol}.pt"
    path.write_bytes(pickle.dumps({"weight": [1.0], "x": _Payload(str(marker))}, protocol=protocol))
    msg = expect_error(path)
    assert not marker.exists()
    if protocol >= 2:
        assert "pickle" in msg and "never unpickles" in msg


def test_torch_save_file_is_rejected(tmp_path):
    torch = pytest.importorskip("torch")
    marker = tmp_path / "pwned"
    path = tmp_path / "model.pt"
    torch.save({"w": torch.ones(2), "p": _Payload(str(marker))}, str(path))
    assert not marker.exists()  # torch.save itself does not run the payload
    expect_error(path, "zip", "torch.save", "safetensors")
    assert not marker.exists()


def _valid_file(tmp_path):
    path = str(tmp_path / "good.safetensors")
    ag.save({"a": ag.arange(10).float(), "b": ag.ones(3, 2).long(), "meta": [1, "x"]}, path)
    return path


@pytest.mark.parametrize("frac", [0.0, 0.01, 0.3, 0.6, 0.9, 0.99])
def test_truncated(tmp_path, frac):
    data = open(_valid_file(tmp_path), "rb").read()
    cut = max(int(len(data) * frac), 1 if frac else 0)
    path = tmp_path / f"truncated_{cut}.safetensors"
    path.write_bytes(data[:cut])
    expect_error(path)


def test_truncated_last_byte(tmp_path):
    data = open(_valid_file(tmp_path), "rb").read()
    path = tmp_path / "truncated_last_byte.safetensors"
    path.write_bytes(data[:-1])
    expect_error(path, "past the end")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.safetensors"
    path.write_bytes(b"")
    expect_error(path, "0 bytes", "empty")


@pytest.mark.parametrize("length", [2 ** 64 - 1, 2 ** 63, 2 ** 40, 10 ** 9])
def test_huge_header_length_is_not_allocated(tmp_path, length):
    path = craft(tmp_path / f"huge_header_{length}.safetensors", {"a": {}}, length=length)
    expect_error(path, "header claims", str(length))


def test_header_longer_than_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(safetensors_io, "MAX_HEADER", 16)
    path = craft(tmp_path / "long_header.safetensors", {"__metadata__": {"k": "v" * 64}})
    expect_error(path, "exceeds")


def entry(dtype="F32", shape=(2,), offsets=(0, 8)):
    return {"dtype": dtype, "shape": list(shape), "data_offsets": list(offsets)}


@pytest.mark.parametrize("dtype", ["F33", "float32", "", "BF32", 5, None, "F8_E4M3", "C64"])
def test_wrong_dtype(tmp_path, dtype):
    path = craft(tmp_path / f"dtype_{dtype}.safetensors", {"x": entry(dtype)}, b"\0" * 8)
    expect_error(path, "dtype", "'x'")


def test_overlapping_offsets(tmp_path):
    path = craft(tmp_path / "overlap.safetensors",
                 {"a": entry(offsets=(0, 8)), "b": entry(offsets=(4, 12))}, b"\0" * 12)
    expect_error(path, "overlaps")


def test_duplicate_offsets(tmp_path):
    path = craft(tmp_path / "same_offsets.safetensors",
                 {"a": entry(offsets=(0, 8)), "b": entry(offsets=(0, 8))}, b"\0" * 8)
    expect_error(path, "overlaps")


@pytest.mark.parametrize("offsets", [(0, 8), (8, 16), (2 ** 62, 2 ** 62 + 8)])
def test_offsets_past_the_end(tmp_path, offsets):
    path = craft(tmp_path / f"past_end_{offsets[0]}.safetensors", {"a": entry(offsets=offsets)}, b"\0" * 4)
    expect_error(path, "past the end")


@pytest.mark.parametrize("bad", [
    {"shape": [-1]}, {"shape": [2, "3"]}, {"shape": 2}, {"shape": [2.0]},
    {"data_offsets": [8, 0]}, {"data_offsets": [0]}, {"data_offsets": [-8, 0]}, {"data_offsets": "0,8"},
    {"shape": [3]}, {"shape": [10 ** 30]},
])
def test_bad_shape_or_offsets(tmp_path, bad):
    info = dict(entry(), **bad)
    path = craft(tmp_path / f"bad_{abs(hash(json.dumps(bad)))}.safetensors", {"a": info}, b"\0" * 8)
    expect_error(path, "'a'")


def test_gap_and_trailing_bytes(tmp_path):
    gap = craft(tmp_path / "gap.safetensors", {"a": entry(offsets=(8, 16))}, b"\0" * 16)
    expect_error(gap, "gap")
    trailing = craft(tmp_path / "trailing.safetensors", {"a": entry()}, b"\0" * 12)
    expect_error(trailing, "after the last")


@pytest.mark.parametrize("raw", [
    b"{not json", b"\xff\xfe\x00garbage", b"[1, 2, 3]", b'"a string"', b"null", b"[" * 100000,
    b'{"a": 5}', b'{"a": [1]}',
])
def test_header_not_a_json_object(tmp_path, raw):
    path = craft(tmp_path / f"header_{abs(hash(raw))}.safetensors", None, raw_header=raw)
    expect_error(path, "header")


@pytest.mark.parametrize("meta", [["a"], {"k": 5}, {"k": {"x": 1}}, "str"])
def test_metadata_not_strings(tmp_path, meta):
    path = craft(tmp_path / f"meta_{abs(hash(json.dumps(meta)))}.safetensors", {"__metadata__": meta})
    expect_error(path, "__metadata__")


@pytest.mark.parametrize("structure", ["{not json", '{"$t": "missing"}', '{"$d": [[{"a": 1}, 2]]}',
                                       '{"$weird": 1}', '{"$d": 5}', "[" * 100000])
def test_malformed_structure_metadata(tmp_path, structure):
    meta = {"format": "xpgrad", serialization.STRUCTURE_KEY: structure}
    path = craft(tmp_path / f"structure_{abs(hash(structure))}.safetensors", {"__metadata__": meta})
    expect_error(path, serialization.STRUCTURE_KEY)


def test_random_garbage(tmp_path):
    import random

    rng = random.Random(0)
    for i in range(20):
        path = tmp_path / f"garbage_{i}.bin"
        path.write_bytes(bytes(rng.randrange(256) for _ in range(rng.randrange(0, 400))))
        expect_error(path)


def test_garbage_after_valid_length(tmp_path):
    import random

    rng = random.Random(1)
    for i in range(10):
        body = bytes(rng.randrange(256) for _ in range(64))
        path = craft(tmp_path / f"garbage_header_{i}.safetensors", None, raw_header=body)
        expect_error(path, "header")


def test_valid_file_still_loads(tmp_path):
    out = ag.load(_valid_file(tmp_path))
    assert out["meta"] == [1, "x"] and out["a"].shape == (10,)


@pytest.mark.parametrize("dtype,raw", [("I64", struct.pack("<2q", 1, 2)), ("BOOL", b"\x01\x00"),
                                       ("U8", b"\x01\x02")])
def test_requires_grad_on_an_integer_tensor(tmp_path, dtype, raw):
    meta = {"format": "xpgrad", serialization.STRUCTURE_KEY: json.dumps({"$t": "x", "rg": True})}
    shape = [len(raw) // {"I64": 8}.get(dtype, 1)]
    path = craft(tmp_path / f"rg_{dtype}.safetensors",
                 {"__metadata__": meta, "x": entry(dtype, shape, (0, len(raw)))}, data=raw)
    msg = expect_error(path, "requires_grad", "floating")
    assert str(path).lower() in msg


def test_millions_of_empty_entries_are_refused_with_bounded_memory(tmp_path, monkeypatch):
    # the same file at the default limit would list 10**6 entries (~60 MB of header); a lower
    # limit keeps the test fast and shows the parse stops at the limit, not at the end
    monkeypatch.setattr(safetensors_io, "MAX_ENTRIES", 1000)
    n = 50_000
    one = '"t{}":{{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}'
    body = "{" + ",".join(one.format(i) for i in range(n)) + "}"
    path = craft(tmp_path / "many_empty.safetensors", None, raw_header=body.encode())
    expect_error(path, "more than 1000 tensors")


def test_entries_at_the_limit_still_load(tmp_path, monkeypatch):
    monkeypatch.setattr(safetensors_io, "MAX_ENTRIES", 1000)
    ag.save({f"t{i}": ag.zeros(0) for i in range(1000)}, str(tmp_path / "ok.safetensors"))
    assert len(ag.load(str(tmp_path / "ok.safetensors"))) == 1000


def test_structure_with_too_many_objects(tmp_path, monkeypatch):
    monkeypatch.setattr(safetensors_io, "MAX_JSON_OBJECTS", 100)
    structure = json.dumps([{}] * 1000)
    meta = {"format": "xpgrad", serialization.STRUCTURE_KEY: structure}
    path = craft(tmp_path / "many_objects.safetensors", {"__metadata__": meta})
    expect_error(path, "more than 100 objects")


def _pickled_object_file(tmp_path, target):
    import base64

    payload = base64.b64encode(pickle.dumps(_Payload(str(target)))).decode()
    meta = {"format": "xpgrad", serialization.PICKLE_KEY: payload}
    return craft(tmp_path / "pickled_object.safetensors", {"__metadata__": meta})


def test_pickled_objects_are_not_loaded_by_default(tmp_path):
    marker = tmp_path / "pwned"
    path = _pickled_object_file(tmp_path, marker)
    msg = expect_error(path, "weights_only=False", "trust", exc=serialization.WeightsOnlyError)
    assert str(path).lower() in msg
    assert not marker.exists()
    for flag in (True, None):
        with pytest.raises(pickle.UnpicklingError):
            ag.load(path, weights_only=flag)
    assert not marker.exists()
