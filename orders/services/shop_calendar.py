"""Deadlines from a shop's business-day calendar: the account's calendar, the computed dispatch and
delivery deadlines, and which deadline fields a channel payload writes."""

from __future__ import annotations

import datetime as dt

from orders import deadlines
from orders.mapping import ChannelOrder
from orders.models import DeadlineSource, Order
from sellerhub.models import ChannelAccount


def shop_calendar(account: ChannelAccount) -> deadlines.ShopCalendar:
    """The account's business-day calendar (time zone, holidays, cut-off, handling, transit)."""
    return deadlines.ShopCalendar(
        handling_days=account.handling_days,
        transit_days=account.transit_days,
        time_zone=account.time_zone,
        country=account.holiday_country or "US",
        subdivision=account.holiday_subdivision or None,
        cutoff=account.cutoff_time,
    )


def computed_deadlines(*, account: ChannelAccount, paid_at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """(dispatch_due_at, delivery_due_at) for an order paid at ``paid_at`` on this account."""
    calendar = shop_calendar(account)
    dispatch = deadlines.dispatch_due_at(paid_at=paid_at, calendar=calendar)
    return dispatch, deadlines.delivery_due_at(dispatch_due_at=dispatch, calendar=calendar)


def deadline_values(order: Order, incoming: ChannelOrder, previous: ChannelOrder | None) -> dict:
    """The deadline fields to write: the channel's own ones as they come, else computed from the
    shop calendar when the payment time is new (a stored deadline is not recomputed on re-sync)."""
    values = {}
    channel_sent = incoming.dispatch_due_at is not None or incoming.delivery_due_at is not None
    if channel_sent:
        changed = previous is None or (previous.dispatch_due_at, previous.delivery_due_at) != (
            incoming.dispatch_due_at, incoming.delivery_due_at)
        if changed or order.deadline_source != DeadlineSource.CHANNEL:
            values = {"dispatch_due_at": incoming.dispatch_due_at, "delivery_due_at": incoming.delivery_due_at,
                      "deadline_source": DeadlineSource.CHANNEL}
            if incoming.delivery_due_at is None and incoming.dispatch_due_at is not None:
                values["delivery_due_at"] = deadlines.delivery_due_at(
                    dispatch_due_at=incoming.dispatch_due_at, calendar=shop_calendar(order.account))
        return values
    if order.deadline_source == DeadlineSource.CHANNEL:
        return {}  # the channel sent deadlines before; a payload without them does not erase them
    paid_at = incoming.paid_at
    if paid_at is None:
        return {}
    if order.deadline_source == DeadlineSource.CALENDAR and order.paid_at == paid_at and order.dispatch_due_at:
        return {}
    dispatch, delivery = computed_deadlines(account=order.account, paid_at=paid_at)
    return {"dispatch_due_at": dispatch, "delivery_due_at": delivery, "deadline_source": DeadlineSource.CALENDAR}
