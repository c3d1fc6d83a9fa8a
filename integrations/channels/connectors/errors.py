"""The errors of a channel call, by what the caller can do about them: retry later
(``retryable``), refresh or reconnect (``AuthFailed``), fix the request (``Rejected``), configure
the account (``NotConfigured``), or refuse a notification (``WebhookRejected``)."""

from __future__ import annotations

from typing import Any

from sellerhub import json_body


class ChannelError(Exception):
    """A call to a channel failed; ``retryable`` says whether trying again later may help."""

    retryable = False
    kind = "error"

    def __init__(self, message: str, *, status: int | None = None, code: str | int | None = None,
                 retry_after: float | None = None, operation: str = ""):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.retry_after = retry_after
        self.operation = operation

    def __str__(self):
        where = f"{self.operation}: " if self.operation else ""
        status = f" (HTTP {self.status})" if self.status else ""
        return f"{where}{self.message}{status}"


class RateLimited(ChannelError):
    retryable = True
    kind = "rate_limited"


class PushPaused(RateLimited):
    """A stock push stopped where the channel asked to wait longer than the caller sleeps through
    (``Connector.wait_limit``): ``outcomes`` are the listings' answers so far; the rest were not sent."""

    def __init__(self, message: str, *, outcomes: list, retry_after: float | None = None, operation: str = ""):
        super().__init__(message, status=429, retry_after=retry_after, operation=operation)
        self.outcomes = list(outcomes)


class Unavailable(ChannelError):
    """5xx or the connection dropped."""

    retryable = True
    kind = "unavailable"


class Timeout(ChannelError):
    retryable = True
    kind = "timeout"


class Malformed(ChannelError):
    """The answer is not the JSON the channel documents."""

    retryable = True
    kind = "malformed"


class Ambiguous(ChannelError):
    """A write may or may not have been applied (timeout or 5xx on a non-idempotent call)."""

    retryable = True
    kind = "ambiguous"


class AuthFailed(ChannelError):
    """The credentials were refused. ``expired`` when the channel says the token expired."""

    kind = "auth"

    def __init__(self, message: str, *, expired: bool = False, **kw: Any):
        super().__init__(message, **kw)
        self.expired = expired


class Rejected(ChannelError):
    """The channel refused the request (bad input, business rule): the same request won't pass."""

    kind = "rejected"


class NotConfigured(ChannelError):
    """The account lacks credentials or settings the connector needs."""

    kind = "not_configured"


class WebhookRejected(Exception):
    """The notification's signature (or shape) is wrong: answer 401 and change nothing."""


class WebhookMalformed(WebhookRejected):
    """The signature is good but the body is not a JSON object: answer 400 and change nothing."""


def webhook_json(body) -> dict:
    """The signed body as a JSON object (the one JSON reader), or ``WebhookMalformed``."""
    try:
        return json_body.loads_object(body)
    except json_body.BadJson as exc:
        raise WebhookMalformed(str(exc)) from None
