"""Benchmarks of the TicketStock pipeline; run them with ``python -m benchmarks``."""
