"""Template tags of buyer cancellation requests: the warehouse's banner on the pack and package
pages (a pending request blocks picking and packing; TikTok rejects shipping it) and the
requests on the order page. One query each."""

from django import template

from orders import cancellation_selectors

register = template.Library()


@register.inclusion_tag("orders/cancellation_requests/_banner.html")
def cancellation_banner(order, mode="pack"):
    return {"pending": cancellation_selectors.pending_for(order) if order is not None else None, "mode": mode}


@register.inclusion_tag("orders/cancellation_requests/_order.html")
def cancellation_requests_of(order):
    return {"requests": cancellation_selectors.for_order(order)}
