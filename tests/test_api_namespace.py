"""``import autograd as torch``: torch's module paths reach the same nn/optim modules; ``__version__``."""
from __future__ import annotations

import os
import subprocess
import sys

import autograd as ag

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _fresh(code):
    """Run ``code`` in a new interpreter (imports from scratch) and return its stdout."""
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_torch_paths_resolve_to_the_same_modules():
    import nn
    import optim

    assert ag.nn is nn and ag.optim is optim
    assert ag.nn.Linear is nn.Linear
    assert ag.optim.AdamW is optim.AdamW
    assert ag.nn.utils.clip_grad_norm_ is nn.utils.clip_grad_norm_
    assert ag.nn.functional is nn.functional
    assert ag.utils.data.DataLoader.__name__ == "DataLoader"
    import autograd.nn.functional as F
    import autograd.nn.init as init
    import autograd.optim.lr_scheduler as sched
    from autograd import nn as nn2
    from autograd import optim as optim2
    from autograd.nn import functional as F2
    from autograd.utils.data.dataloader import default_collate

    assert F is nn.functional and F2 is nn.functional and init is nn.init
    assert nn2 is nn and optim2 is optim and sched is optim.lr_scheduler
    assert sys.modules["autograd.nn"] is sys.modules["nn"]
    assert sys.modules["autograd.nn.functional"] is sys.modules["nn.functional"]
    assert callable(default_collate)


def test_submodule_import_first_in_a_fresh_interpreter():
    out = _fresh(
        "import autograd.nn.functional as F, sys\n"
        "from autograd.optim.lr_scheduler import StepLR\n"
        "import nn, optim\n"
        "print(F is nn.functional, sys.modules['autograd.nn'] is nn, StepLR is optim.lr_scheduler.StepLR,\n"
        "      len([k for k in sys.modules if k.endswith('modules.linear')]))\n"
    )
    assert out.split() == ["True", "True", "True", "1"]  # one copy of nn.modules.linear


def test_missing_submodule_raises_module_not_found():
    import pytest

    with pytest.raises(ModuleNotFoundError, match="autograd.nn.no_such_module"):
        import autograd.nn.no_such_module  # noqa: F401
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        ag.no_such_name  # noqa: B018


def test_version():
    import re

    assert re.match(r"^\d+\.\d+", ag.__version__)
    with open(os.path.join(ROOT, "pyproject.toml")) as f:
        assert f'version = "{ag.__version__}"' in f.read()
