"""Provenance: where in the user's code each graph node was made, recorded cheaply.

A node keeps ``(code, offset)`` of the first frame outside xpgrad's own packages
(:func:`record_site`); :func:`resolve_site` turns it into ``(filename, lineno)`` only
when an error message or a picture asks. Also the small intern tables that let many
nodes share one copy of a value.
"""
from __future__ import annotations

import os
import sys

_PACKAGE_ROOTS = tuple(
    os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), name) + os.sep
    for name in ("autograd", "nn", "optim")
)
_INTERNAL: dict[str, bool] = {}

# Values many nodes hold, kept once (a recorded node is small: ~300 bytes): each node's call site,
# its inputs' shapes and its needs_input_grad. Cleared when large (code made at run time, many shapes).
_SITES: dict = {}
_SHAPES: dict = {}
_NEEDS: dict = {}


def _interned(table, key):
    value = table.get(key)
    if value is None:
        if len(table) > 4096:
            table.clear()
        value = table[key] = key
    return value


def record_site(depth=2):
    """Where the user's code called xpgrad, kept cheap to record: ``(code, offset)`` of the first
    frame outside xpgrad's own packages, from ``depth`` frames up (``None`` if there is none).
    :func:`resolve_site` turns it into ``(filename, lineno)`` when a message or picture needs it.

    Only the frames walked are materialised (each costs an allocation), so ``apply`` starts a
    built-in op's walk above the op's function: built-in primitives are applied by xpgrad's own
    code."""
    f = sys._getframe(depth)
    internal = _INTERNAL
    while f is not None:
        code = f.f_code
        name = code.co_filename  # a str: its hash is cached (a code object's is recomputed each time)
        inside = internal.get(name)
        if inside is None:
            inside = internal[name] = os.path.abspath(name).startswith(_PACKAGE_ROOTS)
        if not inside:
            # looked up by file, then offset, then the code's identity: no key is built per call, and
            # a code object is never hashed (that hashes its constants: a microsecond for a long one)
            offset = f.f_lasti
            by_offset = _SITES.get(name)
            site = by_offset.get(offset) if by_offset is not None else None
            if site is None or site[0] is not code:
                site = _new_site(code, offset)
            return site
        f = f.f_back
    return None


def _new_site(code, offset):
    """Keep ``(code, offset)`` as the site recorded at that place (two functions of one file may
    share an offset: the newer one takes the entry)."""
    if len(_SITES) > 4096:
        _SITES.clear()
    by_offset = _SITES.setdefault(code.co_filename, {})
    if len(by_offset) > 4096:
        by_offset.clear()
    site = by_offset[offset] = (code, offset)
    return site


def resolve_site(where):
    """``(filename, lineno)`` of a site kept by :func:`record_site`."""
    if where is None:
        return None
    code, offset = where
    line = code.co_firstlineno
    for start, end, lineno in code.co_lines():
        if start <= offset < end:
            line = lineno if lineno is not None else line
            break
    return code.co_filename, line


def caller_site():
    """``(filename, lineno)`` of the first frame outside xpgrad's own packages."""
    return resolve_site(record_site(3))
