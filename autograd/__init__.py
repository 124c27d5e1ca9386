"""xpgrad's engine, in the role of ``torch``: tensors, ops and reverse-mode autodiff.

Example::

    >>> import autograd as ag
    >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    tensor([2., 4.])
"""
from . import _namespace, backend
from .backend import Device as device
from .backend import (bool_ as bool, float16, float32, float64, get_default_dtype, int8, int16,
                      int32, int64, set_default_dtype, uint8)
from .tensor import Tensor
from .function import Function
from . import autograd, cuda, viz
from .autograd import grad
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .random import (Generator, default_generator, get_rng_state, initial_seed, manual_seed, seed,
                     set_rng_state)
from .creation import (arange, as_tensor, empty, empty_like, eye, from_numpy, full, full_like,
                       linspace, ones, ones_like, rand, rand_like, randint, randn, randn_like,
                       randperm, tensor, zeros, zeros_like)
from .ops.elementwise import *  # noqa: F401,F403
from .ops.reduce import *  # noqa: F401,F403
from .ops.extrema import *  # noqa: F401,F403
from .ops.numeric_more import *  # noqa: F401,F403
from .ops.numeric_random import *  # noqa: F401,F403
from .ops.trapezoid import *  # noqa: F401,F403
from .ops.softmax import *  # noqa: F401,F403
from .ops.shape import *  # noqa: F401,F403
from .ops.gather import *  # noqa: F401,F403
from .ops.linalg import *  # noqa: F401,F403
from .ops.window import *  # noqa: F401,F403
from .ops.fused import *  # noqa: F401,F403
from .ops.movement import from_dlpack
from .ops.unary_more import *  # noqa: F401,F403
from .ops.compare_more import *  # noqa: F401,F403
from .ops.sort import *  # noqa: F401,F403
from .ops.cumextrema import *  # noqa: F401,F403
from .ops.selection import *  # noqa: F401,F403
from .ops.sampling import *  # noqa: F401,F403
from .ops.linalg_more import *  # noqa: F401,F403
from .ops.math_more import *  # noqa: F401,F403
from .ops.nan_reduce import *  # noqa: F401,F403
from .ops.cum_diff import *  # noqa: F401,F403
from .ops.stats import *  # noqa: F401,F403
from .ops.counting import *  # noqa: F401,F403
from .ops.dtype_rules import *  # noqa: F401,F403
from .ops.scatter_reduce import *  # noqa: F401,F403
from .ops.quantile import *  # noqa: F401,F403
from .ops.special_fns import *  # noqa: F401,F403
from .ops.scatter_views import *  # noqa: F401,F403
from .ops.split_more import *  # noqa: F401,F403
from .window_functions import *  # noqa: F401,F403
from .creation_more import *  # noqa: F401,F403
from .ops.linalg_solve_legacy import *  # noqa: F401,F403
from .ops.gradient_fn import *  # noqa: F401,F403
from .gradcheck import gradcheck, gradgradcheck
from .anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .serialization import load, save
from .memory import memory_report
from . import utils
from .ops.linalg_decomp import cholesky, det, inverse, logdet, slogdet
from .ops.view_ops import as_strided  # noqa: F401
from .ops.linalg_spectral import qr, svd
from .ops.linalg_pinv import pinverse
from .ops.linalg_funcs import chain_matmul, ger, matrix_exp, matrix_power, orgqr, renorm, vander
from .ops.linalg_funcs import addr, adjoint, conj, resolve_conj, vdot
from .ops.foreach import *  # noqa: E402,F401,F403  (torch._foreach_*, listed in its __all__)
from .torch_functions import *  # noqa: E402,F401,F403  (torch.abs_, torch.t, torch.divide, ...)
from .ops.linalg_lu import legacy_lu as lu, legacy_lu_solve as lu_solve, lu_unpack
from . import linalg
from . import special
from . import distributions
from . import accelerator, backends
from .legacy import *  # noqa: F401,F403  (Size, finfo, iinfo, FloatTensor, ..., is_tensor, bfloat16)
from .inference import inference_mode, is_inference_mode_enabled
from .shims import *  # noqa: F401,F403  (set_float32_matmul_precision, compile, set_printoptions, ...)
from . import amp
from . import jit
from . import func
from . import profiler  # torch.profiler, also torch.autograd.profiler:
autograd.profiler = profiler
__import__("sys").modules.setdefault(__name__ + ".autograd.profiler", profiler)
from .torch_compat import *  # noqa: F401,F403  (range, typename, cond, real, angle, ...)
from .func import vmap
from .amp import autocast

half = float16
float = float32  # noqa: A001  (PyTorch's spelling ag.float)
double = float64
long = int64
int = int32  # noqa: A001


_namespace.install()
__version__ = _namespace.version()


def __getattr__(name):
    # ``ag.nn`` / ``ag.optim`` are the top-level packages, imported on first use (they import autograd).
    mod = _namespace.aliased_module(name)
    if mod is not None:
        return mod
    from .torch_functions import ATEN_ORDER, FUNCTIONAL

    if name in FUNCTIONAL:  # torch.conv2d, torch.pixel_shuffle, ...: nn.functional's own functions
        import importlib

        return getattr(importlib.import_module("nn.functional"), name)
    if name in ATEN_ORDER:  # torch.batch_norm, torch.embedding, torch.dropout: ATen's argument order
        import importlib

        return getattr(importlib.import_module("nn.functional.torch_level"), name)
    # ``ag.testing`` is imported on first use: it needs hypothesis, which ``import autograd`` does not;
    # ``ag.multiprocessing`` too (it registers a reducer with the standard library's).
    if name in ("testing", "multiprocessing"):
        import importlib

        return importlib.import_module("." + name, __name__)
    raise AttributeError(f"module 'autograd' has no attribute {name!r}")
