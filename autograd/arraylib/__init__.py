"""The array layer behind ``autograd.backend``, one concern per file; with ``backend.py``, the only
code that imports numpy or cupy. Import its names through ``autograd.backend``."""
