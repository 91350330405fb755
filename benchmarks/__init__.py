"""Benchmarks: figures printed against a baseline measured in the same run, never asserted.

`python -m benchmarks` runs them all (benchmarks/__main__.py); see benchmarks/README.md.
"""
