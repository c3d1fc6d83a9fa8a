"""Writes of the shipping rules: saving, moving, switching and deleting rules (the built-in ones
are only switched and moved), applying the rules to an order (when it is confirmed, through the
orders hook, and again before a label is bought: the decision is recorded on the order, a hold
goes through the orders services) and refusing an own label a rule forbids. Rules apply to many
orders at once (a page of confirmed orders) in a few statements; one order is a page of one."""

from __future__ import annotations

import logging

from django.db import connection, transaction
from django.utils import timezone

from fulfilment.models import Package
from fulfilment.services.errors import FulfilmentError
from fulfilment.shipping_rules import selectors
from fulfilment.shipping_rules.models import (
    TIKTOK_USPS,
    TIKTOK_USPS_NAME,
    OrderShippingDecision,
    ShippingRule,
)
from orders import services as orders
from orders.models import Order, OrderStatus
from sellerhub.models import ChannelAccount

log = logging.getLogger("sellerhub.fulfilment")

MOMENTS = ("confirmed", "before_label")
PLATFORM_PATH = "Fulfilment → TikTok Shipping → TikTok labels"
RULE_FIELDS = ("name", "enabled", "channel", "account", "fulfilment", "countries", "states", "min_weight_grams",
               "max_weight_grams", "skus", "has_tag", "min_value", "max_value", "due_within_hours", "carrier",
               "service", "cheapest_by_deliver_date", "box", "label_source", "hold_reason", "tag")
BUILTIN_DEFAULTS = {
    TIKTOK_USPS: {"name": TIKTOK_USPS_NAME, "channel": "tiktok", "fulfilment": "FBS", "carrier": "usps",
                  "label_source": "platform", "position": 0, "enabled": True},
}


class ShippingRuleError(FulfilmentError):
    """A shipping rule that can't be saved, moved or deleted as asked."""


class RuleNameTaken(ShippingRuleError):
    """Another rule has the name already (a conflict with what exists, not bad input)."""


class OwnLabelForbidden(ShippingRuleError):
    """A rule forbids buying (or making) an own label for the package; ``rule_name`` names it and
    ``platform`` says whether the channel's platform label is the way instead."""

    def __init__(self, message: str, *, rule_name: str, platform: bool = True):
        super().__init__(message)
        self.rule_name = rule_name
        self.platform = platform


def _lock_rules() -> list[ShippingRule]:
    """Every rule, locked in primary-key order (the rule family's one lock helper)."""
    return list(ShippingRule.objects.select_for_update(of=("self",)).order_by("pk"))


def _clean(fields: dict) -> dict:
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise ShippingRuleError(f"Unknown rule field(s): {', '.join(sorted(unknown))}.")
    data = dict(fields)
    for key in ("name", "countries", "states", "skus", "has_tag", "carrier", "service", "hold_reason", "tag"):
        if key in data:
            data[key] = (data[key] or "").strip()
    if "carrier" in data:
        data["carrier"] = data["carrier"].lower()
    for low, high, what in (("min_weight_grams", "max_weight_grams", "weight"), ("min_value", "max_value",
                                                                                  "order value")):
        if data.get(low) is not None and data.get(high) is not None and data[low] > data[high]:
            raise ShippingRuleError(f"The {what} range is empty: 'from' is above 'up to'.", field=high)
    if data.get("cheapest_by_deliver_date") and data.get("service"):
        raise ShippingRuleError("Choose a service or 'cheapest that arrives by the deliver-by date', not both.",
                                field="service")
    if data.get("label_source") == "platform" and (data.get("service") or data.get("cheapest_by_deliver_date")):
        raise ShippingRuleError("A platform label is chosen on the channel; leave the service empty.",
                                field="label_source")
    return data


def save_rule(*, rule: ShippingRule | None = None, user=None, **fields) -> ShippingRule:
    """Create a rule (at the bottom of the list) or change one. A built-in rule is only switched."""
    data = _clean(fields)
    if rule is None and not data.get("name"):
        raise ShippingRuleError("Give the rule a name.", field="name")
    with transaction.atomic():
        locked = {r.pk: r for r in _lock_rules()}
        target = locked.get(rule.pk) if rule is not None else None
        if rule is not None and target is None:
            raise ShippingRuleError("That rule was deleted meanwhile.")
        if target is not None and target.builtin and set(data) - {"enabled"}:
            raise ShippingRuleError(f"“{target.name}” is built in: switch it on or off, or move it.")
        name = data.get("name", target.name if target else "")
        if any(r.name.lower() == name.lower() and r.pk != (target.pk if target else None) for r in locked.values()):
            raise RuleNameTaken(f"A rule named “{name}” exists already.", field="name")
        if target is None:
            top = max((r.position for r in locked.values()), default=-1)
            target = ShippingRule(position=top + 1)
        for key, value in data.items():
            setattr(target, key, value)
        target.save()
        log.info("shipping rule %s saved by %s", target.pk, getattr(user, "username", "system"))
        return target


def move_rule(*, rule: ShippingRule, direction: str, user=None) -> ShippingRule:
    """Move a rule one place up or down; positions are renumbered 0, 1, 2... in list order."""
    if direction not in ("up", "down"):
        raise ShippingRuleError("Move a rule up or down.")
    with transaction.atomic():
        _lock_rules()
        ordered = list(ShippingRule.objects.order_by("position", "pk"))
        index = next((i for i, r in enumerate(ordered) if r.pk == rule.pk), None)
        if index is None:
            raise ShippingRuleError("That rule was deleted meanwhile.")
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(ordered):
            ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, item in enumerate(ordered):
            if item.position != position:
                ShippingRule.objects.filter(pk=item.pk).update(position=position)
        return ShippingRule.objects.get(pk=rule.pk)


def set_enabled(*, rule: ShippingRule, enabled: bool, user=None) -> ShippingRule:
    return save_rule(rule=rule, enabled=bool(enabled), user=user)


def delete_rule(*, rule: ShippingRule, user=None) -> None:
    """Delete an own rule; a built-in one is switched off instead."""
    with transaction.atomic():
        _lock_rules()
        current = ShippingRule.objects.filter(pk=rule.pk).first()
        if current is None:
            return
        if current.builtin:
            raise ShippingRuleError(f"“{current.name}” is built in: switch it off instead of deleting it.")
        current.delete()


def ensure_builtin_rules(**_kwargs) -> None:
    """Create the built-in rules that are missing (after migrate and test flushes), on by default."""
    for code, defaults in BUILTIN_DEFAULTS.items():
        if not ShippingRule.objects.filter(builtin=code).exists():
            ShippingRule.objects.filter(name=defaults["name"]).update(name=f"{defaults['name']} (own copy)")
            ShippingRule.objects.create(builtin=code, **defaults)


ACTION_FIELDS = ("carrier", "service", "cheapest_by_deliver_date", "box", "label_source", "hold_reason", "tag")
DECISION_FIELDS = ("rule", "rule_name", "moment", *ACTION_FIELDS, "action_text", "platform_rule", "held_at",
                   "decided_at")


def _rules_now() -> tuple[list[ShippingRule], ShippingRule | None]:
    """The enabled own rules in the order they are tried, and the built-in TikTok USPS rule when
    it is on (one query for both)."""
    every = list(selectors.rules())
    own = [r for r in every if r.enabled and not r.builtin]
    platform = next((r for r in every if r.builtin == TIKTOK_USPS and r.enabled), None)
    return own, platform


def _decide(decision: OrderShippingDecision, rule: ShippingRule | None, *, moment: str, now) -> bool:
    """Write the rule's action (or none) on the decision; True when the rule holds the order anew
    (the caller checks that its state allows a hold)."""
    hold_again = decision.held_at is None or decision.rule_id != (rule.pk if rule else None)
    decision.rule, decision.rule_name, decision.moment = rule, rule.name if rule else "", moment
    for key in ACTION_FIELDS:
        setattr(decision, key, getattr(rule, key) if rule else ShippingRule._meta.get_field(key).get_default())
    decision.action_text = selectors.action_text(rule)[:400] if rule else "no rule applied"
    decision.decided_at = now
    return bool(rule and rule.hold_reason and hold_again)


def apply_rules_to_orders(*, order_ids, moment: str, user=None,
                          read_back: bool = True) -> dict[int, OrderShippingDecision]:
    """Record which rule applies to each order now (or that none does) and its action, for many
    orders at once (a stored page of orders; one order is a page of one): the rules are read once,
    the orders locked in one statement (primary-key order) and their decisions next, their lines
    read in one query, the decisions written in bulk. An order a rule holds is put on hold once
    with the rule's reason (through the orders services), if its state allows a hold. Returns the
    decisions by order id (an order that no longer exists is left out)."""
    if moment not in MOMENTS:
        raise ShippingRuleError(f"Rules apply when {' or '.join(MOMENTS)}, not {moment!r}.")
    ids = sorted(set(order_ids))
    if not ids:
        return {}
    own, platform = _rules_now()
    if not own:
        decisions = {}
        for start in range(0, len(ids), 500):
            decisions.update(_no_own_rule(ids[start:start + 500], moment=moment, platform=platform,
                                          read_back=read_back))
        return decisions
    with transaction.atomic():
        # The orders first, then their decisions; neither the payload nor the account's
        # credentials are read here (each row would decrypt the same credentials again).
        locked = orders.lock_orders(pk__in=ids, defer=("raw", "account__credentials"))
        existing = {d.order_id: d for d in OrderShippingDecision.objects.select_for_update(of=("self",))
                    .filter(order_id__in=ids).order_by("pk")}
        now = timezone.now()
        # The facts (lines, weights, tags) matter only to own rules: with none, no line is read.
        facts = selectors.page_facts(locked, tags={pk: d.tag for pk, d in existing.items()}, now=now) if own else {}
        decisions, holds = {}, []
        for order in locked:
            rule = selectors.first_match(own, facts[order.pk]) if own else None
            decision = existing.get(order.pk) or OrderShippingDecision(order_id=order.pk, moment=moment)
            if _decide(decision, rule, moment=moment, now=now) and orders.allowed(order.status, OrderStatus.ON_HOLD):
                decision.held_at = now
                holds.append((order, rule))
            decision.platform_rule = platform.name if platform and selectors.tiktok_usps_concerns(order) else ""
            decisions[order.pk] = decision
        OrderShippingDecision.objects.bulk_create([d for pk, d in decisions.items() if pk not in existing])
        OrderShippingDecision.objects.bulk_update([d for pk, d in decisions.items() if pk in existing],
                                                  DECISION_FIELDS, batch_size=200)
        for order, rule in holds:
            orders.hold_order(order=order, reason=f"Shipping rule “{rule.name}”: {rule.hold_reason}", user=user,
                              actor="shipping rules")
    return decisions


def _no_own_rule(ids: list[int], *, moment: str, platform: ShippingRule | None,
                 read_back: bool) -> dict[int, OrderShippingDecision]:
    """No own rule is enabled: every order's decision is "no rule applied" (and the built-in
    TikTok rule noted where it concerns the order). Nothing is held, so no order is locked: one
    INSERT ... SELECT over the orders writes every decision, keeping the time a rule once held an
    order (as ``_decide`` keeps it). ``read_back``: the decisions are read and returned."""
    now = timezone.now()
    empty = OrderShippingDecision(order_id=0, moment=moment)
    _decide(empty, None, moment=moment, now=now)
    fixed = [(f.column, f.get_db_prep_value(getattr(empty, f.attname), connection))
             for f in OrderShippingDecision._meta.concrete_fields
             if f.attname not in ("id", "order_id", "platform_rule", "held_at")]
    names = ["order_id", *(column for column, _value in fixed), "platform_rule"]
    platform_sql, platform_params = "''", []
    if platform is not None:
        platform_sql = f"CASE WHEN {selectors.CONCERNS_TIKTOK_USPS_SQL} THEN %s ELSE '' END"
        platform_params = [*selectors.CONCERNS_TIKTOK_USPS_PARAMS, platform.name]
    quote = connection.ops.quote_name
    statement = (
        f"INSERT INTO {quote(OrderShippingDecision._meta.db_table)} ({', '.join(quote(n) for n in names)}) "
        f"SELECT o.id, {', '.join(['%s'] * len(fixed))}, {platform_sql} "
        f"FROM {quote(Order._meta.db_table)} o INNER JOIN {quote(ChannelAccount._meta.db_table)} a "
        f"ON a.id = o.account_id WHERE o.id IN ({', '.join(['%s'] * len(ids))}) "
        f"ON CONFLICT (order_id) DO UPDATE SET "
        + ", ".join(f"{quote(n)} = EXCLUDED.{quote(n)}" for n in names[1:])
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*(value for _column, value in fixed), *platform_params, *ids])
    if not read_back:
        return {}
    return {d.order_id: d for d in OrderShippingDecision.objects.filter(order_id__in=ids)}


def apply_rules(*, order: Order, moment: str, user=None) -> OrderShippingDecision:
    """``apply_rules_to_orders`` for one order; returns its decision."""
    decision = apply_rules_to_orders(order_ids=[order.pk], moment=moment, user=user).get(order.pk)
    if decision is None:
        raise Order.DoesNotExist(f"No order {order.pk}.")
    return decision


def on_orders_confirmed(*, order_ids) -> None:
    """The orders hook: orders were confirmed (committed); apply the rules to them together. Should
    that fail, each order gets its own try, so one bad order never leaves the others undecided."""
    ids = list(order_ids)
    try:
        apply_rules_to_orders(order_ids=ids, moment="confirmed", read_back=False)
    except Exception:
        if len(ids) == 1:
            raise
        log.exception("shipping rules failed for a page of %s confirmed orders; applying them one by one", len(ids))
        for order_id in ids:
            try:
                apply_rules_to_orders(order_ids=[order_id], moment="confirmed")
            except Exception:
                log.exception("shipping rules failed for confirmed order %s", order_id)


def check_own_label(*, package: Package, carrier: str) -> None:
    """Refuse an own label (bought from the label provider or made by SellerHub) for ``carrier``
    when a rule forbids it: the built-in TikTok USPS rule (USPS labels for TikTok orders only
    through TikTok Shipping), or the applying rule choosing the channel's platform label."""
    order = package.order
    code = (carrier or "").strip().lower()
    platform = selectors.platform_rule_for(order)
    if platform is not None and code == "usps":
        raise OwnLabelForbidden(
            f"Shipping rule “{platform.name}”: a USPS label for TikTok order {order.external_id} must be bought "
            f"through TikTok Shipping ({PLATFORM_PATH}), not as an own label. Choose another carrier, or use "
            f"TikTok's platform label.", rule_name=platform.name)
    rule = selectors.matching_rule(order)
    if rule is not None and not rule.builtin and rule.label_source == "platform":
        raise OwnLabelForbidden(
            f"Shipping rule “{rule.name}”: order {order.external_id} ships on the channel's platform label, "
            f"not an own label.", rule_name=rule.name)


def before_own_label(*, package: Package, rate_id: str = "", carrier: str = "", user=None) -> None:
    """Called by the label services before an own label is bought (``rate_id``, a quoted rate) or
    made (``carrier``): the rules apply again (recorded on the order) and a label a rule forbids
    is refused. A package with its label already, or a rate not quoted, is left to the caller."""
    current = Package.objects.select_related("order__account").get(pk=package.pk)
    if current.has_label or current.status == Package.Status.CANCELLED:
        return
    if rate_id:
        rate = next((r for r in current.rates if r.get("id") == rate_id), None)
        if rate is None:
            return
        carrier = rate.get("carrier_code") or rate.get("carrier") or ""
    decision = apply_rules(order=current.order, moment="before_label", user=user)
    if decision.held_at is not None and decision.held_at == decision.decided_at:
        raise ShippingRuleError(f"Shipping rule “{decision.rule_name}” put order {current.order.external_id} on "
                                f"hold: {decision.hold_reason}. Release the hold before buying a label.")
    check_own_label(package=current, carrier=carrier)
