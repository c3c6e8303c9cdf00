"""Delivery promise: when an order placed now arrives, computed from rules (pure, no I/O)."""
