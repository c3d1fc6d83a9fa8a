"""Seller cancellations sent to the channels (an outbox row per order) and refunds read from or
created on the channels."""

from django.db import models  # noqa: F401

__all__: list[str] = []
