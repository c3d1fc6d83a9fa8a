"""Columns of the order lists behind the after-sales figures and of the decisions-due list.

The same columns feed the HTML table and the CSV export; times show in each account's own time
zone. The rows come from ``metrics/selectors/after_sales.py`` with the requests and returns that
put each order in the figure already prefetched (``counted_requests``, ``counted_returns``).
"""

from metrics.after_sales_definitions import (
    CANCELLATIONS_BY_REASON,
    DECIDED,
    LATE,
    NON_BUYER_FAULT_RETURNS,
    NUMERATOR,
    RESPONSE_TIME,
)
from metrics.tables import duration, local_time, order_url_builder


def _order(*extra):
    return [
        ("Order", lambda o: o.external_id),
        ("Channel", lambda o: o.account.get_channel_display()),
        ("Account", lambda o: o.account.name),
        ("Status", lambda o: o.get_status_display()),
        *extra,
    ]


def _t(attr):
    return lambda o: local_time(getattr(o, attr), o.account)


def _each(attr, text):
    """One cell listing every counted request or return of the order ("; "-separated)."""
    return lambda o: "; ".join(text(x, o) for x in getattr(o, attr, []))


def _returns_cell(ret, order):
    fault = {True: "not the buyer's fault", False: "buyer's fault", None: "fault unknown"}[ret.seller_fault]
    where = "local" if ret.account_id is None else (ret.channel_status or "channel")
    asked = local_time(ret.requested_at or ret.created_at, order.account)
    return f"{ret.get_kind_display()} ({where}), {asked}: {ret.reason} [{fault}]"


def result_of(item):
    if item.auto_approved:
        return "late: approved by the channel"
    if item.respond_by is None:
        return "no deadline"
    return "on time" if item.closed <= item.respond_by else "late"


def _decision_cell(label):
    def cell(item, order):
        took = duration(item.closed, item.requested_at)
        return (f"{label} {item.external_id or item.pk}: asked {local_time(item.requested_at, order.account)}, "
                f"due {local_time(item.respond_by, order.account) or 'no deadline'}, "
                f"decided {local_time(item.closed, order.account)} after {took} ({result_of(item)})")
    return cell


RETURN_RATE_COLUMNS = _order(
    ("Placed", _t("created_at")),
    ("Paid", _t("paid_at")),
    ("Returns against the seller", _each("counted_returns", _returns_cell)),
)
PLACED_COLUMNS = _order(("Placed", _t("created_at")), ("Paid", _t("paid_at")), ("Cancelled", _t("cancelled_at")))
RESPONSE_COLUMNS = _order(
    ("Placed", _t("created_at")),
    ("Cancellation requests", _each("counted_requests", _decision_cell("request"))),
    ("Returns", _each("counted_returns", _decision_cell("return"))),
)
CANCELLATION_COLUMNS = _order(
    ("Placed", _t("created_at")),
    ("Cancelled", _t("cancelled_at")),
    ("Cancelled by", lambda o: o.get_cancel_initiator_display() if o.cancel_initiator else ""),
    ("Reason code", lambda o: o.get_cancel_reason_code_display() if o.cancel_reason_code else "none (from the "
                                                                                               "initiator)"),
    ("Reason", lambda o: o.cancel_reason),
)


def columns_for(key, part):
    if key == NON_BUYER_FAULT_RETURNS:
        return RETURN_RATE_COLUMNS if part == NUMERATOR else PLACED_COLUMNS
    if key == RESPONSE_TIME and part in (LATE, DECIDED):
        return RESPONSE_COLUMNS
    if key == CANCELLATIONS_BY_REASON:
        return CANCELLATION_COLUMNS
    return PLACED_COLUMNS


def table_rows(objects, columns):
    url_for = order_url_builder()
    rows = [{"cells": [getter(o) for _h, getter in columns], "order_url": url_for(o.pk) if url_for else None,
             "order_id": o.external_id} for o in objects]
    return [header for header, _ in columns], rows


# Decisions due (DueItem rows from metrics/selectors/after_sales_due.py)

DUE_COLUMNS = [
    ("Order", lambda i: i.order_external_id),
    ("Channel", lambda i: i.channel_label),
    ("Account", lambda i: i.account_name),
    ("What", lambda i: i.kind_label),
    ("Reason", lambda i: i.reason),
    ("Respond by", lambda i: local_time(i.respond_by, i)),
    ("Time left", lambda i: i.time_left_text),
]


def due_rows(items):
    url_for = order_url_builder()
    rows = [{"cells": [getter(i) for _h, getter in DUE_COLUMNS], "order_url": url_for(i.order_id) if url_for else None,
             "order_id": i.order_external_id, "overdue": i.overdue, "hours_left": i.hours_left} for i in items]
    return [header for header, _ in DUE_COLUMNS], rows
