"""``ag.backends.mkldnn``: accepted flags; NumPy's BLAS does the work."""
enabled = True


def is_available() -> bool:
    return False
