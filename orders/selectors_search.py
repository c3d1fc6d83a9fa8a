"""The order search of the queue and the API: order number or id, buyer (name or email, and the
ship-to name), SKU (ours or the channel's) or tracking number (the order's or a package's).

Every text column searched is a case-insensitive substring match (``icontains``). On PostgreSQL
the columns have pg_trgm GIN indexes (orders/migrations/0010_search_indexes.py, and
fulfilment/migrations/0012_label_speed.py for packages) built on exactly the expression Django
writes for ``icontains`` (``UPPER("column"::text)``), so the same lookups are served by the
indexes; and the condition is shaped so PostgreSQL can use them: the orders' own columns OR-ed
in one branch (a BitmapOr of index scans), lines, SKUs and packages each in their own, the
branches joined by UNION into one array of order ids, computed once, the orders then read by
primary key. An OR mixing columns and ``IN (subquery)`` (what SQLite gets, where there are no
such indexes) would make PostgreSQL scan every order.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from integrations.carriers import registry as carriers
from inventory.models import SKU
from orders.models import Order, OrderLine

ORDER_COLUMNS = ("external_id", "buyer_name", "buyer_email", "ship_name", "tracking_number")

__all__ = ["ORDER_COLUMNS", "search_condition"]


def _own_columns(text: str) -> Q:
    condition = Q()
    for column in ORDER_COLUMNS:
        condition |= Q(**{f"{column}__icontains": text})
    return condition


def search_condition(text: str) -> Q:
    """Order id, buyer (name or email), SKU (ours or the channel's) or tracking number."""
    text = (text or "").strip()
    if not text:
        return Q()
    skus = SKU.objects.filter(seller_sku__icontains=text).values("pk")
    number = carriers.normalise(text)
    by_id = Q(pk=int(text)) if text.isdigit() and len(text) < 18 else None
    if connection.vendor == "postgresql":
        own = _own_columns(text) | by_id if by_id is not None else _own_columns(text)
        branches = [
            Order.objects.filter(own).order_by().values("pk"),
            OrderLine.objects.filter(channel_sku__icontains=text).order_by().values("order_id"),
            OrderLine.objects.filter(sku_id__in=skus).order_by().values("order_id"),
        ]
        if len(number) >= 6:
            # Through the reverse relation to fulfilment's packages (orders does not import fulfilment).
            branches.append(Order.objects.filter(packages__tracking_number__icontains=number).order_by().values("pk"))
        # id = ANY(ARRAY(...)): computed once before the orders are read, then one primary-key
        # probe per match; a plain IN (subquery) lets the planner guess a thousand matches and
        # read every order to join them.
        sql, params = branches[0].union(*branches[1:]).query.sql_with_params()
        table = Order._meta.db_table
        return Q(RawSQL(f'"{table}"."id" = ANY(ARRAY({sql}))', params, output_field=BooleanField()))
    # Uncorrelated subqueries: the database builds each set of matching order ids once.
    lines = OrderLine.objects.filter(Q(channel_sku__icontains=text) | Q(sku_id__in=skus)).values("order_id")
    condition = _own_columns(text) | Q(pk__in=lines)
    if len(number) >= 6:
        condition |= Q(pk__in=Order.objects.filter(packages__tracking_number__icontains=number).values("pk"))
    if by_id is not None:
        condition |= by_id
    return condition
