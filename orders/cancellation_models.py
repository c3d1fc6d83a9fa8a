"""Buyer cancellation requests from the channels (TikTok ``return_refund`` cancellations): one
row per channel request, with its deadline and the seller's decision."""

from django.db import models  # noqa: F401

__all__: list[str] = []
