"""``ag.backends.cudnn``: flags accepted for PyTorch scripts; xpgrad uses no cuDNN."""
deterministic = False
benchmark = False
enabled = True
allow_tf32 = True


def is_available() -> bool:
    """False: xpgrad's convolutions are im2col + GEMM, not cuDNN."""
    return False


def version():
    """None: no cuDNN is used."""
    return None
