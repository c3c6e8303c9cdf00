"""Benchmarks: figures measured as ratios within one run (the machine is shared and noisy)."""
