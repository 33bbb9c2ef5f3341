"""Performance benchmarks of condo-admin on synthetic data (see benchmarks/README.md).

Run ``python -m benchmarks ledger --size S --db sqlite:////tmp/bench-s.sqlite``.
"""
