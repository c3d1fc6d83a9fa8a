"""Carrier registry and tracking-number rules."""
