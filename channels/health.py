"""Channel health: the state of each account's connection, and what the sync jobs do about it.

An account is ``connected``, ``failing`` (since when, the last error in the seller's words, the
next retry), ``needs_reauth`` (the channel refused its credentials or the seller withdrew the
authorisation), ``paused`` or ``disconnected`` (``ChannelAccount.State``). ``active`` follows the
state: connected and failing accounts sync, the others do not, so every reader of ``active``
(the schedules, the webhook endpoints, the FBT jobs) stops with them.

A failing account backs off exponentially: after the n-th failure in a row the scheduled pulls,
pushes and token refreshes skip it for ``min(base * 2**(n-1), cap)`` minutes (1, 2, 4 ... 60 by
default; ``CHANNEL_HEALTH_BACKOFF_MINUTES`` and ``CHANNEL_HEALTH_BACKOFF_CAP_MINUTES``) instead of
holding a worker every minute. Each attempt is logged ("channels" logger) with its time and the
next retry, so the growing gaps show in the log. The first success makes it connected again.

Writes (the services) are keyword-only, one transaction each; the reads (``is_due``,
``due_ids``, ``expiring_authorisations``) are the selectors the jobs and pages use. Errors are
worded by ``channels.health_words``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from channels import job_requests
from channels.health_words import describe
from integrations.channels.connectors import AuthFailed, ChannelError
from sellerhub.models import ChannelAccount

log = logging.getLogger("channels")

State = ChannelAccount.State
SYNCING = (State.CONNECTED, State.FAILING)
# The time the backoff is reckoned in (tests freeze it here).
clock = timezone.now
# Triggers that run whatever the account's backoff says: a person asked for them.
ON_DEMAND = ("manual", "retry")


class HealthError(ValueError):
    """A change of an account's connection state that cannot be made; the message says why."""


def backoff(failures: int) -> dt.timedelta:
    """How long the scheduled jobs leave an account alone after ``failures`` failures in a row."""
    base = float(getattr(settings, "CHANNEL_HEALTH_BACKOFF_MINUTES", 1))
    cap = float(getattr(settings, "CHANNEL_HEALTH_BACKOFF_CAP_MINUTES", 60))
    return dt.timedelta(minutes=min(cap, base * 2 ** max(0, failures - 1)))


# ---------------------------------------------------------------------------------------------
# Selectors


def is_due(account: ChannelAccount, *, now: dt.datetime | None = None) -> bool:
    """Whether a scheduled job may call the channel for this account now."""
    if account.state not in SYNCING or not account.active:
        return False
    if account.state == State.FAILING and account.next_retry_at is not None:
        return account.next_retry_at <= (now or clock())
    return True


def due_ids(account_ids: Iterable[int], *, now: dt.datetime | None = None) -> list[int]:
    """The accounts among ``account_ids`` a scheduled job may call now (one query)."""
    now = now or clock()
    return list(ChannelAccount.objects.filter(pk__in=list(account_ids), active=True, state__in=SYNCING)
                .filter(Q(state=State.CONNECTED) | Q(next_retry_at__isnull=True) | Q(next_retry_at__lte=now))
                .order_by("pk").values_list("pk", flat=True))


def skip_reason(account_id: int, trigger: str, *, now: dt.datetime | None = None,
                account: ChannelAccount | None = None) -> str:
    """Why a job requested by ``trigger`` should not call the channel now ("" to go ahead).
    ``account``: the account as the job just read it (not read again)."""
    if str(trigger) in ON_DEMAND:
        return ""
    if account is None or account.pk != account_id:
        account = ChannelAccount.objects.filter(pk=account_id).first()
    if account is None:
        return "account gone"
    if is_due(account, now=now):
        return ""
    if account.state == State.FAILING:
        return f"failing: next retry at {timezone.localtime(account.next_retry_at):%H:%M:%S}"
    return f"account {account.get_state_display().lower()}"


def expiring_authorisations():
    """Accounts whose seller's authorisation ends soon (TikTok told us) or has been withdrawn (the
    banner on every page: without the credentials, which would be decrypted for each)."""
    return (ChannelAccount.objects.filter(Q(authorization_expires_at__isnull=False) | Q(state=State.NEEDS_REAUTH))
            .exclude(state=State.DISCONNECTED, authorization_expires_at__isnull=True)
            .defer("credentials").order_by("authorization_expires_at", "pk"))


# ---------------------------------------------------------------------------------------------
# Services


def _set(account_id: int, **fields) -> int:
    return ChannelAccount.objects.filter(pk=account_id).update(**fields)


def record_failure(*, account: ChannelAccount, error: ChannelError | Exception, operation: str = "",
                   now: dt.datetime | None = None) -> ChannelAccount:
    """A call to the channel failed: the account is failing (or needs re-authorisation when the
    channel refused the credentials), and the scheduled jobs leave it alone until its next retry."""
    now = now or clock()
    words = describe(error, account=account)
    with transaction.atomic():
        current = ChannelAccount.objects.filter(pk=account.pk).values(
            "state", "failures", "failing_since", "active").first()
        if current is None or current["state"] not in SYNCING:
            return account  # paused or disconnected meanwhile: nothing to back off from
        failures = current["failures"] + 1
        fields = {"failures": failures, "last_attempt_at": now, "last_error": words[:500],
                  "failing_since": current["failing_since"] or now}
        if isinstance(error, AuthFailed) and not getattr(error, "expired", False):
            fields.update(state=State.NEEDS_REAUTH, active=False, next_retry_at=None, state_changed_at=now)
        else:
            fields.update(state=State.FAILING, next_retry_at=now + backoff(failures))
            if current["state"] != State.FAILING:
                fields["state_changed_at"] = now
        _set(account.pk, **fields)
    for key, value in fields.items():
        setattr(account, key, value)
    if account.state == State.NEEDS_REAUTH:
        log.warning("%s needs re-authorisation: attempt at %s (%s) failed: %s", account, now.isoformat(),
                    operation or "call", words)
    else:
        log.warning("%s failing since %s: attempt %d at %s (%s) failed: %s; next retry at %s (in %s)", account,
                    account.failing_since.isoformat(), failures, now.isoformat(), operation or "call",
                    words.rstrip("."),
                    account.next_retry_at.isoformat(), _minutes(account.next_retry_at - now))
    return account


def _minutes(delta: dt.timedelta) -> str:
    minutes = delta.total_seconds() / 60
    return f"{minutes:g} min"


def record_success(*, account: ChannelAccount, now: dt.datetime | None = None) -> bool:
    """A call to the channel worked: a failing account is connected again. True if it was failing."""
    now = now or clock()
    changed = ChannelAccount.objects.filter(pk=account.pk, state=State.FAILING).update(
        state=State.CONNECTED, failures=0, failing_since=None, next_retry_at=None, last_error="",
        last_attempt_at=now, state_changed_at=now)
    if changed:
        log.info("%s connected again at %s after %d failed attempt(s)", account, now.isoformat(), account.failures)
        account.state, account.failures, account.failing_since, account.next_retry_at, account.last_error = (
            State.CONNECTED, 0, None, None, "")
    return bool(changed)


def mark_connected(*, account: ChannelAccount, catch_up: bool = False, now: dt.datetime | None = None) -> None:
    """The connection was tested and works (connect, reconnect): it syncs again; with ``catch_up``
    (Reconnect) a pull and a stock push are requested at once rather than at the next minute."""
    now = now or clock()
    with transaction.atomic():
        _set(account.pk, state=State.CONNECTED, active=True, failures=0, failing_since=None, next_retry_at=None,
             last_error="", last_attempt_at=now, state_changed_at=now)
        if catch_up:
            job_requests.request_pull(account.pk, "manual")
            job_requests.request_stock_push(account.pk, "manual")
    account.state, account.active = State.CONNECTED, True
    log.info("%s connected at %s", account, now.isoformat())


def pause(*, account: ChannelAccount, reason: str = "", now: dt.datetime | None = None) -> None:
    """Stop syncing without forgetting anything (saved untested, or the test failed)."""
    now = now or clock()
    _set(account.pk, state=State.PAUSED, active=False, next_retry_at=None, state_changed_at=now,
         last_error=(reason or "")[:500])
    account.state, account.active = State.PAUSED, False
    log.info("%s paused at %s%s", account, now.isoformat(), f": {reason}" if reason else "")


def disconnect(*, account: ChannelAccount, user=None, now: dt.datetime | None = None) -> None:
    """Disconnect: no job calls the channel any more; orders, listings and the sync log stay."""
    now = now or clock()
    _set(account.pk, state=State.DISCONNECTED, active=False, next_retry_at=None, failures=0, failing_since=None,
         state_changed_at=now)
    account.state, account.active = State.DISCONNECTED, False
    log.info("%s disconnected at %s%s", account, now.isoformat(), f" by {user}" if user else "")


def mark_deauthorized(*, account: ChannelAccount, message: str = "", now: dt.datetime | None = None) -> None:
    """The seller withdrew the app's authorisation on the channel (TikTok type 6): jobs stop
    until the Owner authorises again and reconnects."""
    now = now or clock()
    words = (f"The seller withdrew SellerHub's authorisation on {account.get_channel_display()}"
             + (f" ({message.strip().rstrip('.')})" if message.strip() else "")
             + ". Authorise the app again in the channel's seller center, then Reconnect.")
    _set(account.pk, state=State.NEEDS_REAUTH, active=False, next_retry_at=None, last_error=words[:500],
         state_changed_at=now)
    account.state, account.active, account.last_error = State.NEEDS_REAUTH, False, words[:500]
    log.warning("%s deauthorised at %s: jobs stopped", account, now.isoformat())


def note_authorization_expiry(*, account: ChannelAccount, expires_at: dt.datetime | None) -> None:
    """TikTok says the seller's authorisation ends at ``expires_at`` (type 7; None clears it)."""
    _set(account.pk, authorization_expires_at=expires_at)
    account.authorization_expires_at = expires_at


def counts_against_account(error: ChannelError) -> bool:
    """Whether a failed per-item call (one tracking upload) says the connection itself is broken,
    rather than that one item was refused."""
    return isinstance(error, AuthFailed) or bool(error.retryable) or getattr(error, "status", None) in (401, 403)
