"""``ag.backends.mps``: Apple's Metal backend, which xpgrad does not have."""


def is_available() -> bool:
    """False: xpgrad runs on NumPy (CPU) and CuPy (CUDA) only."""
    return False


def is_built() -> bool:
    return False
