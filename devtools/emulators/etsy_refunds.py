"""Etsy cancellations and refunds in the emulated shop. Etsy's Open API v3 has no call to cancel or
refund a receipt: the seller does it in Shop Manager. ``cancel_receipt`` and ``refund_receipt``
do what Shop Manager does to the receipt (status ``canceled`` / ``fully refunded`` /
``partially refunded``, an entry in its ``refunds`` list, a new ``updated_timestamp``), so a pull
sees the change. The sale's money fields are Etsy's ``{amount, divisor, currency_code}``."""

from __future__ import annotations

from typing import Any


def _refund(service, receipt: dict[str, Any], amount: int, reason: str, note: str) -> dict[str, Any]:
    money = receipt["grandtotal"]
    entry = {"amount": {"amount": int(amount), "divisor": money.get("divisor", 100),
                        "currency_code": money.get("currency_code", "USD")},
             "created_timestamp": int(service.now()), "reason": reason, "note_from_issuer": note,
             "status": "Complete"}
    receipt.setdefault("refunds", []).append(entry)
    return entry


def cancel_receipt(service, receipt_id: int, *, reason: str = "Other", note: str = "") -> None:
    """The seller cancels the order in Shop Manager: Etsy refunds it in full and marks it canceled."""
    receipt = service._receipt(receipt_id)
    _refund(service, receipt, receipt["grandtotal"]["amount"], reason, note)
    service.set_status(receipt_id, "canceled")
    service.record("receipt_canceled", receipt_id=receipt_id, reason=reason)


def refund_receipt(service, receipt_id: int, amount: int | None = None, *, reason: str = "Other",
                   note: str = "") -> None:
    """A refund in Shop Manager: the whole grand total (fully refunded) or part of it."""
    receipt = service._receipt(receipt_id)
    total = receipt["grandtotal"]["amount"]
    refunded = sum(r["amount"]["amount"] for r in receipt.get("refunds") or [])
    value = total - refunded if amount is None else int(amount)
    if not 0 < value <= total - refunded:
        raise ValueError(f"refund between 1 and {total - refunded} (minor units)")
    _refund(service, receipt, value, reason, note)
    service.set_status(receipt_id, "fully refunded" if refunded + value >= total else "partially refunded")
    service.record("receipt_refunded", receipt_id=receipt_id, amount=value, reason=reason)
