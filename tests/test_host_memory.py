"""Freed host memory stays in the process (autograd/arraylib/host_memory.py): a step that frees and
re-allocates the same large arrays does not fault their pages in again; XPGRAD_KEEP_HOST_MEMORY=0
keeps the C library's defaults."""
from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
    reason="mallopt is glibc's",
)

_STEPS = """
import resource
import numpy as np
import autograd

def steps():  # each frees and re-allocates 8 arrays of 4 MiB, as a training step its temporaries
    for _ in range(5):
        arrays = [np.ones(1 << 20, np.float32) for _ in range(8)]
        del arrays

steps()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
steps()
print(autograd.backend.HOST_MEMORY_KEPT, (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 5)
"""


def _run(keep):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XPGRAD_KEEP_HOST_MEMORY": keep}
    out = subprocess.run([sys.executable, "-c", _STEPS], env=env, capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout.split()
    return out[0] == "True", float(out[1])


def test_freed_arrays_are_reused_without_page_faults():
    kept, faults = _run("1")
    assert kept
    assert faults < 100, f"{faults} page faults per step of 32 MiB of arrays"  # 8 * 1024 if each page faulted


def test_opting_out_keeps_the_c_library_defaults():
    kept, faults = _run("0")
    assert not kept
    assert faults > 1000  # the pages are returned and faulted in again: what the setting avoids
