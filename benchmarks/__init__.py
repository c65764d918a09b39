"""Benchmarks: ``make bench`` (``python -m benchmarks``). Figures, not pass/fail tests."""
