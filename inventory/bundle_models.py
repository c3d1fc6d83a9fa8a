"""Bundles and kits: a SKU made of other SKUs. A bundle holds no stock of its own; its
available-to-sell is the minimum over its components, and every stock move of a bundle line
moves its components through the ledger."""

from django.db import models  # noqa: F401 -- the bundle models are declared here

__all__: list[str] = []
