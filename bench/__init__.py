"""Streaming benchmarks against the Python peers: `python -m bench` (see README.md)."""
