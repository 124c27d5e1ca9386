"""The distribution claims only its own top-level names (autograd, nn, optim), not ``examples``."""
from __future__ import annotations

import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_packaged_top_level_names_are_only_xpgrads():
    tomllib = pytest.importorskip("tomllib")
    setuptools = pytest.importorskip("setuptools")
    conf = tomllib.loads((ROOT / "pyproject.toml").read_text())
    include = conf["tool"]["setuptools"]["packages"]["find"]["include"]
    found = setuptools.find_packages(where=str(ROOT), include=include)
    assert {p.split(".")[0] for p in found} == {"autograd", "nn", "optim"}


def test_main_job_runs_from_the_repository_root_without_being_packaged():
    # README: ``pip install -e ".[examples]" && python -m examples.train_digits`` from the root
    assert (ROOT / "examples" / "train_digits.py").is_file()
    assert (ROOT / "examples" / "__init__.py").is_file()
