"""What every channel connector shares: the small interface, the data it speaks in, the error
classes and the one place that does HTTP.

Karrio-style: a connector builds ``ApiRequest`` values with pure functions and maps the answers
with pure functions; ``Connector.send`` is the ONE method that talks HTTP, through a
``requests.Session`` per account with connect/read timeouts. It retries what is worth retrying
(429, 5xx, timeouts, dropped connections, malformed JSON) with exponential backoff and full
jitter, waiting at least what ``Retry-After`` asks, and classifies everything else:

- ``RateLimited`` / ``Unavailable`` / ``Timeout`` / ``Malformed``: retryable (``ChannelError.retryable``);
- ``AuthFailed``: the credentials are refused (a refresh may help once; else the owner must reconnect);
- ``Rejected``: the channel refused the request itself (a 4xx or a business error): retrying
  the same request cannot help.

A request marked ``idempotent=False`` (e.g. "mark as shipped") is never re-sent after an
answer that may have been applied (timeout, 5xx, malformed 200): the error is raised as
``Ambiguous`` and the caller checks the channel's state before trying again.
"""

from __future__ import annotations

import abc
import datetime as dt
import json
import logging
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urlencode

import requests

from integrations.channels import hosts
from integrations.channels import images as channel_images
from integrations.channels.connectors import pacing
from integrations.channels.connectors.errors import (
    Ambiguous,
    AuthFailed,
    ChannelError,
    Malformed,
    NotConfigured,
    PushPaused,
    RateLimited,
    Rejected,
    Timeout,
    Unavailable,
    WebhookRejected,
)
from integrations.channels.connectors.retry import backoff_delay, http_date, parse_retry_after, setting
from integrations.channels.connectors.tokens import TokenStore, store_refresher

__all__ = [
    "Ambiguous", "ApiRequest", "ApiResponse", "AuthFailed", "CANCEL_REASONS", "CancellationOutcome",
    "CancellationPush", "ChannelError", "Connector", "Malformed", "NotConfigured",
    "OrderPage", "PushOutcome", "RateLimited", "Rejected", "RemoteListing", "ShipmentLine", "ShipmentOutcome",
    "ShipmentPush", "StockPush", "Timeout", "TokenStore", "Unavailable", "WebhookNotice", "WebhookRejected",
    "backoff_delay", "chunked", "http_date", "parse_retry_after", "setting", "utc",
]

log = logging.getLogger("channels")

USER_AGENT = "SellerHub/1.0 (+https://github.com/sellerhub)"


# ---------------------------------------------------------------------------------------------
# Data the connectors speak in


@dataclass(frozen=True)
class ApiRequest:
    method: str
    path: str  # relative to the connector's base URL, e.g. "/order/202309/orders/search"
    params: tuple[tuple[str, str], ...] = ()
    json: Any = None
    form: Mapping[str, str] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    operation: str = ""  # a short name for logs and errors, e.g. "orders.search"
    idempotent: bool = True
    base: str = ""  # another base URL than the connector's (token endpoints)
    ok_statuses: tuple[int, ...] = ()  # non-2xx answers the caller handles itself

    def body_bytes(self) -> bytes:
        """The exact bytes sent (and signed): compact JSON, or the urlencoded form."""
        if self.json is not None:
            return json.dumps(self.json, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        if self.form is not None:
            return urlencode(list(self.form.items())).encode("ascii")
        return b""

    @property
    def content_type(self) -> str | None:
        if self.json is not None:
            return "application/json"
        if self.form is not None:
            return "application/x-www-form-urlencoded"
        return None


@dataclass
class ApiResponse:
    status: int
    headers: Mapping[str, str]
    data: Any
    server_time: dt.datetime | None = None


@dataclass
class OrderPage:
    """One page of orders: the channel's payloads and where the next page starts."""

    payloads: list[dict]
    resume: dict | None  # None: this was the last page
    max_updated: dt.datetime | None = None
    unchanged: int = 0  # orders on the page left out because SellerHub has them as they are


@dataclass(frozen=True)
class StockPush:
    """Set the available quantity of one listing."""

    listing_id: int
    product_id: str  # the listing's external ids
    variant_id: str
    channel_sku: str
    quantity: int


@dataclass
class PushOutcome:
    listing_id: int
    ok: bool
    error: str = ""
    retryable: bool = False


@dataclass(frozen=True)
class ShipmentLine:
    external_id: str
    channel_sku: str = ""
    quantity: int = 1


@dataclass(frozen=True)
class ShipmentPush:
    """A shipped package with its tracking, as SellerHub knows it."""

    order_external_id: str
    tracking_number: str
    carrier_code: str = ""  # integrations.carriers.registry code (usps, ups, fedex...)
    carrier_name: str = ""
    shipping_provider_id: str = ""  # TikTok's id, when known
    package_external_id: str = ""
    lines: tuple[ShipmentLine, ...] = ()
    shipped_at: dt.datetime | None = None
    all_lines_shipped: bool = True


@dataclass
class ShipmentOutcome:
    reference: str = ""  # the channel's id of the shipment (package id, tracking id...)
    already: bool = False  # the channel already had this tracking number
    warning: str = ""


# Channel-neutral reasons for a seller's cancellation; each connector maps them to its own list.
CANCEL_REASONS = ("out_of_stock", "pricing_error", "unable_to_deliver", "buyer_requested", "other")


@dataclass(frozen=True)
class CancellationPush:
    """A seller's cancellation of an order (or of some of its lines) to send to the channel."""

    order_external_id: str
    reason: str  # one of CANCEL_REASONS
    note: str = ""  # free text shown to the buyer where the channel has a place for it
    line_external_ids: tuple[str, ...] = ()  # empty: the whole order
    idempotency_key: str = ""  # the same key for every try of one cancellation


@dataclass(frozen=True)
class CancellationOutcome:
    reference: str = ""  # the channel's id of the cancellation (TikTok cancel_id ...)
    already: bool = False  # the channel already had the order cancelled
    status: str = ""  # the channel's status of the order or request after the call


@dataclass
class WebhookNotice:
    """A verified notification: what it is and which orders it is about."""

    notification_id: str
    topic: str
    order_ids: list[str] = field(default_factory=list)
    payloads: list[dict] = field(default_factory=list)  # orders the notification carries in full
    ignore: bool = False  # e.g. WooCommerce's ping on webhook creation
    body: Any = None


@dataclass(frozen=True)
class RemoteListing:
    """A sellable variant as the channel lists it."""

    product_id: str
    variant_id: str
    channel_sku: str
    title: str = ""
    quantity: int | None = None
    price: str = ""  # the channel's price as a decimal string ("" when not read)
    currency: str = ""
    image_url: str = ""  # the listing's main picture on the channel's image host


# ---------------------------------------------------------------------------------------------
# Helpers


def chunked(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)


# ---------------------------------------------------------------------------------------------
# The connector


class Connector(abc.ABC):
    """One channel account's connection. Subclasses implement the channel's requests, answers,
    auth and error shapes; this class does the HTTP (``send``) and the retries."""

    channel: ClassVar[str] = ""
    default_base_url: ClassVar[str] = ""
    # The secrets among the credential keys (never shown back, never logged).
    secret_fields: ClassVar[tuple[str, ...]] = ()
    # Keys the account must have for the connector to work.
    required_fields: ClassVar[tuple[str, ...]] = ()
    # Limits the channel documents (stock pushes per call).
    stock_batch_size: ClassVar[int] = 100
    # The most a listing's quantity can show on the channel (None: no documented limit). A push
    # sends at most this, and a change above it needs no call (the channel shows the limit).
    max_stock_quantity: ClassVar[int | None] = None

    def __init__(self, account, *, session: requests.Session | None = None, sleep=time.sleep):
        self.account = account
        self.credentials = dict(account.credentials or {})
        self.base_url = (account.api_base_url or self.default_base_url).rstrip("/")
        self.session = session or self._new_session()
        self.sleep = sleep
        # The longest Retry-After ``send`` sleeps through; a longer one is raised to the caller,
        # which frees its worker meanwhile (None: sleep through every wait).
        self.wait_limit: float | None = None
        # Calls of each quota window (Etsy's second) this connector leaves to others (``pacing``).
        self.quota_reserve = 0
        self.max_attempts = int(setting("CHANNEL_SYNC_MAX_ATTEMPTS", 6))
        self.connect_timeout = float(setting("CHANNEL_SYNC_CONNECT_TIMEOUT", 5.0))
        self.read_timeout = float(setting("CHANNEL_SYNC_READ_TIMEOUT", 30.0))
        # After a write whose answer was lost: how long to wait before looking whether it landed.
        self.ambiguous_wait = float(setting("CHANNEL_SYNC_AMBIGUOUS_WAIT", 5.0))
        self.last_server_time: dt.datetime | None = None
        self.calls = 0
        self.retries = 0
        self.credentials_changed = False
        # Called with the connector when the channel says the token expired; returns fresh
        # credentials. The jobs pass one that refreshes under a lock and stores the result.
        self.token_refresher = self._refresh_in_place
        # Optional: given {order id: the channel's update time} from a list that has them, the
        # ids SellerHub already holds at that update time (their details need not be fetched).
        self.unchanged_filter = None

    # --- to implement --------------------------------------------------------------------------
    def authorize(self, request: ApiRequest) -> tuple[tuple[tuple[str, str], ...], dict[str, str]]:
        """Query parameters and headers that authenticate ``request`` (signing included)."""
        return request.params, {}

    def check(self, request: ApiRequest, response: requests.Response, data: Any) -> Any:
        """Raise the right ChannelError for an error answer; return the useful data otherwise."""
        return data

    @abc.abstractmethod
    def iter_order_pages(self, *, since: dt.datetime, resume: dict | None) -> Iterator[OrderPage]:
        """Every channel's connector implements this."""

    @abc.abstractmethod
    def fetch_order_payloads(self, external_ids: list[str]) -> list[dict]:
        """Every channel's connector implements this."""

    @abc.abstractmethod
    def push_stock(self, items: list[StockPush]) -> list[PushOutcome]:
        """Every channel's connector implements this."""

    @abc.abstractmethod
    def push_shipment(self, shipment: ShipmentPush) -> ShipmentOutcome:
        """Every channel's connector implements this."""

    # Channels with no cancellation call (Etsy) leave this False; the seller cancels on the channel.
    supports_cancellation: ClassVar[bool] = False

    def push_cancellation(self, cancellation: CancellationPush) -> CancellationOutcome:
        """Channels with a cancellation call override this; the others refuse it in words."""
        raise Rejected(f"{self.channel} has no cancellation call: cancel the order on the channel itself",
                       operation="cancellation")

    @abc.abstractmethod
    def list_listings(self) -> Iterator[RemoteListing]:
        """Every channel's connector implements this."""

    @abc.abstractmethod
    def test_connection(self) -> str:
        """Every channel's connector implements this."""

    @classmethod
    def verify_webhook(cls, account, *, headers: Mapping[str, str], body: bytes, url: str) -> WebhookNotice:
        raise WebhookRejected(f"{cls.channel} webhooks are not supported")

    def needs_refresh(self, *, margin: dt.timedelta | None = None) -> bool:
        return False

    def refresh_credentials(self) -> dict:
        """Get fresh tokens; returns the new credentials (the caller stores them)."""
        raise NotConfigured("this channel's credentials do not expire", operation="refresh")

    # --- shared --------------------------------------------------------------------------------
    def _new_session(self) -> requests.Session:
        session = requests.Session()
        session.headers["User-Agent"] = USER_AGENT
        session.headers["Accept"] = "application/json"
        adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=8, max_retries=0)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session

    def require(self, *keys: str) -> None:
        missing = [k for k in keys if not self.credentials.get(k)]
        if missing:
            raise NotConfigured(f"{self.account.name} has no {', '.join(missing)}: connect the account again.",
                                operation="credentials")

    def close(self) -> None:
        self.session.close()

    def fetch_image(self, url: str) -> bytes:
        """A listing's picture from the channel's image host, without credentials, with size and
        type limits (integrations/channels/images.py)."""
        return channel_images.fetch_image(url, session=self.session)

    def call(self, request: ApiRequest) -> ApiResponse:
        """``send``, refreshing an expired access token once (through ``token_refresher``)."""
        try:
            return self.send(request)
        except AuthFailed as exc:
            if not exc.expired or not self.can_refresh():
                raise
        log.info("%s: access token expired; refreshing", self.account)
        self.use_credentials(self.token_refresher(self))
        return self.send(request)

    def can_refresh(self) -> bool:
        return False

    def use_credentials(self, credentials: dict) -> None:
        self.credentials = dict(credentials)

    def use_token_store(self, store: TokenStore) -> None:
        """Refresh expired tokens against ``store`` (under its lock, saving the fresh ones)."""
        self.token_refresher = store_refresher(store)

    @staticmethod
    def _refresh_in_place(connector: Connector) -> dict:
        fresh = connector.refresh_credentials()
        connector.credentials_changed = True
        return fresh

    def send(self, request: ApiRequest) -> ApiResponse:
        """THE one function doing HTTP: timeouts, retries with backoff and jitter (at least what
        Retry-After asks), error classification. Returns the checked answer or raises."""
        url = (request.base or self.base_url) + request.path
        hosts.check_request_url(self.channel, url, base_url=self.base_url)  # credentials go nowhere else
        body = request.body_bytes()
        last: ChannelError | None = None
        for attempt in range(self.max_attempts):
            paced = pacing.wait_before_call(self.quota_key(), reserve=self.quota_reserve)
            if paced > 0:
                if self.wait_limit is not None and paced > self.wait_limit:
                    raise RateLimited("the channel's calls for this second are used up", retry_after=paced,
                                      operation=request.operation)
                self.sleep(paced)
            params, auth_headers = self.authorize(request)
            headers = {**dict(request.headers), **auth_headers}
            if request.content_type:
                headers["Content-Type"] = request.content_type
            self.calls += 1
            pacing.note_call(self.quota_key())
            try:
                response = self.session.request(request.method, url, params=list(params), data=body or None,
                                                headers=headers,
                                                timeout=(self.connect_timeout, self.read_timeout))
            except requests.Timeout:
                error: ChannelError = Timeout(f"no answer within {self.read_timeout:g} s",
                                              operation=request.operation)
            except requests.ConnectionError as exc:
                error = Unavailable(f"connection failed: {exc.__class__.__name__}", operation=request.operation)
                error.__cause__ = exc  # refused, DNS or TLS: channels.health words it for the seller
            else:
                server_time = http_date(response.headers.get("Date"))
                if server_time is not None:
                    self.last_server_time = server_time
                try:
                    data = self._decode(request, response)
                    if response.status_code not in request.ok_statuses:
                        data = self.check(request, response, data)
                    self.after_response(response)
                    return ApiResponse(response.status_code, response.headers, data, server_time)
                except ChannelError as exc:
                    exc.operation = exc.operation or request.operation
                    if exc.status is None:
                        exc.status = response.status_code
                    error = exc
            if not error.retryable:
                raise error
            if not request.idempotent and not isinstance(error, RateLimited):
                # The write may have been applied: let the caller look before sending it again.
                raise Ambiguous(str(error), status=error.status, operation=request.operation) from error
            last = error
            if (self.wait_limit is not None and isinstance(error, RateLimited)
                    and (error.retry_after or 0) > self.wait_limit):
                raise error  # the caller comes back after the wait (a pull hands over: channels.pulls)
            if attempt + 1 >= self.max_attempts:
                break
            delay = backoff_delay(attempt, retry_after=error.retry_after)
            self.retries += 1
            log.info("%s: %s; retry %d in %.2f s", self.channel, error, attempt + 1, delay)
            self.sleep(delay)
        assert last is not None
        raise last

    def _decode(self, request: ApiRequest, response: requests.Response) -> Any:
        if response.status_code == 429:
            raise RateLimited(self.error_text(response) or "too many requests", status=429,
                              retry_after=parse_retry_after(response.headers.get("Retry-After")))
        if response.status_code >= 500:
            raise Unavailable(self.error_text(response) or "server error", status=response.status_code,
                              retry_after=parse_retry_after(response.headers.get("Retry-After")))
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            if response.status_code < 300:
                raise Malformed("the answer is not valid JSON", status=response.status_code) from None
            return None

    def error_text(self, response: requests.Response) -> str:
        try:
            data = response.json()
        except ValueError:
            return response.text[:200]
        return self.describe_error(data)[:300]

    def describe_error(self, data: Any) -> str:
        if isinstance(data, dict):
            for key in ("message", "error_description", "error", "detail"):
                if isinstance(data.get(key), str):
                    return data[key]
        return ""

    def after_response(self, response: requests.Response) -> None:  # noqa: B027 -- an optional hook
        """Hook after each good answer (e.g. ``pace`` by the channel's rate-limit headers)."""

    def stop_push_on(self, error: ChannelError, outcomes: list[PushOutcome]) -> None:
        """In ``push_stock``, after a batch's error: raise what stops the whole push. A wait longer
        than ``wait_limit`` stops it as ``PushPaused`` with the outcomes so far (the caller comes
        back after the wait); an error that isn't the listing's nor passing (credentials refused)
        is raised as it is. Otherwise the caller notes the batch's listings as failed."""
        if (self.wait_limit is not None and isinstance(error, RateLimited)
                and (error.retry_after or 0) > self.wait_limit):
            raise PushPaused(error.message, outcomes=outcomes, retry_after=error.retry_after,
                             operation=error.operation) from error
        if not error.retryable and not isinstance(error, Rejected):
            raise error

    def quota_key(self) -> tuple:
        """What the channel counts calls by (``pace``): the channel and its address by default."""
        return (self.channel, self.base_url)

    def pace(self, seconds: float) -> None:
        """The channel's quota is used up for ``seconds``: the next call on the same quota from
        this process (this connector's or a later job's) waits until then (``pacing``)."""
        pacing.pace(self.quota_key(), seconds)

    def quota_used_up(self, window: float, remaining: int = 0) -> None:
        """``remaining`` calls are left of those allowed per ``window`` s: none, or no more than this
        connector leaves to others (it waits until it can call and still leave them; ``pacing``)."""
        if remaining <= 0:
            pacing.used_up(self.quota_key(), window)
        if self.quota_reserve and remaining <= self.quota_reserve:
            pacing.used_up(self.quota_key(), window, reserve=self.quota_reserve + 1 - remaining)
