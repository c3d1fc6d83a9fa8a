"""The typed errors of stock changes, and the request and shortfall values of a reservation."""

from __future__ import annotations

from dataclasses import dataclass


class StockError(ValueError):
    """A stock change that cannot be made (the message says why, in the warehouse's words)."""


class ScanAlreadyUndone(StockError):
    """The receiving scan an undo was meant for is undone already (undo pressed twice)."""


@dataclass(frozen=True)
class StockRequest:
    line_key: str
    sku_id: int
    quantity: int


@dataclass(frozen=True)
class Shortfall:
    line_key: str
    sku_id: int
    seller_sku: str
    requested: int  # units still to reserve for the line
    available: int  # units that were available for it

    def __str__(self):
        return f"{self.seller_sku} needs {self.requested}, {self.available} available"


class InsufficientStock(StockError):
    """Raised by `reserve` with every short line; nothing was reserved."""

    def __init__(self, shortfalls):
        self.shortfalls = list(shortfalls)
        super().__init__("Not enough stock: " + "; ".join(str(s) for s in self.shortfalls))
