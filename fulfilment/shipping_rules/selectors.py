"""Reads of the shipping rules: the ordered list, which rule applies to an order (first enabled
own rule that matches wins) and its action as a ``RuleDecision``, the dry run, the built-in TikTok
USPS rule (a requirement checked before every own label, whatever rule applies) and the rate a
decision picks from a quote."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from fulfilment.selectors import estimated_weight
from fulfilment.shipping_rules.models import TIKTOK_USPS, LabelChoice, OrderShippingDecision, ShippingRule
from orders.models import Fulfilment, LabelSource, Order, OrderLine
from sellerhub.models import Channel


@dataclass(frozen=True)
class RuleDecision:
    """The action of the rule that applies to an order."""

    rule_id: int
    rule_name: str
    carrier: str = ""
    service: str = ""
    cheapest_by_deliver_date: bool = False
    box_id: int | None = None
    label_source: str = ""  # "own", "platform" or "" (no preference)
    hold_reason: str = ""
    tag: str = ""

    @property
    def action_text(self) -> str:
        return action_text(self)


def action_text(action) -> str:
    """A rule's (or decision's) action in words, e.g. "USPS GroundAdvantage · own label"."""
    parts = []
    if action.cheapest_by_deliver_date:
        parts.append("cheapest rate that arrives by the deliver-by date"
                     + (f" ({action.carrier.upper()})" if action.carrier else ""))
    elif action.carrier or action.service:
        parts.append(" ".join(p for p in (action.carrier.upper(), action.service) if p))
    box = getattr(action, "box", None)  # a rule or a recorded decision; RuleDecision carries only box_id
    if box is not None:
        parts.append(f"box {box.name}")
    if action.label_source:
        parts.append(LabelChoice(action.label_source).label.lower()
                     if action.label_source != "platform" else "the channel's platform label")
    if action.hold_reason:
        parts.append(f"hold: {action.hold_reason}")
    if action.tag:
        parts.append(f"tag {action.tag}")
    return " · ".join(parts) or "no action"


def rules() -> QuerySet[ShippingRule]:
    """Every rule in the order they are tried."""
    return ShippingRule.objects.select_related("account", "box").order_by("position", "pk")


def builtin_rule(code: str = TIKTOK_USPS) -> ShippingRule | None:
    return ShippingRule.objects.filter(builtin=code).first()


def _codes(text: str) -> list[str]:
    return [p.strip().upper() for p in (text or "").split(",") if p.strip()]


@dataclass
class OrderFacts:
    """What the conditions look at, read once per order."""

    order: Order
    weight: int | None
    skus: list[str]
    tag: str
    now: dt.datetime


def _facts(order: Order, lines: list[OrderLine], tag: str, now: dt.datetime) -> OrderFacts:
    """The facts of one order from its lines in hand (cancelled ones already left out)."""
    skus = [(line.sku.seller_sku if line.sku_id else line.channel_sku).upper() for line in lines]
    return OrderFacts(order=order, weight=estimated_weight([(line, line.quantity) for line in lines]),
                      skus=[s for s in skus if s], tag=tag or "", now=now)


def order_facts(order: Order, *, now: dt.datetime | None = None) -> OrderFacts:
    lines = [line for line in order.lines.select_related("sku") if not line.cancelled]
    decision = OrderShippingDecision.objects.filter(order_id=order.pk).values_list("tag", flat=True).first()
    return _facts(order, lines, decision or "", now or timezone.now())


def page_facts(orders: list[Order], *, tags: dict[int, str], now: dt.datetime) -> dict[int, OrderFacts]:
    """The facts of many orders (each with its ``account``) by order id, their lines read in one
    query; ``tags`` holds the tag recorded on each order's decision (none: no tag)."""
    lines: dict[int, list[OrderLine]] = defaultdict(list)
    for line in (OrderLine.objects.filter(order_id__in=[o.pk for o in orders], cancelled=False)
                 .select_related("sku").order_by("pk")):
        lines[line.order_id].append(line)
    return {o.pk: _facts(o, lines[o.pk], tags.get(o.pk, ""), now) for o in orders}


def first_match(own_rules: list[ShippingRule], facts: OrderFacts) -> ShippingRule | None:
    """The first of ``own_rules`` (enabled own rules in the order they are tried) that matches."""
    return next((rule for rule in own_rules if matches(rule, facts)), None)


def _sku_match(patterns: list[str], skus: list[str]) -> bool:
    for pattern in patterns:
        if pattern.endswith("*"):
            if any(s.startswith(pattern[:-1]) for s in skus):
                return True
        elif pattern in skus:
            return True
    return False


def matches(rule: ShippingRule, facts: OrderFacts) -> bool:
    """Whether every condition the rule sets holds for the order (edges included)."""
    order = facts.order
    checks = []
    if rule.channel:
        checks.append(order.account.channel == rule.channel)
    if rule.account_id:
        checks.append(order.account_id == rule.account_id)
    if rule.fulfilment:
        checks.append(order.fulfilment == rule.fulfilment)
    if rule.countries:
        checks.append((order.ship_country or "").upper() in _codes(rule.countries))
    if rule.states:
        checks.append((order.ship_state or "").strip().upper() in _codes(rule.states))
    if rule.min_weight_grams is not None:
        checks.append(facts.weight is not None and facts.weight >= rule.min_weight_grams)
    if rule.max_weight_grams is not None:
        checks.append(facts.weight is not None and facts.weight <= rule.max_weight_grams)
    if rule.skus:
        checks.append(_sku_match(_codes(rule.skus), facts.skus))
    if rule.has_tag:
        checks.append(facts.tag.lower() == rule.has_tag.strip().lower())
    if rule.min_value is not None:
        checks.append(Decimal(order.total) >= rule.min_value)
    if rule.max_value is not None:
        checks.append(Decimal(order.total) <= rule.max_value)
    if rule.due_within_hours is not None:
        due = order.dispatch_due_at
        checks.append(due is not None and due <= facts.now + dt.timedelta(hours=rule.due_within_hours))
    if rule.builtin == TIKTOK_USPS:
        checks.append(tiktok_usps_concerns(order))
    return all(checks)


def tiktok_usps_concerns(order: Order) -> bool:
    """The TikTok USPS rule concerns TikTok orders the seller ships on a label of its own."""
    return concerns_tiktok_usps(order.account.channel, order.fulfilment, order.label_source)


def concerns_tiktok_usps(channel: str, fulfilment: str, label_source: str) -> bool:
    """``tiktok_usps_concerns`` from the three facts it reads."""
    return channel == Channel.TIKTOK and fulfilment == Fulfilment.FBS and label_source != LabelSource.PLATFORM


# ``concerns_tiktok_usps`` in SQL, over an order ``o`` and its account ``a``, and its parameters.
CONCERNS_TIKTOK_USPS_SQL = "(a.channel = %s AND o.fulfilment = %s AND o.label_source <> %s)"
CONCERNS_TIKTOK_USPS_PARAMS = (Channel.TIKTOK.value, Fulfilment.FBS.value, LabelSource.PLATFORM.value)


def decision_of(rule: ShippingRule) -> RuleDecision:
    return RuleDecision(rule_id=rule.pk, rule_name=rule.name, carrier=rule.carrier, service=rule.service,
                        cheapest_by_deliver_date=rule.cheapest_by_deliver_date, box_id=rule.box_id,
                        label_source=rule.label_source, hold_reason=rule.hold_reason, tag=rule.tag)


def matching_rule(order: Order, *, now: dt.datetime | None = None) -> ShippingRule | None:
    """The first enabled rule whose conditions all hold for the order, or None. Built-in rules are
    requirements checked before every own label (``platform_rule_for``), not choices: they never
    win the match, so a TikTok order still gets its carrier and service from the Owner's rules."""
    return first_match(list(rules().filter(enabled=True, builtin="")), order_facts(order, now=now))


def decision_for(order: Order) -> RuleDecision | None:
    """The action of the rule that applies to the order now (first enabled match), or None."""
    rule = matching_rule(order)
    return decision_of(rule) if rule is not None else None


def platform_rule_for(order: Order) -> ShippingRule | None:
    """The built-in TikTok USPS rule when it is on and concerns the order (wherever it stands in the
    list: it is a requirement of the channel, not a preference)."""
    rule = builtin_rule(TIKTOK_USPS)
    if rule is not None and rule.enabled and tiktok_usps_concerns(order):
        return rule
    return None


def orders_by_number(number: str) -> list[Order]:
    """Orders whose channel order number is ``number`` (one per shop at most)."""
    number = (number or "").strip()
    if not number:
        return []
    return list(Order.objects.filter(external_id=number).select_related("account").order_by("pk")[:10])


def dry_run(order: Order) -> dict:
    """Which rule would apply to the order and its action, without recording anything."""
    rule = matching_rule(order)
    return {"order": order, "rule": rule, "decision": decision_of(rule) if rule else None,
            "action": action_text(rule) if rule else "no rule applies: the packer chooses",
            "platform_rule": platform_rule_for(order)}


def pick_rate(decision: RuleDecision, rates: list, *, deliver_by: dt.datetime | None,
              now: dt.datetime | None = None):
    """The quoted rate (objects with ``carrier_code``/``carrier``, ``service``, ``amount``, ``days``)
    the decision asks for, or None: the rule's carrier and service, or the cheapest (of its carrier,
    when set) whose delivery days meet the deliver-by date."""
    now = now or timezone.now()

    def carrier_of(rate):
        return (getattr(rate, "carrier_code", "") or getattr(rate, "carrier", "") or "").lower()

    pool = [r for r in rates if not decision.carrier or carrier_of(r) == decision.carrier.lower()]
    if decision.cheapest_by_deliver_date:
        if deliver_by is not None:
            pool = [r for r in pool if r.days is not None and now + dt.timedelta(days=r.days) <= deliver_by]
        return min(pool, key=lambda r: (r.amount, r.days if r.days is not None else 99), default=None)
    if decision.service:
        pool = [r for r in pool if (r.service or "").lower() == decision.service.lower()]
    elif not decision.carrier:
        return None
    return min(pool, key=lambda r: r.amount, default=None)
