"""The typed errors of order services and the results they return (confirmation, SKU mapping,
the channel upsert)."""

from __future__ import annotations

from dataclasses import dataclass, field

from inventory.models import SKU, ChannelListing
from orders.models import Order


class OrderError(ValueError):
    """A change to an order that cannot be made; the message says why and what to do."""


class TransitionNotAllowed(OrderError):
    pass


class ReturnError(OrderError):
    pass


class ManualOrderError(OrderError):
    """Bad input for a manual order; ``errors`` maps each field to its problems."""

    def __init__(self, errors: dict[str, list[str]], *, missing: frozenset[str] = frozenset()):
        self.errors = errors
        # The fields whose only problem is that they name something that isn't there (unknown SKUs).
        self.missing = frozenset(missing)
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))


@dataclass
class ConfirmResult:
    order: Order
    confirmed: bool
    already: bool = False
    reason: str = ""  # the attention reason when not confirmed
    message: str = ""
    shortfalls: list[dict] = field(default_factory=list)
    unmatched: list[dict] = field(default_factory=list)


@dataclass
class MappingResult:
    sku: SKU
    lines: int
    order_ids: list[int]
    listing: ChannelListing | None
    confirmations: list[ConfirmResult] = field(default_factory=list)


@dataclass
class UpsertResult:
    outcome: str  # "created", "updated", "unchanged" or "stale" (older than what is stored)
    order: Order
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.outcome in ("created", "updated")
