"""The label provider interface: what SellerHub asks of any shipping-label provider (EasyPost
today; Shippo, ShipEngine or a self-hosted Karrio could be added behind the same interface).

A provider quotes rates for a shipment (ship-from, ship-to, parcel), buys one of them and hands
back the carrier's label file with its tracking number, follows tracking numbers (trackers) and
verifies its own webhooks; it may also make end-of-day scan forms and book pickups (proof of
handover). Everything is said in the dataclasses below: nothing of a provider's
own objects leaks out of its module, and no provider touches the database.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from sellerhub.addresses import Address


class ProviderError(Exception):
    """A provider call failed. ``retryable``: trying again later may help (rate limit, outage,
    timeout); otherwise the request itself was refused and the message says why."""

    def __init__(self, message: str, *, retryable: bool = False, code: str = "", status: int | None = None):
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.code = code
        self.status = status

    def __str__(self):
        return self.message


class NotConfigured(ProviderError):
    """The provider has no API key (or is switched off)."""


class LabelAlreadyBought(ProviderError):
    """The provider already sold a label for this shipment (a purchase that was not recorded)."""


@dataclass(frozen=True)
class Parcel:
    weight_grams: int
    length_mm: int | None = None
    width_mm: int | None = None
    height_mm: int | None = None


@dataclass(frozen=True)
class ShipmentRequest:
    ship_from: Address
    ship_to: Address
    parcel: Parcel
    reference: str = ""  # printed on the label: the order number
    label_format: str = "pdf"  # "pdf" (4x6) or "zpl"
    ship_to_email: str = ""
    ship_from_email: str = ""


@dataclass(frozen=True)
class Rate:
    id: str
    carrier: str  # as the provider names it ("USPS", "FedEx")
    carrier_code: str  # SellerHub's registry code ("usps", "fedex"), "" when unknown
    service: str
    amount: Decimal
    currency: str = "USD"
    days: int | None = None

    def as_dict(self) -> dict:
        return {"id": self.id, "carrier": self.carrier, "carrier_code": self.carrier_code, "service": self.service,
                "amount": str(self.amount), "currency": self.currency, "days": self.days}

    @classmethod
    def from_dict(cls, data: Mapping) -> Rate:
        return cls(id=str(data["id"]), carrier=str(data.get("carrier") or ""),
                   carrier_code=str(data.get("carrier_code") or ""), service=str(data.get("service") or ""),
                   amount=Decimal(str(data.get("amount") or "0")), currency=str(data.get("currency") or "USD"),
                   days=data.get("days"))


@dataclass(frozen=True)
class Quote:
    shipment_id: str
    rates: tuple[Rate, ...]
    label_format: str
    messages: tuple[str, ...] = ()


@dataclass(frozen=True)
class BoughtLabel:
    shipment_id: str
    rate: Rate
    tracking_number: str
    label_format: str  # "pdf" or "zpl": the format of ``content``
    content: bytes
    tracker_id: str = ""
    public_url: str = ""


@dataclass(frozen=True)
class Scan:
    status: str  # the provider's normalised status: pre_transit, in_transit, delivered...
    message: str
    occurred_at: dt.datetime
    status_detail: str = ""
    location: str = ""


# Statuses that are not a carrier having the package in hand.
NOT_A_SCAN = frozenset({"pre_transit", "unknown", "error", "cancelled"})


@dataclass(frozen=True)
class TrackerUpdate:
    tracker_id: str
    tracking_code: str
    carrier: str
    status: str
    scans: tuple[Scan, ...] = ()
    public_url: str = ""

    @property
    def first_scan_at(self) -> dt.datetime | None:
        """The first time a carrier had the package: the earliest scan that is not a label
        being created (picked by status, never by position: docs/domain/labels.md#milestones)."""
        times = [s.occurred_at for s in self.scans if s.status not in NOT_A_SCAN]
        return min(times) if times else None

    @property
    def delivered_at(self) -> dt.datetime | None:
        times = [s.occurred_at for s in self.scans if s.status == "delivered"]
        return min(times) if times else None


@dataclass(frozen=True)
class ProviderEventData:
    """A verified webhook event."""

    id: str
    description: str
    tracker: TrackerUpdate | None = None
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ScanForm:
    """A carrier's end-of-day form (USPS SCAN form): one barcode the carrier scans to accept every
    listed package (docs/domain/labels.md#proof-of-handover). ``content`` is the form's file."""

    id: str
    status: str
    tracking_codes: tuple[str, ...]
    form_url: str = ""
    form_file_type: str = ""
    batch_id: str = ""
    message: str = ""
    created_at: dt.datetime | None = None
    content: bytes = b""


@dataclass(frozen=True)
class PickupRequest:
    """Ask the carrier to collect: where, which shipments (one shipment, or the batch of a scan
    form), and the window."""

    address: Address
    min_datetime: dt.datetime
    max_datetime: dt.datetime
    shipment_id: str = ""
    batch_id: str = ""
    instructions: str = ""
    reference: str = ""
    is_account_address: bool = False


@dataclass(frozen=True)
class PickupRate:
    id: str
    carrier: str
    service: str
    amount: Decimal
    currency: str = "USD"


@dataclass(frozen=True)
class Pickup:
    id: str
    status: str  # unknown (quoted), scheduled, canceled
    confirmation: str = ""
    rates: tuple[PickupRate, ...] = ()
    min_datetime: dt.datetime | None = None
    max_datetime: dt.datetime | None = None


class LabelProvider(abc.ABC):
    """The interface. Subclasses implement every method; each call is one HTTP exchange (or a
    few), never inside a database transaction."""

    name = ""
    display_name = ""

    @abc.abstractmethod
    def describe(self) -> str:
        """Where it points, for the settings page (never the key)."""

    @abc.abstractmethod
    def quote(self, request: ShipmentRequest) -> Quote:
        """Implemented by each provider."""

    @abc.abstractmethod
    def rates(self, shipment_id: str) -> Quote:
        """The rates of a shipment quoted before."""

    @abc.abstractmethod
    def buy(self, shipment_id: str, rate_id: str) -> BoughtLabel:
        """Buy a rate; raises ``LabelAlreadyBought`` if the shipment already has a label."""

    @abc.abstractmethod
    def bought_label(self, shipment_id: str) -> BoughtLabel | None:
        """The label already bought for a shipment (a purchase whose answer was lost), or None."""

    @abc.abstractmethod
    def refund(self, shipment_id: str) -> str:
        """Ask for the label's money back; returns the provider's refund status."""

    @abc.abstractmethod
    def track(self, tracking_code: str, carrier_code: str = "") -> TrackerUpdate:
        """Start following a tracking number (or get the existing tracker)."""

    @abc.abstractmethod
    def tracker(self, tracker_id: str) -> TrackerUpdate:
        """Implemented by each provider."""

    @abc.abstractmethod
    def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> bool:
        """Implemented by each provider."""

    @abc.abstractmethod
    def parse_event(self, body: bytes) -> ProviderEventData:
        """Implemented by each provider."""

    @abc.abstractmethod
    def register_webhook(self, url: str) -> str:
        """Make the provider send its events to ``url`` (signed); returns the webhook id."""

    # --- proof of handover (not abstract: a provider without them says so) ----------------------
    def create_scan_form(self, shipment_ids: list[str]) -> ScanForm:
        """One end-of-day form for bought shipments of one origin and carrier, with its file."""
        raise ProviderError(f"{self.display_name or self.name} makes no SCAN forms.")

    def create_pickup(self, request: PickupRequest) -> Pickup:
        """Quote a carrier pickup (its rates); ``buy_pickup`` schedules it."""
        raise ProviderError(f"{self.display_name or self.name} books no pickups.")

    def buy_pickup(self, pickup_id: str, *, carrier: str, service: str) -> Pickup:
        """Schedule a quoted pickup with one of its rates; the answer carries the confirmation."""
        raise ProviderError(f"{self.display_name or self.name} books no pickups.")

    def cancel_pickup(self, pickup_id: str) -> Pickup:
        """Cancel a scheduled pickup."""
        raise ProviderError(f"{self.display_name or self.name} books no pickups.")
