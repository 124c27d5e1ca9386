"""Benchmarks: xpgrad against a hand-written NumPy floor and PyTorch. Run ``python -m bench``."""
