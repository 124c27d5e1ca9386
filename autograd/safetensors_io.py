"""The safetensors file format: writing, checked reading, atomic replacement on disk.

A safetensors file is an 8-byte little-endian header length, a JSON header
(``{name: {"dtype", "shape", "data_offsets"}, "__metadata__": {str: str}}``)
padded with spaces to a multiple of 8 bytes, then the tensors' bytes.

Reading goes through one open file (or stream), once, front to back, into
memory that the reader owns: no memory mapping that another process could
truncate under it (SIGBUS), no second ``open`` that could see another version
of the file. Every check on the header runs before any tensor data is read,
and files written here carry a CRC-32 of their data, so a file rewritten in
place while it is read gives a clear ``ValueError``, never a mix of versions.
"""
from __future__ import annotations

import json
import os
import secrets
import socket
import struct
import sys
import zlib

from . import backend

#: safetensors' own limit on the header size.
MAX_HEADER = 100 * 1024 * 1024
#: The most tensors one file may list (each costs memory even when empty).
MAX_ENTRIES = 1 << 17
#: The most JSON objects a metadata entry may hold (bounds the work of parsing it).
MAX_JSON_OBJECTS = 1 << 20
#: ``__metadata__`` key holding the CRC-32 of the data section (files written by xpgrad).
CRC_KEY = "xpgrad.crc32"
#: safetensors dtype -> (itemsize, little-endian NumPy type string)
DTYPES = {
    "BOOL": (1, "|b1"), "U8": (1, "|u1"), "I8": (1, "|i1"), "U16": (2, "<u2"), "I16": (2, "<i2"),
    "F16": (2, "<f2"), "BF16": (2, "<u2"), "U32": (4, "<u4"), "I32": (4, "<i4"), "F32": (4, "<f4"),
    "U64": (8, "<u8"), "I64": (8, "<i8"), "F64": (8, "<f8"),
}
_NAMES = {"b": "BOOL", "u1": "U8", "i1": "I8", "u2": "U16", "i2": "I16", "f2": "F16", "u4": "U32",
          "i4": "I32", "f4": "F32", "u8": "U64", "i8": "I64", "f8": "F64"}
_UNSUPPORTED = {"F8_E4M3", "F8_E5M2", "C64", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2"}
_CHUNK = 1 << 20
#: Part of the name of a temporary file during a save (visible, so a killed save is seen).
TMP_TAG = ".xpgrad-tmp-"


# ---------------------------------------------------------------- writing
def encode(arrays, metadata):
    """The file as a list of byte chunks: header, then each array's bytes.

    Args:
        arrays (dict): name -> C-contiguous host array (NumPy).
        metadata (dict): str -> str, stored as ``__metadata__`` (a CRC-32 of the
            data is added under :data:`CRC_KEY`).
    """
    # larger items first keeps every tensor aligned to its item size (as safetensors does)
    names = sorted(arrays, key=lambda k: -arrays[k].dtype.itemsize)
    header, chunks, pos, crc = {}, [], 0, 0
    for name in names:
        a = arrays[name]
        kind = "b" if a.dtype.kind == "b" else a.dtype.kind + str(a.dtype.itemsize)
        if kind not in _NAMES:
            raise TypeError(f"cannot save tensor {name!r} of dtype {a.dtype} in safetensors")
        if a.dtype.byteorder == ">" or (a.dtype.byteorder == "=" and sys.byteorder != "little"):
            a = a.astype(a.dtype.newbyteorder("<"))
        raw = memoryview(a.reshape(-1).view(backend.uint8))
        header[name] = {"dtype": _NAMES[kind], "shape": list(a.shape), "data_offsets": [pos, pos + len(raw)]}
        crc = zlib.crc32(raw, crc)
        pos += len(raw)
        chunks.append(raw)
    meta = dict(metadata)
    meta[CRC_KEY] = f"{crc:08x}"
    body = json.dumps({"__metadata__": meta, **header}, separators=(",", ":")).encode()
    body += b" " * (-len(body) % 8)
    if len(body) > MAX_HEADER:
        raise ValueError(f"the header would take {len(body)} bytes, over the {MAX_HEADER}-byte limit "
                         "of safetensors (too many tensors or too much metadata)")
    return [struct.pack("<Q", len(body)) + body] + chunks


def write_bytes(fh, chunks):
    """Write ``chunks`` to an open file in pieces of at most 1 MiB."""
    for data in chunks:
        view = memoryview(data)
        for i in range(0, len(view), _CHUNK):
            fh.write(view[i:i + _CHUNK])


def atomic_write(path, chunks, write=None):
    """Replace the file at ``path`` with ``chunks``, atomically.

    The data goes to a temporary file next to the target (named
    ``<name>.xpgrad-tmp-<host>-<pid>-<random>``), is flushed to disk, then
    renamed over the target. A symbolic link at ``path`` is written through
    (the link stays, the file it points to is replaced). A new file gets the
    permissions ``open()`` would give (``0o666`` less the umask); a replaced
    file keeps its permissions. Temporary files left by saves of the same
    target in processes that no longer run (killed mid-save) are removed.
    """
    write = write or write_bytes
    target = os.path.realpath(path) if os.path.islink(path) else path
    directory = os.path.dirname(os.path.abspath(target))
    base = os.path.basename(target)
    _remove_stale_temps(directory, base)
    try:
        mode = os.stat(target).st_mode & 0o7777
    except OSError:
        mode = None
    tmp = os.path.join(directory, f"{base}{TMP_TAG}{_host()}-{os.getpid()}-{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            if mode is not None:
                os.chmod(tmp, mode)
            write(fh, chunks)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:  # make the rename itself durable (POSIX; best effort elsewhere)
        dfd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)


def _host():
    return socket.gethostname().replace(os.sep, "_") or "host"


def _remove_stale_temps(directory, base):
    """Delete ``base``'s temporary files whose writer (this host, another pid) is gone."""
    if os.name != "posix":
        return
    prefix = base + TMP_TAG + _host() + "-"
    try:
        names = [n for n in os.listdir(directory) if n.startswith(prefix)]
    except OSError:
        return
    for name in names:
        pid = name[len(prefix):].split("-")[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
            continue  # alive: a save in progress
        except ProcessLookupError:
            pass
        except OSError:
            continue  # alive, not ours to signal
        try:
            os.unlink(os.path.join(directory, name))
        except OSError:
            pass


# ---------------------------------------------------------------- reading
def read_header(path):
    """Parse and check the header of the safetensors file at ``path``.

    Returns:
        ``(entries, metadata, data_start)``: the entries in file order, the
        metadata dict and the file offset where tensor data begins.
    """
    with open(path, "rb") as fh:
        header, meta, n = _read_header(fh, str(path), _remaining(fh))
    return header, meta, 8 + n


def read(fh, where, check_metadata=None):
    """Read a whole safetensors file from the open binary file ``fh``.

    Args:
        fh: a file opened for binary reading, or a stream with ``read``.
        where (str): how errors name the file.
        check_metadata: called with the metadata dict once the header is
            checked, before any tensor data is read (it may raise).

    Returns:
        ``(entries, metadata, arrays)`` with ``arrays`` a dict of host arrays
        (bfloat16 widened to float32) that the caller owns.
    """
    size = _remaining(fh)
    header, meta, n = _read_header(fh, where, size)
    if check_metadata is not None:
        check_metadata(meta)
    arrays, crc = {}, 0
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        begin, end = info["data_offsets"]
        buf = _read_exact(fh, end - begin, where, "while reading tensor data", size is not None)
        crc = zlib.crc32(buf, crc)
        arrays[name] = _array(buf, info["dtype"], info["shape"])
    if fh.read(1):
        raise ValueError(f"{where}: the file has more data than its header describes (it changed while "
                         "it was being read, or is not a valid safetensors file)")
    expected = meta.get(CRC_KEY)
    if expected is not None and expected != f"{crc:08x}":
        raise ValueError(f"{where}: the data does not match its checksum (the file was rewritten while "
                         "it was being read, or is corrupt)")
    return header, meta, arrays


def _array(buf, dtype, shape):
    if dtype == "BF16":
        return backend.bfloat16_to_float32(buf, shape)
    raw = backend.asarray(memoryview(buf))  # uint8, sharing ``buf``
    a = raw.view(backend.as_dtype(DTYPES[dtype][1])).reshape(shape)
    native = a.dtype.newbyteorder("=")
    return a if a.dtype == native else a.astype(native)


def _remaining(fh):
    """Bytes left in ``fh`` from its position, or None when the stream cannot tell."""
    try:
        size = os.fstat(fh.fileno()).st_size
        return max(size - fh.tell(), 0)
    except (AttributeError, OSError, ValueError):
        pass
    try:
        pos = fh.tell()
        end = fh.seek(0, os.SEEK_END)
        fh.seek(pos)
        return max(end - pos, 0)
    except (AttributeError, OSError, ValueError):
        return None


def _read_exact(fh, n, where, what, checked=False):
    """``n`` bytes from ``fh`` in a buffer we own.

    ``checked``: ``n`` was checked against the file's size, so the buffer is
    allocated at once; otherwise it grows as data arrives (a lying length
    allocates little).
    """
    buf = bytearray(n) if checked else bytearray()
    got = 0
    view = memoryview(buf) if checked else None
    readinto = getattr(fh, "readinto", None) if checked else None
    while got < n:
        if readinto is not None:
            k = readinto(view[got:got + _CHUNK * 64])
        else:
            piece = fh.read(min(_CHUNK, n - got))
            k = len(piece)
            if checked:
                view[got:got + k] = piece
            else:
                buf += piece
        if not k:
            raise ValueError(f"{where}: the file ended early {what} ({got} of {n} bytes): it is "
                             "truncated, or was rewritten while it was being read")
        got += k
    return buf


def parse_json(raw, where, what, max_objects=None):
    """``json.loads`` that gives up (``ValueError``) past ``max_objects`` JSON objects
    (default :data:`MAX_JSON_OBJECTS`)."""
    max_objects = MAX_JSON_OBJECTS if max_objects is None else max_objects
    try:
        return _loads(raw, max_objects)
    except _TooMany:
        raise ValueError(f"{where}: {what} holds more than {max_objects} objects (the limit on the "
                         "work a file may demand)") from None


def _loads(raw, max_objects):
    count = [0]

    def hook(pairs):
        count[0] += 1
        if count[0] > max_objects:
            raise _TooMany
        return dict(pairs)

    return json.loads(raw, object_pairs_hook=hook)


class _TooMany(Exception):
    pass


def _read_header(fh, where, size):
    head = fh.read(8)
    if len(head) < 8:
        check_not_pickle(where, head)
        raise ValueError(f"{where}: not a safetensors file: {len(head)} bytes is shorter than the "
                         "8-byte header length (truncated or empty file)")
    (n,) = struct.unpack("<Q", head)
    # a header of 640, 896, 1152 or 1408 bytes starts with a pickle's marker bytes: only a length
    # that cannot be a header's marks a pickle or zip file
    if n > MAX_HEADER or (size is not None and n > size - 8):
        check_not_pickle(where, head)
    if size is not None and n > size - 8:
        raise ValueError(f"{where}: not a valid safetensors file: the header claims {n} bytes but "
                         f"the file has only {size - 8} after the length field (truncated file, corrupt "
                         "header length, or not a safetensors file at all)")
    if n > MAX_HEADER:
        raise ValueError(f"{where}: safetensors header of {n} bytes exceeds the {MAX_HEADER}-byte limit")
    if n < 2:
        raise ValueError(f"{where}: not a valid safetensors file: header length {n} is too small")
    raw = _read_exact(fh, n, where, "in its header", size is not None)
    try:
        header = _loads(raw.decode("utf-8"), MAX_ENTRIES + 2)  # the entries, __metadata__, the header
    except _TooMany:
        raise ValueError(f"{where}: the header lists more than {MAX_ENTRIES} tensors (the most a file "
                         "may hold: each costs memory even when empty)") from None
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise ValueError(f"{where}: not a valid safetensors file: the header is not valid JSON "
                         f"({e})") from None
    if not isinstance(header, dict):
        raise ValueError(f"{where}: not a valid safetensors file: the header is a JSON "
                         f"{type(header).__name__}, expected an object")
    meta = header.pop("__metadata__", None) or {}
    if not isinstance(meta, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                             for k, v in meta.items()):
        raise ValueError(f"{where}: invalid safetensors header: __metadata__ must map strings to strings")
    spans = [_check_entry(where, name, info, None if size is None else size - 8 - n)
             for name, info in header.items()]
    spans.sort()
    pos = 0
    for begin, end, name in spans:
        if begin < pos:
            raise ValueError(f"{where}: invalid safetensors header: the data of {name!r} "
                             f"(bytes {begin}..{end}) overlaps another tensor's")
        if begin > pos:
            raise ValueError(f"{where}: invalid safetensors header: a gap of {begin - pos} bytes "
                             f"before tensor {name!r}")
        pos = end
    if size is not None and pos != size - 8 - n:
        raise ValueError(f"{where}: invalid safetensors file: {size - 8 - n - pos} bytes after the last "
                         "tensor's data (the offsets do not cover the data section)")
    return header, meta, n


def _check_entry(where, name, info, data_len):
    where = f"{where}: invalid safetensors header: tensor {name!r}"
    if not isinstance(info, dict):
        raise ValueError(f"{where} is described by a {type(info).__name__}, expected an object")
    dtype, shape, offsets = info.get("dtype"), info.get("shape"), info.get("data_offsets")
    if not isinstance(dtype, str) or dtype not in DTYPES:
        if dtype in _UNSUPPORTED:
            raise ValueError(f"{where} has dtype {dtype}, which xpgrad cannot hold (NumPy has no such "
                             "type); convert it before saving")
        raise ValueError(f"{where} has unknown dtype {dtype!r} (expected one of {', '.join(DTYPES)})")
    if not isinstance(shape, list) or not all(type(s) is int and s >= 0 for s in shape):
        raise ValueError(f"{where} has invalid shape {shape!r} (expected a list of non-negative ints)")
    if (not isinstance(offsets, list) or len(offsets) != 2
            or not all(type(o) is int and o >= 0 for o in offsets) or offsets[0] > offsets[1]):
        raise ValueError(f"{where} has invalid data_offsets {offsets!r} (expected [begin, end] "
                         "with 0 <= begin <= end)")
    begin, end = offsets
    if data_len is not None and end > data_len:
        raise ValueError(f"{where}: data_offsets [{begin}, {end}] run past the end of the data "
                         f"({data_len} bytes; truncated file?)")
    count = 1
    for s in shape:
        count *= s
    if count * DTYPES[dtype][0] != end - begin:
        raise ValueError(f"{where}: shape {shape} of {dtype} needs {count * DTYPES[dtype][0]} bytes "
                         f"but data_offsets [{begin}, {end}] span {end - begin}")
    return begin, end, name


def check_not_pickle(where, head):
    """Refuse pickle files and torch.save's zip archives by their first bytes."""
    if head[:2] in (b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05") or head[:4] == b"PK\x03\x04":
        kind = "a zip archive (torch.save's format)" if head[:2] == b"PK" else "a pickle file"
        raise ValueError(
            f"{where} is {kind}, not safetensors. ag.load never unpickles such files (unpickling can run "
            "arbitrary code). Convert it once in a trusted environment, e.g. "
            "safetensors.torch.save_file(torch.load(path, weights_only=True), 'model.safetensors')."
        )
