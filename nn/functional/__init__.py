"""``nn.functional``: the functional form of every layer, activation and loss.

Each family lives in its own module; this package re-exports them all.
"""
from .activation import *  # noqa: F401,F403
from .activation_inplace import *  # noqa: F401,F403
from .activation_extra import *  # noqa: F401,F403
from .attention import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .distance import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .embedding_bag import *  # noqa: F401,F403
from .gumbel import *  # noqa: F401,F403
from .grid_sample import *  # noqa: F401,F403
from .interpolate import *  # noqa: F401,F403
from .instance_norm import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .lp_pool import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .loss_extra import *  # noqa: F401,F403
from .loss_ctc import *  # noqa: F401,F403
from .misc import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .pooling_extra import *  # noqa: F401,F403
from .rnn import *  # noqa: F401,F403
from .sparse import *  # noqa: F401,F403
from .unpool import *  # noqa: F401,F403
from .vision import *  # noqa: F401,F403
from .fractional_pool import *  # noqa: F401,F403
from .torch_level import *  # noqa: F401,F403  (its __all__: the *_with_indices pools, conv_tbc, linear_cross_entropy)
