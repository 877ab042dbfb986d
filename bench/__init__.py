"""Benchmarks: each module ends its output with one JSON line (see bench/common.py)."""
