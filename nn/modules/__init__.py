"""``nn.modules``: every layer class, one family per file; each file's ``__all__`` is exported here."""
from . import (activation, activation_extra, attention, batchnorm, container, container_params, conv,
               distance, dropout, embedding_bag, flatten, instancenorm, linear, loss, loss_extra, lp_pool,
               module, normalization, padding, pixelshuffle, pooling, pooling_extra, rnn, sparse, transformer,
               upsampling)
from .activation import *  # noqa: F401,F403
from .activation_extra import *  # noqa: F401,F403
from .attention import *  # noqa: F401,F403
from .batchnorm import *  # noqa: F401,F403
from .container import *  # noqa: F401,F403
from .container_params import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .distance import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .embedding_bag import *  # noqa: F401,F403
from .flatten import *  # noqa: F401,F403
from .instancenorm import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .loss_extra import *  # noqa: F401,F403
from .lp_pool import *  # noqa: F401,F403
from .module import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .padding import *  # noqa: F401,F403
from .pixelshuffle import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .pooling_extra import *  # noqa: F401,F403
from .rnn import *  # noqa: F401,F403
from .sparse import *  # noqa: F401,F403
from .transformer import *  # noqa: F401,F403
from .upsampling import *  # noqa: F401,F403

__all__ = [name for family in (module, container, container_params, linear, flatten, activation, loss,
                               loss_extra, conv, pooling, batchnorm, normalization, dropout, sparse, rnn,
                               attention, transformer, activation_extra, padding, pixelshuffle, upsampling,
                               distance, instancenorm, pooling_extra, embedding_bag, lp_pool)
           for name in family.__all__]
from .loss_ctc import CTCLoss  # noqa: E402,F401
__all__.append("CTCLoss")
from .lazy import *  # noqa: E402,F401,F403
from .lazy import __all__ as _lazy_all  # noqa: E402
__all__ += _lazy_all
from .fractional_pool import *  # noqa: E402,F401,F403
from .fractional_pool import __all__ as _fractional_pool_all  # noqa: E402
__all__ += _fractional_pool_all
from .adaptive_softmax import AdaptiveLogSoftmaxWithLoss  # noqa: E402,F401
__all__.append("AdaptiveLogSoftmaxWithLoss")
from .cross_map_lrn import CrossMapLRN2d  # noqa: E402,F401
__all__.append("CrossMapLRN2d")
