"""Helpers of the help-desk benchmarks: a virtual clock, the workload, the desk, the figures."""
