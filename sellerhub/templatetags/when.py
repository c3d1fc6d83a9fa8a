"""The date and time filters every page uses (the one format, ``sellerhub/datetimes.py``).

``{% load when %}`` then ``{{ value|when }}`` ("Tue 10 Mar 14:30", the user's time zone),
``{{ value|when:"seconds" }}``, ``{{ value|day }}`` ("Tue 10 Mar"), ``{{ value|clock }}`` ("14:30",
``{{ value|clock:"seconds" }}``) and, for a deadline, ``{{ order.dispatch_due_at|shop_time:order.account }}``
(in the shop's time zone, naming it when it is not the user's). Nothing gives "".
"""

from django import template

from sellerhub import datetimes

register = template.Library()


@register.filter
def when(value, arg=""):
    return datetimes.format_when(value, seconds=arg == "seconds")


@register.filter
def day(value):
    return datetimes.format_day(value)


@register.filter
def clock(value, arg=""):
    return datetimes.format_clock(value, seconds=arg == "seconds")


@register.filter
def shop_time(value, account):
    """A deadline in the shop's time zone; ``account`` is a ChannelAccount (or a zone name)."""
    zone_name = getattr(account, "time_zone", account) if account else None
    return datetimes.format_shop_time(value, zone_name)
