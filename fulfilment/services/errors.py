"""The typed error of every fulfilment write: a step that cannot be taken, saying why and what to
do (``field`` names the form field it concerns, for pages and the API)."""

from __future__ import annotations


class FulfilmentError(ValueError):
    """A fulfilment step that cannot be taken; the message says why and what to do."""

    def __init__(self, message: str, *, field: str = ""):
        super().__init__(message)
        self.field = field


class CancellationPending(FulfilmentError):
    """The buyer asked the channel to cancel the order and the request waits for a decision: the
    order is not picked or packed until it is decided."""
