"""Shipping rules: the Owner's ordered list (first enabled match wins) of conditions on an order
and the shipping actions they lead to, and the decision recorded for each order (which rule
applied, when, and its action). Declarative only; writes live in
``fulfilment.shipping_rules.services``, reads in ``fulfilment.shipping_rules.selectors``."""

from django.db import models
from django.utils import timezone

from orders.models import Fulfilment
from sellerhub.models import Channel

TIKTOK_USPS = "tiktok_usps_platform"
TIKTOK_USPS_NAME = "TikTok orders: USPS only through TikTok Shipping"


class LabelChoice(models.TextChoices):
    ANY = "", "No preference"
    OWN = "own", "Own label provider"
    PLATFORM = "platform", "The channel's platform label"


class ShippingRule(models.Model):
    """One rule: every condition set must hold (an empty one holds for any order); the actions
    set say how the order ships."""

    class Builtin(models.TextChoices):
        NONE = "", "Own rule"
        TIKTOK_USPS = TIKTOK_USPS, TIKTOK_USPS_NAME

    name = models.CharField(max_length=100, unique=True)
    position = models.PositiveIntegerField(default=0, db_index=True, help_text="Rules are tried from the top.")
    enabled = models.BooleanField(default=True)
    builtin = models.CharField(max_length=32, choices=Builtin.choices, blank=True, default="", editable=False,
                               help_text="A rule SellerHub ships with: it can be switched off and moved, not edited.")
    # Conditions (empty: any order).
    channel = models.CharField(max_length=20, choices=Channel.choices, blank=True)
    account = models.ForeignKey("sellerhub.ChannelAccount", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name="shop")
    fulfilment = models.CharField(max_length=3, choices=Fulfilment.choices, blank=True)
    countries = models.CharField("destination countries", max_length=200, blank=True,
                                 help_text="Two-letter codes, comma-separated (e.g. US, CA).")
    states = models.CharField("destination states", max_length=200, blank=True,
                              help_text="State or province codes, comma-separated (e.g. AK, HI).")
    min_weight_grams = models.PositiveIntegerField("weight from (g)", null=True, blank=True,
                                                   help_text="The order's estimated weight, at least this.")
    max_weight_grams = models.PositiveIntegerField("weight up to (g)", null=True, blank=True,
                                                   help_text="The order's estimated weight, at most this.")
    skus = models.CharField("SKUs", max_length=300, blank=True,
                            help_text="Seller SKUs, comma-separated; one of them in the order matches. "
                                      "A trailing * matches a prefix (MUG-*).")
    has_tag = models.CharField("tagged", max_length=50, blank=True,
                               help_text="The order carries this tag (set by a rule when it was confirmed).")
    min_value = models.DecimalField("order value from", max_digits=12, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField("order value up to", max_digits=12, decimal_places=2, null=True, blank=True)
    due_within_hours = models.PositiveIntegerField("ship by within (hours)", null=True, blank=True,
                                                   help_text="The dispatch deadline is at most this many hours away.")
    # Actions.
    carrier = models.CharField(max_length=32, blank=True, help_text="Carrier code, e.g. usps, ups, fedex.")
    service = models.CharField(max_length=100, blank=True, help_text="The carrier's service, e.g. GroundAdvantage.")
    cheapest_by_deliver_date = models.BooleanField(
        "cheapest that arrives by the deliver-by date", default=False,
        help_text="Instead of a fixed service: the cheapest rate whose delivery days meet the deliver-by date.")
    box = models.ForeignKey("fulfilment.BoxPreset", on_delete=models.SET_NULL, null=True, blank=True,
                            related_name="+")
    label_source = models.CharField(max_length=8, choices=LabelChoice.choices, blank=True)
    hold_reason = models.CharField("hold with reason", max_length=300, blank=True,
                                   help_text="Put the order on hold with this reason when it is confirmed.")
    tag = models.CharField("set tag", max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.name


class OrderShippingDecision(models.Model):
    """The rule that applied to an order last (or none), with its action as it was then."""

    class Moment(models.TextChoices):
        CONFIRMED = "confirmed", "When confirmed"
        BEFORE_LABEL = "before_label", "Before a label was bought"

    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE, related_name="shipping_decision")
    rule = models.ForeignKey(ShippingRule, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="decisions")
    rule_name = models.CharField(max_length=100, blank=True, help_text="Empty: no rule matched.")
    moment = models.CharField(max_length=12, choices=Moment.choices)
    carrier = models.CharField(max_length=32, blank=True)
    service = models.CharField(max_length=100, blank=True)
    cheapest_by_deliver_date = models.BooleanField(default=False)
    box = models.ForeignKey("fulfilment.BoxPreset", on_delete=models.SET_NULL, null=True, blank=True,
                            related_name="+")
    label_source = models.CharField(max_length=8, choices=LabelChoice.choices, blank=True)
    hold_reason = models.CharField(max_length=300, blank=True)
    tag = models.CharField(max_length=50, blank=True)
    action_text = models.CharField(max_length=400, blank=True, help_text="The action in words.")
    platform_rule = models.CharField(max_length=100, blank=True,
                                     help_text="The built-in rule that sends this order's USPS labels through "
                                               "the channel's platform (its name), when on.")
    held_at = models.DateTimeField(null=True, blank=True, help_text="When the rule put the order on hold.")
    decided_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"order {self.order_id}: {self.rule_name or 'no rule'}"
