"""Benchmarks (`make bench`): figures to compare against targets, never assertions in tests."""
