"""``ag.special``, in the role of ``torch.special``: error, gamma, Bessel and normal-distribution
functions, and the common elementwise helpers under their SciPy names.

Example::

    >>> ag.special.gammaln(ag.tensor([1.0, 5.0]))
    tensor([0.0000, 3.1781])
"""
from .ops.elementwise import erf, expm1, log1p
from .ops.elementwise import sigmoid as expit
from .ops.math_more import sinc
from .ops.softmax import logsumexp
from .ops.softmax import log_softmax, softmax
from .ops.special_fns import (digamma, entr, erfc, erfcx, i0, i0e, i1, i1e, log_ndtr, ndtr, ndtri,
                              polygamma, xlog1py, zeta)
from .ops.special_fns import digamma as psi
from .ops.special_fns import lgamma as gammaln
from .ops.special_fns import mvlgamma as multigammaln
from .ops.unary_more import erfinv, exp2, logit, round, xlogy

__all__ = ["digamma", "entr", "erf", "erfc", "erfcx", "erfinv", "exp2", "expit", "expm1", "gammaln", "i0",
           "i0e", "i1", "i1e", "log1p", "log_ndtr", "log_softmax", "logit", "logsumexp", "multigammaln",
           "ndtr", "ndtri", "polygamma", "psi", "round", "sinc", "softmax", "xlog1py", "xlogy", "zeta"]
