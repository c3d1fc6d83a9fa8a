"""Channel stock rules: how many of the units available to sell a channel listing is shown.

Pure functions over plain values (no queries), so the push job, the listing page and the API
all apply the same rule and say the same reason. A rule comes from the channel account, with
per-listing overrides; today's rule is the buffer (units or a percentage of available, whichever
holds back more)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StockRule:
    buffer_units: int = 0
    buffer_percent: int = 0


@dataclass(frozen=True)
class Shown:
    quantity: int
    reason: str  # in the seller's words, e.g. "20 available, 2 held back (buffer of 2 units)"


def rule_for(account, listing=None) -> StockRule:
    """The rule that applies to this listing of this account (account values; listing overrides
    where the listing has them)."""
    return StockRule(buffer_units=account.stock_buffer_units, buffer_percent=account.stock_buffer_percent)


def shown_quantity(available: int, rule: StockRule) -> Shown:
    """The quantity pushed to the channel for `available` units, and the reason for it."""
    available = max(0, int(available))
    held = max(rule.buffer_units, (available * rule.buffer_percent + 99) // 100)
    quantity = max(0, available - held)
    if quantity == available:
        return Shown(quantity, f"{available} available")
    return Shown(quantity, f"{available} available, {available - quantity} held back (buffer)")
