"""Columns of the order and package lists behind the figures and the at-risk lists.

The same columns feed the HTML table and the CSV export; times are in each account's own time
zone (the zone the figures are judged in): the page writes them in the one date format
(``sellerhub/datetimes.py``, naming the shop's zone when it is not the user's), the CSV in ISO 8601
with the shop's UTC offset.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.core.exceptions import ObjectDoesNotExist
from django.urls import NoReverseMatch, reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from metrics.definitions import LATE_DISPATCH, ON_TIME_DELIVERY, SELLER_FAULT_CANCELLATION, VALID_TRACKING
from metrics.selectors import LATE_DELIVERY, SHIPPED_NO_SCAN, UNDISPATCHED, UNSCANNED
from sellerhub import datetimes


def local_instant(value, account):
    """The instant in the account's time zone (an aware datetime), or "" for nothing."""
    if value is None:
        return ""
    try:
        tz = ZoneInfo(account.time_zone)
    except Exception:  # an unknown zone still shows the instant, in UTC
        tz = ZoneInfo("UTC")
    return value.astimezone(tz)


def local_time(value, account):
    """The instant as text in the account's time zone ("2026-03-10 23:59 +08"), or ""."""
    instant = local_instant(value, account)
    return instant.strftime("%Y-%m-%d %H:%M %Z") if instant else ""


def _page_cell(value):
    """A cell as the page shows it: instants in the one date format, in their shop's zone."""
    if isinstance(value, dt.datetime):
        return datetimes.format_shop_time(value, getattr(value.tzinfo, "key", None))
    return value


def duration(later, earlier):
    """'2 d 4 h' between two instants (negative: '-3 h')."""
    if later is None or earlier is None:
        return ""
    seconds = int((later - earlier).total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{sign}{days} d {hours} h"
    if hours:
        return f"{sign}{hours} h {minutes} min"
    return f"{sign}{minutes} min"


def _yes_no(value):
    return {True: "yes", False: "no", None: "not judged"}[value]


def _order_columns(*extra):
    return [
        ("Order", lambda o: o.external_id),
        ("Channel", lambda o: o.account.get_channel_display()),
        ("Account", lambda o: o.account.name),
        ("Status", lambda o: o.get_status_display()),
        ("Fulfilment", lambda o: o.fulfilment),
        *extra,
    ]


def package_handover(p):
    """The package's proof of handover (its SCAN form or manifest, and a booked pickup), or "none"."""
    try:
        h = p.handover
    except ObjectDoesNotExist:
        return "none"
    pickup = next((f"; pickup {x.confirmation}" for x in h.record.pickups.all() if x.status == "scheduled"), "")
    return f"{h.record.get_kind_display()} {h.record.reference} ({h.record.day:%Y-%m-%d}){pickup}"


def order_handover(o):
    proofs = [package_handover(p) for p in o.packages.all()]
    return "; ".join(x for x in proofs if x != "none") or "none"


def _t(attr):
    return lambda o: local_instant(getattr(o, attr), o.account)


ORDER_COLUMNS = {
    LATE_DISPATCH: _order_columns(
        ("Dispatch due", _t("dispatch_due_at")),
        ("Dispatched (first scan)", _t("dispatched_at")),
        ("Late by", lambda o: duration(o.dispatched_at, o.dispatch_due_at)
         if o.dispatched_at and o.dispatch_due_at and o.dispatched_at > o.dispatch_due_at else ""),
    ),
    ON_TIME_DELIVERY: _order_columns(
        ("Deliver by", _t("delivery_due_at")),
        ("Delivered", _t("delivered_at")),
        ("Late by", lambda o: duration(o.delivered_at, o.delivery_due_at)
         if o.delivered_at and o.delivery_due_at and o.delivered_at > o.delivery_due_at else ""),
    ),
    SELLER_FAULT_CANCELLATION: _order_columns(
        ("Placed", _t("created_at")),
        ("Paid", _t("paid_at")),
        ("Cancelled", _t("cancelled_at")),
        ("Cancelled by", lambda o: o.get_cancel_initiator_display() if o.cancel_initiator else ""),
        ("Reason", lambda o: o.cancel_reason),
    ),
    UNDISPATCHED: _order_columns(
        ("Dispatch due", _t("dispatch_due_at")),
        ("Tracking uploaded", _t("tracking_uploaded_at")),
        ("Paid", _t("paid_at")),
        ("Proof of handover", order_handover),
    ),
    SHIPPED_NO_SCAN: _order_columns(
        ("Dispatch due", _t("dispatch_due_at")),
        ("Tracking uploaded (shipped)", _t("tracking_uploaded_at")),
        ("Tracking", lambda o: o.tracking_number),
        ("Proof of handover", order_handover),
    ),
    LATE_DELIVERY: _order_columns(
        ("Deliver by", _t("delivery_due_at")),
        ("Dispatched (first scan)", _t("dispatched_at")),
        ("Tracking", lambda o: o.tracking_number),
    ),
}


def _pt(attr):
    return lambda p: local_instant(getattr(p, attr), p.order.account)


PACKAGE_COLUMNS = {
    VALID_TRACKING: [
        ("Order", lambda p: p.order.external_id),
        ("Channel", lambda p: p.order.account.get_channel_display()),
        ("Account", lambda p: p.order.account.name),
        ("Carrier", lambda p: p.carrier_name or p.carrier),
        ("Tracking number", lambda p: p.tracking_number),
        ("Format and check digit valid", lambda p: _yes_no(p.tracking_format_valid)),
        ("Tracking uploaded", _pt("tracking_uploaded_at")),
        ("First carrier scan", lambda p: local_instant(p.first_scan_at or p.order.dispatched_at, p.order.account)),
        ("Scan after upload", lambda p: duration(p.first_scan_at or p.order.dispatched_at, p.tracking_uploaded_at)),
    ],
    UNSCANNED: [
        ("Order", lambda p: p.order.external_id),
        ("Channel", lambda p: p.order.account.get_channel_display()),
        ("Account", lambda p: p.order.account.name),
        ("Carrier", lambda p: p.carrier_name or p.carrier),
        ("Tracking number", lambda p: p.tracking_number),
        ("Tracking uploaded", _pt("tracking_uploaded_at")),
        ("Dispatch due", lambda p: local_instant(p.order.dispatch_due_at, p.order.account)),
        ("Proof of handover", package_handover),
    ],
}


def columns_for(kind, is_package):
    return (PACKAGE_COLUMNS if is_package else ORDER_COLUMNS)[kind]


def order_url_builder():
    """A function giving an order's page in the orders app, or None while that page does not exist.
    The URL is resolved once and the id put in its place (a list of 50 rows resolved it 50 times)."""
    for name in ("orders:detail", "orders:order_detail", "orders:order"):
        try:
            pattern = reverse(name, args=[_PLACEHOLDER])
        except NoReverseMatch:
            continue
        before, after = pattern.split(str(_PLACEHOLDER), 1)
        return lambda pk: f"{before}{int(pk)}{after}"
    return None


_PLACEHOLDER = 918273645  # an id no path has otherwise


def table_markup(headers, rows):
    """The rows as an HTML table, each cell localized and escaped as the template language would
    show it, the first linked to its order: the metrics page draws its at-risk lists with it
    (the template language took several milliseconds for these few hundred cells)."""
    out = ["<table>\n      <thead><tr>"]
    out.extend(f'<th scope="col">{conditional_escape(localize(h))}</th>' for h in headers)
    out.append("</tr></thead>\n      <tbody>\n")
    for row in rows:
        cells = [conditional_escape(localize(cell)) for cell in row["cells"]]
        if cells and row.get("order_url"):
            cells[0] = format_html('<a href="{}">{}</a>', row["order_url"], cells[0])
        out.append("        <tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>\n")
    out.append("      </tbody>\n    </table>")
    return mark_safe("".join(out))  # noqa: S308 (every cell and header above is escaped)


def table_rows(objects, kind, is_package):
    columns = columns_for(kind, is_package)
    url_for = order_url_builder()
    rows = []
    for obj in objects:
        order = obj.order if is_package else obj
        rows.append({
            "cells": [_page_cell(getter(obj)) for _header, getter in columns],
            "order_url": url_for(order.pk) if url_for else None,
            "order_id": order.external_id,
        })
    return [header for header, _ in columns], rows
