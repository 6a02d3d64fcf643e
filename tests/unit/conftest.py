"""The unit tests' fixtures; the helpers themselves are in ``tests/unit_harness.py``."""

from unit_harness import clock, enc, harness

__all__ = ["clock", "enc", "harness"]
