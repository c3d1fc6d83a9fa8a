"""Pulling a channel account's orders: ``pull_orders_job(account_id)`` fetches the orders changed
since the account's cursor, page by page. Each page is stored in one transaction
(``orders.services.page_ingest``; when that fails, its orders one by one, to find the culprit)
before the cursor moves past it, so a killed worker loses nothing and a rerun duplicates nothing.
Scheduled every minute (``jobs.pull_all``), requested by webhooks, and run by "Sync now". No
transaction is held across an HTTP call.

An order that fails to store for an unexpected reason (a payload the database refuses...) is
fetched again by id on the next pulls, with its attempts and last error kept in the cursor
(``position["retry_ids"]``: {external id: {"attempts", "error", "updated", "given_up", "at"}}).
After ``CHANNEL_SYNC_MAX_STORE_ATTEMPTS`` (default 5) attempts it is refused with its reason:
logged as an error (the alarm), shown as refused in the run on the Sync log page, and no longer
tried while the channel sends it unchanged (a new version of the order gets new attempts).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import traceback
from collections import Counter

from django.conf import settings
from django.utils import timezone

from channels import coordination, health, refunds, selectors, services
from channels.job_requests import request_pull, request_pull_later
from channels.models import SyncRun
from channels.token_refresh import open_connector
from integrations.channels.connectors import ChannelError, RateLimited, Rejected, Unavailable
from orders.mapping import PayloadError, map_order
from orders.services import OrderError
from orders.services.page_ingest import store_page
from sellerhub.models import ChannelAccount

log = logging.getLogger("channels")

Kind, Trigger, Status = SyncRun.Kind, SyncRun.Trigger, SyncRun.Status

# Test hook: called after each stored page as ``hook(account, page_number)``; the acceptance
# tests raise from it to stop a pull between pages, as a killed worker would.
after_page_hook = None


def _setting(name, default):
    return getattr(settings, name, default)


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value else None


def _parse(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _discover_square_listings(account, connector, mapped) -> None:
    """Square lines carry only a variation id: make sure each has a listing (SKU from the catalog)."""
    variant_ids = {line.channel_variant_id for order in mapped for line in order.lines if line.channel_variant_id}
    unknown = variant_ids - selectors.known_variant_ids(account, variant_ids)
    if unknown:
        services.import_listings(account=account, listings=connector.lookup_variations(sorted(unknown)))


def store_missing_orders(account: ChannelAccount, external_ids, *, connector, source: str = "sync") -> list[str]:
    """Fetch and store the orders of ``external_ids`` that SellerHub doesn't hold yet (an after-sales
    case can name an order before the order pull has brought it). Returns the ids it fetched."""
    wanted = set(external_ids)
    held = set(account.orders.filter(external_id__in=wanted).values_list("external_id", flat=True))
    missing = sorted(wanted - held)
    if missing:
        store_payloads(account, connector.fetch_order_payloads(missing), connector=connector, source=source)
    return missing


def store_payloads(account: ChannelAccount, payloads: list[dict], *, connector=None, source: str = "sync",
                   tick=None, skip: dict | None = None) -> dict:
    """Map and upsert one page of the channel's orders. Returns {"counts", "rejected", "retry"}:
    rejected payloads (the mapping or the order rules refuse them; the same payload would fail
    again) and (id, reason, update time) to fetch again next time (an unexpected error while
    storing). ``skip``: {id: update time} of orders refused after too many attempts, not tried
    again while unchanged."""
    counts: Counter = Counter()
    rejected: list[tuple[str, str]] = []
    retry: list[tuple[str, str, str | None]] = []
    mapped = []
    for payload in payloads:
        try:
            mapped.append(map_order(account.channel, payload))
        except PayloadError as exc:
            ext = str(payload.get("id") or payload.get("receipt_id") or "?") if isinstance(payload, dict) else "?"
            rejected.append((ext, str(exc)))
    if account.channel == "square" and connector is not None and mapped:
        _discover_square_listings(account, connector, mapped)
    stored = selectors.stored_versions(account, [m.external_id for m in mapped])
    todo = []
    for incoming in mapped:
        if skip and incoming.external_id in skip and skip[incoming.external_id] == _iso(incoming.updated_at):
            counts["refused_earlier"] += 1  # given up after too many attempts; unchanged since
            continue
        known = stored.get(incoming.external_id)
        if known is not None:
            updated_at, created_at, raw = known
            if updated_at == incoming.updated_at and raw == incoming.raw:
                counts["unchanged"] += 1  # what the upsert would say, without its transaction
                continue
            if created_at and abs((created_at - incoming.created_at).total_seconds()) > 1:
                rejected.append((incoming.external_id,
                                 f"the channel sent order {incoming.external_id} with another creation time "
                                 f"({incoming.created_at:%Y-%m-%d %H:%M} UTC, stored {created_at:%Y-%m-%d %H:%M} "
                                 f"UTC): an order id reused by the channel; not applied"))
                continue
        todo.append(incoming)
    if todo:
        if tick is not None:
            tick()  # a long page keeps the job's lock
        results = None
        if len(todo) > 1:  # a page of one goes straight to the one-by-one path: its error is the order's
            try:
                results = store_page(account=account, incoming=todo, source=source)
            except Exception:  # noqa: BLE001 -- the page is rolled back; its orders one by one say which failed
                log.info("storing a page of %s orders of %s failed; storing them one by one", len(todo), account)
        if results is not None:
            counts.update(result.outcome for result in results)
        else:
            _store_one_by_one(account, todo, source=source, counts=counts, rejected=rejected, retry=retry)
    counts["rejected"] += len(rejected)
    return {"counts": counts, "rejected": rejected, "retry": retry}


def _store_one_by_one(account, todo, *, source, counts, rejected, retry) -> None:
    """Each order of a failed page as a page of one: refused ones are rejected (the same payload
    would fail again), unexpected errors are fetched again next time."""
    for incoming in todo:
        try:
            result = store_page(account=account, incoming=[incoming], source=source)[0]
        except (PayloadError, OrderError) as exc:
            rejected.append((incoming.external_id, str(exc)))
            continue
        except Exception as exc:
            log.exception("storing %s order %s failed; it is fetched again next time", account, incoming.external_id)
            retry.append((incoming.external_id, f"{exc.__class__.__name__}: {exc}".strip()[:500],
                          _iso(incoming.updated_at)))
            continue
        counts[result.outcome] += 1


def pull_slice_seconds() -> float:
    """How long one pull job stores pages before it hands the rest of the window to a follow-up
    pull (``CHANNEL_SYNC_PULL_SLICE_SECONDS``, default 2): the jobs queued meanwhile (a stock
    push...) run in between, instead of waiting for a whole backlog. 0: no limit."""
    value = float(_setting("CHANNEL_SYNC_PULL_SLICE_SECONDS", 2.0))
    return value if value > 0 else float("inf")


def _end_early(run, pages, counts, rejected, ok, why: str) -> str:
    """Record a pull that stops before the window's end (the cursor holds where the next page
    starts); returns the run's message."""
    message = f"{ok} orders read: {counts['created']} new, {counts['updated']} updated; {why}"
    services.finish_run(run=run, status=Status.PARTIAL if rejected else Status.SUCCEEDED, items_ok=ok,
                        items_failed=len(rejected), counts=dict(counts), pages=pages, message=message,
                        error="\n".join(f"{ext}: {reason}" for ext, reason in rejected[:50]))
    return message


def _hand_over(account, run, pages, counts, rejected, ok) -> dict:
    """The slice is over and more pages follow: a follow-up pull, queued behind what waits now,
    carries on from the cursor."""
    message = _end_early(run, pages, counts, rejected, ok, "more pages follow in the next pull")
    coordination.mark_pending("pull", account.pk)  # pull_orders requests the follow-up when it lets go
    return {"message": message, "run": run.pk, "pages": pages, "continued": True, **counts}


def pull_wait_limit() -> float:
    """The longest ``Retry-After`` a queued pull sleeps through (``CHANNEL_SYNC_PULL_MAX_WAIT``,
    default 0.5 s). A channel that asks for a longer wait (429) ends the pull where it is: the
    cursor holds where the next page starts, a follow-up pull is scheduled for when the wait is
    over, and the worker meanwhile runs the other jobs (another account's pull, a stock push)
    instead of sleeping. Sync now, which a person watches, sleeps through every wait."""
    return max(0.0, float(_setting("CHANNEL_SYNC_PULL_MAX_WAIT", 0.5)))


def _pause(account, run, pages, counts, rejected, ok, seconds: float, trigger) -> dict:
    """The channel asked to wait ``seconds`` (see ``pull_wait_limit``)."""
    message = _end_early(run, pages, counts, rejected, ok,
                         f"the channel asked to wait {seconds:g} s (429), the next pull carries on then")
    coordination.hold("pull", account.pk, seconds)  # a pull requested meanwhile waits too
    request_pull_later(account.pk, seconds, trigger)
    return {"message": message, "run": run.pk, "pages": pages, "paused": seconds, **counts}


def max_store_attempts() -> int:
    return max(1, int(_setting("CHANNEL_SYNC_MAX_STORE_ATTEMPTS", 5)))


MAX_GIVEN_UP_KEPT = 200


def _earlier_retries(value) -> dict[str, dict]:
    """The cursor's failed orders: {external id: {"attempts", "error", "updated", "given_up", "at"}}
    (a plain list of ids before)."""
    if not isinstance(value, dict):
        return {str(ext): {"attempts": 1, "error": "", "updated": None, "given_up": False, "at": None}
                for ext in value or []}
    out = {}
    for ext, entry in value.items():
        entry = entry if isinstance(entry, dict) else {}
        out[str(ext)] = {"attempts": int(entry.get("attempts") or 1), "error": str(entry.get("error") or ""),
                         "updated": entry.get("updated"), "given_up": bool(entry.get("given_up")),
                         "at": entry.get("at")}
    return out


def _kept(entries: dict[str, dict]) -> dict[str, dict]:
    """What the cursor keeps: every order to fetch again, and the latest refused ones."""
    given_up = sorted((e.get("at") or "", ext) for ext, e in entries.items() if e["given_up"])
    dropped = {ext for _at, ext in given_up[:-MAX_GIVEN_UP_KEPT]}
    return {ext: e for ext, e in entries.items() if ext not in dropped}


def _new_since(since: dt.datetime, position: dict) -> dt.datetime:
    """Where the next window starts: no later than when this one started on the channel's clock
    (an order changed during the scan may have been passed already) nor than the newest change
    seen, minus a look-back for the channel's eventual consistency; never earlier than before."""
    started = _parse(position.get("started")) or timezone.now()
    newest = _parse(position.get("max"))
    candidate = min(newest, started) if newest else started
    lookback = dt.timedelta(seconds=_setting("CHANNEL_SYNC_LOOKBACK_SECONDS", 60))
    return max(since, candidate - lookback)


def pull_orders(account: ChannelAccount, *, trigger: str = Trigger.SCHEDULE, job_run_id=None, user=None,
                retry_of=None, report=None, wait_for_lock: float = 0.0, defer_waits: bool = False) -> dict:
    """Fetch and store the account's changed orders (see the module docstring). ``report`` is
    called as report(percent, message) after each page (the Sync now page's progress).
    ``defer_waits``: a channel's long Retry-After ends the pull instead (``pull_wait_limit``)."""
    lock = coordination.AccountLock("pull", account.pk)
    if not lock.acquire(wait=wait_for_lock):
        coordination.mark_pending("pull", account.pk)
        return {"skipped": True, "message": "Another pull of this account is running; it picks up the changes."}
    try:
        coordination.take_pending("pull", account.pk)
        return _pull_locked(account, lock, trigger=trigger, job_run_id=job_run_id, user=user, retry_of=retry_of,
                            report=report, defer_waits=defer_waits)
    finally:
        lock.release()
        if coordination.is_pending("pull", account.pk):
            request_pull(account.pk, Trigger.WEBHOOK)


def _pull_locked(account, lock, *, trigger, job_run_id, user, retry_of, report, defer_waits=False) -> dict:
    services.interrupt_stale_runs(account=account, kind=Kind.PULL_ORDERS)
    cursor = services.ensure_cursor(account=account)
    run = services.start_run(account=account, kind=Kind.PULL_ORDERS, trigger=trigger, job_run_id=job_run_id,
                             user=user, retry_of=retry_of, cursor_before=_iso(cursor.since) or "")
    counts: Counter = Counter()
    rejected: list[tuple[str, str]] = []
    failures: dict[str, dict] = {}  # kept in the cursor: to fetch again, or refused after N attempts
    earlier: dict[str, dict] = {}
    pages = 0
    connector = None

    def retry_ids() -> dict[str, dict]:
        return {ext: e for ext, e in failures.items() if not e["given_up"]}

    def note_page(result):
        counts.update(result["counts"])
        rejected.extend(result["rejected"])
        for ext, reason, updated in result["retry"]:
            previous = failures.get(ext) or earlier.get(ext) or {}
            attempts = (0 if previous.get("given_up") else previous.get("attempts", 0)) + 1
            given_up = attempts >= max_store_attempts()
            failures[ext] = {"attempts": attempts, "error": reason, "updated": updated, "given_up": given_up,
                             "at": _iso(timezone.now())}
            if given_up:
                log.error("ALARM: %s order %s could not be stored after %s attempts; refused, not tried again "
                          "until it changes: %s", account, ext, attempts, reason)
                rejected.append((ext, f"could not be stored after {attempts} attempts; not tried again until the "
                                      f"channel changes it: {reason}"))

    def ok_items():
        return sum(counts[k] for k in ("created", "updated", "unchanged", "stale"))

    slice_ends = time.monotonic() + pull_slice_seconds()
    try:
        connector = open_connector(account, lock)
        if defer_waits:
            connector.wait_limit = pull_wait_limit()
        # A few of each second's calls (Etsy's quota) stay free for the stock pushes.
        connector.quota_reserve = max(0, int(_setting("CHANNEL_SYNC_PULL_LEAVES_CALLS", 2)))
        connector.unchanged_filter = lambda times: selectors.unchanged_ids(account, times)
        position = dict(cursor.position or {})
        earlier.update(_earlier_retries(position.pop("retry_ids", None)))
        failures.update({ext: e for ext, e in earlier.items() if e["given_up"]})  # remembered, not fetched
        skip = {ext: e["updated"] for ext, e in failures.items()}
        again = sorted(ext for ext, e in earlier.items() if not e["given_up"])
        if again:  # orders that failed to store last time: fetch them again by id
            note_page(store_payloads(account, connector.fetch_order_payloads(again), connector=connector,
                                     tick=lock.extend))
        initial = timezone.now() - dt.timedelta(days=_setting("CHANNEL_SYNC_INITIAL_DAYS", 7))
        if position.get("window") and position.get("resume"):
            since, resume = _parse(position["window"]), position["resume"]  # carry on after an interruption
        else:
            since, resume = cursor.since or initial, None
            position = {"window": _iso(since)}
        restarted = False
        while True:
            fetched_this_try = 0
            try:
                window_start = timezone.now()
                for page in connector.iter_order_pages(since=since, resume=resume):
                    fetched_this_try += 1
                    result = store_payloads(account, page.payloads, connector=connector, tick=lock.extend, skip=skip)
                    result["counts"]["unchanged"] += page.unchanged
                    note_page(result)
                    # The page is stored: only now may the cursor move past it.
                    position.setdefault("started", _iso(connector.last_server_time or window_start))
                    if page.max_updated:
                        seen = _parse(position.get("max"))
                        position["max"] = _iso(max(page.max_updated, seen) if seen else page.max_updated)
                    position["resume"] = page.resume
                    if failures:
                        position["retry_ids"] = _kept(failures)
                    services.save_position(cursor=cursor, position=position)
                    pages += 1
                    message = f"Page {pages}: {ok_items()} orders read, {counts['created']} new"
                    services.heartbeat(run=run, pages=pages, items_ok=ok_items(), items_failed=len(rejected),
                                       counts=dict(counts), message=message)
                    if report:
                        report(min(95, 5 + pages * 10), message)
                    if not lock.extend():
                        raise Unavailable("the pull's lock expired; another job may have taken over")
                    if after_page_hook is not None:
                        after_page_hook(account, pages)
                    if page.resume and time.monotonic() > slice_ends:
                        return _hand_over(account, run, pages, counts, rejected, ok_items())
                break
            except Rejected:
                # A page token the channel no longer knows (it expired while we were away):
                # start the window again from its beginning, once.
                if resume is None or fetched_this_try or restarted:
                    raise
                restarted, resume, position = True, None, {"window": _iso(since)}
        new_since = _new_since(since, position)
        services.complete_window(cursor=cursor, since=new_since, retry_ids=_kept(failures) or None)
        pending = retry_ids()
        status = Status.PARTIAL if (rejected or pending) else Status.SUCCEEDED
        message = (f"{ok_items()} orders read: {counts['created']} new, {counts['updated']} updated, "
                   f"{counts['unchanged'] + counts['stale']} unchanged"
                   + (f", {len(rejected)} refused" if rejected else "")
                   + (f", {len(pending)} to fetch again" if pending else "")
                   + (f", {counts['refused_earlier']} refused earlier" if counts["refused_earlier"] else ""))
        error = "\n".join([f"{ext}: {reason}" for ext, reason in rejected[:50]]
                          + [f"{ext}: not stored (attempt {entry['attempts']} of {max_store_attempts()}), fetched "
                             f"again next time: {entry['error']}" for ext, entry in list(pending.items())[:50]])
        services.finish_run(run=run, status=status, items_ok=ok_items(), items_failed=len(rejected) + len(pending),
                            counts=dict(counts), message=message, error=error, pages=pages,
                            retryable=bool(pending) if status == Status.PARTIAL else None,
                            cursor_after=_iso(new_since) or "")
        health.record_success(account=account)
        return {"message": message, "run": run.pk, "pages": pages, **counts}
    except ChannelError as exc:
        if defer_waits and isinstance(exc, RateLimited) and exc.retry_after:
            return _pause(account, run, pages, counts, rejected, ok_items(), exc.retry_after, trigger)
        services.record_pull_failure(cursor=cursor, error=str(exc))
        health.record_failure(account=account, error=exc, operation="order pull")
        services.finish_run(run=run, status=Status.FAILED, items_ok=ok_items(), items_failed=len(rejected),
                            counts=dict(counts), pages=pages, message=f"Stopped after {pages} page(s): {exc}",
                            error=str(exc), retryable=exc.retryable, cursor_after=_iso(cursor.since) or "")
        return {"message": f"Failed: {exc}", "run": run.pk, "failed": True, "pages": pages, **counts}
    except Exception as exc:
        services.record_pull_failure(cursor=cursor, error=f"{exc.__class__.__name__}: {exc}")
        services.finish_run(run=run, status=Status.FAILED, items_ok=ok_items(), counts=dict(counts), pages=pages,
                            message=f"Stopped after {pages} page(s): an internal error",
                            error=traceback.format_exc()[-4000:], retryable=True)
        raise
    finally:
        if connector is not None:
            connector.close()


def pull_orders_job(account_id: int, trigger: str = Trigger.SCHEDULE) -> dict:
    coordination.started("pull", account_id)
    account = ChannelAccount.objects.filter(pk=account_id, active=True).first()
    if account is None:
        return {"message": "account gone or inactive"}
    waiting = health.skip_reason(account_id, trigger, account=account)  # a failing account waits for its retry
    if waiting:
        return {"message": f"not pulled: {waiting}", "skipped": True}
    held = coordination.held_for("pull", account_id)
    if held:  # the channel asked to wait (429): the pull scheduled for then stands for this one
        request_pull_later(account_id, held, trigger)
        return {"message": f"not pulled: the channel asked to wait; the next pull runs in {held:.1f} s",
                "skipped": True}
    result = pull_orders(account, trigger=trigger, defer_waits=True)
    if result.get("created") or result.get("updated"):
        refunds.after_orders_changed(account)  # new refunds come with changed orders
    return result
