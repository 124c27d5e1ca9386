"""Shared test configuration: the ``device`` fixture, the ``cuda`` marker, hypothesis profiles.

* ``device``: every test that takes it runs on ``"cpu"``, on the test-only
  ``"shadow"`` device (a NumPy-backed stand-in for CuPy, registered by
  ``tests/shadow.py``) and on ``"cuda"``. The ``"cuda"`` variant carries the
  ``cuda`` marker (``pytest -m cuda`` selects it) and is skipped, with the
  reason shown by ``-rs``, when CuPy or a GPU is missing.
* Tests marked ``@pytest.mark.cuda`` are skipped the same way without a GPU.
* hypothesis: the ``default`` profile is quick (deadline off, 25 examples);
  ``HYPOTHESIS_PROFILE=thorough`` runs 300 examples per property.
"""
from __future__ import annotations

import os
import sys

import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import autograd as ag  # noqa: E402
from autograd import backend  # noqa: E402

settings.register_profile(
    "default", deadline=None, max_examples=25, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "thorough", deadline=None, max_examples=300, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def _register_shadow():
    """The shadow device's name, or None when tests/shadow.py is missing or broken."""
    try:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from shadow import register_shadow
    except Exception as e:  # noqa: BLE001 - any failure means: run on the CPU only
        _SHADOW_PROBLEM.append(f"{type(e).__name__}: {e}")
        return None
    return register_shadow()


_SHADOW_PROBLEM: list = []
SHADOW = _register_shadow()


def cuda_available() -> bool:
    """True when CuPy and a CUDA GPU are present."""
    cuda = getattr(ag, "cuda", None)
    if cuda is not None and hasattr(cuda, "is_available"):
        return bool(cuda.is_available())
    return backend.cuda_available()


CUDA_SKIP = "CUDA is not available (needs CuPy and a GPU); the 'cuda' device tests are skipped"

DEVICES = ["cpu"] + ([SHADOW] if SHADOW else []) + [pytest.param("cuda", marks=pytest.mark.cuda)]


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "cuda: runs on the 'cuda' device (CuPy and a GPU); skipped when none is available")
    config.addinivalue_line("markers", "slow: a test that takes more than a few seconds")


def pytest_report_header(config):
    shadow = SHADOW or f"not registered ({_SHADOW_PROBLEM[0] if _SHADOW_PROBLEM else 'unknown'})"
    return [f"xpgrad devices: cpu, shadow: {shadow}, cuda: {cuda_available()}",
            f"hypothesis profile: {os.environ.get('HYPOTHESIS_PROFILE', 'default')}"]


def pytest_collection_modifyitems(config, items):
    if cuda_available():
        return
    skip = pytest.mark.skip(reason=CUDA_SKIP)
    for item in items:
        if "cuda" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(params=DEVICES)
def device(request):
    """The device name a test runs on ("cpu", "shadow", "cuda")."""
    return request.param


@pytest.fixture
def other_device():
    """A second device type for mixing tests (the shadow device), or skip."""
    if not SHADOW:
        pytest.skip("the shadow device is not registered (tests/shadow.py missing)")
    return SHADOW


@pytest.fixture(autouse=True)
def _fresh_state():
    """Every test starts with grad mode on, anomaly detection off and float32 as default."""
    from autograd.grad_mode import state

    state.enabled, state.anomaly = True, False
    yield
    state.enabled, state.anomaly = True, False
    if backend.get_default_dtype() != backend.float32:
        backend.set_default_dtype(backend.float32)
