"""Small display helpers for the order pages: deadlines relative to now (in the shop's time zone,
the one format of ``sellerhub/datetimes.py``), status badges."""

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from orders.models import PRE_SHIP_STATUSES, OrderStatus
from sellerhub import datetimes

register = template.Library()

STATUS_CLASS = {
    OrderStatus.AWAITING_PAYMENT: "muted",
    OrderStatus.ON_HOLD: "warning",
    OrderStatus.AWAITING_CONFIRMATION: "warning",
    OrderStatus.CONFIRMED: "info",
    OrderStatus.PICKING: "info",
    OrderStatus.PACKED: "info",
    OrderStatus.SHIPPED: "ok",
    OrderStatus.IN_TRANSIT: "ok",
    OrderStatus.DELIVERED: "ok",
    OrderStatus.COMPLETED: "ok",
    OrderStatus.CANCELLED: "bad",
}


def _span(seconds: float) -> str:
    minutes = int(abs(seconds) // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h {minutes % 60:02d}" if hours < 6 else f"{hours} h"
    return f"{hours // 24} days"


@register.simple_tag
def deadline(order, field="dispatch_due_at"):
    """The deadline with how far away it is; overdue in red when the order hasn't shipped."""
    due = getattr(order, field)
    if due is None:
        return mark_safe('<span class="muted">—</span>')
    now = timezone.now()
    absolute = datetimes.format_shop_time(due, order.account.time_zone)  # the shop's clock decides
    open_order = order.status in PRE_SHIP_STATUSES
    seconds = (due - now).total_seconds()
    if open_order and seconds < 0:
        return format_html('<time datetime="{}" class="due overdue">{}<br><strong>overdue {}</strong></time>',
                           due.isoformat(), absolute, _span(seconds))
    if open_order and seconds < 4 * 3600:
        return format_html('<time datetime="{}" class="due soon">{}<br><strong>in {}</strong></time>',
                           due.isoformat(), absolute, _span(seconds))
    if open_order:
        return format_html('<time datetime="{}" class="due">{}<br><span class="muted">in {}</span></time>',
                           due.isoformat(), absolute, _span(seconds))
    return format_html('<time datetime="{}" class="due">{}</time>', due.isoformat(), absolute)


@register.filter
def status_class(status):
    return STATUS_CLASS.get(status, "")


@register.simple_tag
def status_badge(order):
    return format_html('<span class="badge status-{} {}">{}</span>', order.status, STATUS_CLASS.get(order.status, ""),
                       order.get_status_display())


@register.filter
def line_summary(order):
    """'2 × TEE-BLK-M, 1 × MUG-01' from the prefetched lines (grouping TikTok's per-unit lines)."""
    counts = {}
    for line in order.lines.all():
        if line.cancelled:
            continue
        key = line.sku.seller_sku if line.sku_id else (line.channel_sku or "?")
        counts[key] = counts.get(key, 0) + line.quantity
    return ", ".join(f"{n} × {sku}" for sku, n in counts.items())


@register.filter
def has_unmatched(order):
    return any(line.sku_id is None and not line.cancelled for line in order.lines.all())
