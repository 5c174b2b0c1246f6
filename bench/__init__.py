"""Benchmarks: figures come from runs compared side by side, never from tests."""
