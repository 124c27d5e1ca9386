"""``ag.backends.openmp``: accepted for PyTorch scripts."""


def is_available() -> bool:
    return False
