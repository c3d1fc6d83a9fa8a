"""Demo shipping rules: besides the built-in "TikTok orders: USPS only through TikTok Shipping"
(on), heavy parcels on UPS Ground, Alaska and Hawaii on USPS Priority, rush orders on the cheapest
rate that arrives by the deliver-by date, and a hold for high-value orders (off: switch it on to
see it). The orders confirmed by the demo then show which rule applied."""

from fulfilment.models import BoxPreset
from fulfilment.shipping_rules import services
from fulfilment.shipping_rules.models import ShippingRule
from orders.models import Order, OrderStatus

RULES = [
    {"name": "Alaska and Hawaii: USPS Priority", "states": "AK, HI", "carrier": "usps", "service": "Priority",
     "label_source": "own"},
    {"name": "Heavy parcels: UPS Ground", "fulfilment": "FBS", "min_weight_grams": 2000, "carrier": "ups",
     "service": "Ground", "label_source": "own", "tag": "heavy"},
    {"name": "Rush: cheapest that arrives in time", "fulfilment": "FBS", "due_within_hours": 6,
     "cheapest_by_deliver_date": True, "tag": "rush"},
    {"name": "High value: hold for an address check", "min_value": "500.00", "enabled": False,
     "hold_reason": "Order over 500: check the address with the buyer before it ships."},
]


def load(*, users):
    services.ensure_builtin_rules()
    if ShippingRule.objects.filter(builtin="").exists():
        return  # loaded before
    owner = users.get("owner")
    box = BoxPreset.objects.filter(name="Small box").first()
    for fields in RULES:
        extra = {"box": box} if box is not None and fields.get("due_within_hours") else {}
        services.save_rule(user=owner, **fields, **extra)
    for order in (Order.objects.filter(status__in=(OrderStatus.CONFIRMED, OrderStatus.PICKING, OrderStatus.PACKED))
                  .select_related("account").order_by("pk")[:40]):
        services.apply_rules(order=order, moment="confirmed", user=owner)
