"""Benchmarks of the planner, run by `make bench`; each writes its section of `bench/README.md`."""
