"""Template tags of the after-sales money side on the order and return pages: the seller
cancellation's push to the channel (state, error, retry, or what to do on a channel without the
call), the cancel form's reason list and the refunds (with the WooCommerce refund form for the
Owner). One query each."""

from django import template

from orders import refund_selectors
from orders.cancel_reasons import SELLER_REASON_CHOICES
from orders.services.seller_cancellation import channel_steps
from sellerhub.roles import perm

register = template.Library()

# Channels where the Owner can create a refund from SellerHub.
REFUNDABLE_CHANNELS = ("woocommerce",)


def _can_manage(context) -> bool:
    request = context.get("request")
    return bool(request is not None and request.user.has_perm(perm("manage_orders")))


@register.inclusion_tag("orders/_seller_cancellation.html", takes_context=True)
def seller_cancellation_of(context, order):
    row = refund_selectors.seller_cancellation(order.pk)
    return {"order": order, "seller_cancellation": row, "can_manage": _can_manage(context),
            "channel_steps": channel_steps(order.account.channel) if row else "",
            "csrf_token": context.get("csrf_token")}


@register.simple_tag
def cancel_reason_choices():
    return SELLER_REASON_CHOICES


@register.inclusion_tag("orders/_refunds.html", takes_context=True)
def refunds_of(context, order, ret=None):
    refunds = refund_selectors.return_refunds(ret.pk) if ret is not None else refund_selectors.order_refunds(order.pk)
    can_refund = (ret is None and _can_manage(context) and order.account.channel in REFUNDABLE_CHANNELS
                  and order.status != "awaiting_payment")
    return {"order": order, "refunds": refunds, "refund_form": can_refund, "hide_return": ret is not None,
            "csrf_token": context.get("csrf_token")}
