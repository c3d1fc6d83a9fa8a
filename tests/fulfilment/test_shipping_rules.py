"""Shipping rules: each condition's edges (table-driven), first match wins and disabled rules are
skipped, the dry run (selector, API, page), the rule applied shown on the order page and the hold
a rule puts on an order, and the built-in "TikTok orders: USPS only through TikTok Shipping":
on, an own USPS label for a TikTok order is refused (naming the rule, offering TikTok's platform
label) through the package page and the API against the EasyPost emulator; off, it is bought."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from fulfilment import services
from fulfilment.shipping_rules import selectors
from fulfilment.shipping_rules import services as rules
from fulfilment.shipping_rules.models import TIKTOK_USPS, TIKTOK_USPS_NAME, OrderShippingDecision, ShippingRule
from integrations.labels import Rate
from orders import services as order_services
from orders.models import Order, OrderStatus
from tests.inventory.factories import SKUFactory
from tests.orders.factories import ChannelAccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(make_order):
    """WooCommerce, FBS, to San Francisco CA US, 2 tees + 1 mug = 760 g, worth 80.00, due in 6 h."""
    return make_order("W-900", {"TEE-BLK-M": 2, "MUG-01": 1}, total=Decimal("80.00"))


def rule(**fields):
    return ShippingRule(name="r", **fields)


# (condition, value, matches the order above)
CASES = [
    ({}, None, True),
    ("channel", "woocommerce", True), ("channel", "tiktok", False),
    ("fulfilment", "FBS", True), ("fulfilment", "FBT", False),
    ("countries", "us, ca", True), ("countries", "CA", False),
    ("states", "ca", True), ("states", "NY, WA", False),
    ("min_weight_grams", 760, True), ("min_weight_grams", 761, False),
    ("max_weight_grams", 760, True), ("max_weight_grams", 759, False),
    ("skus", "MUG-01", True), ("skus", "cap-blk, mug-*", True), ("skus", "CAP-BLK", False), ("skus", "MUG", False),
    ("min_value", Decimal("80.00"), True), ("min_value", Decimal("80.01"), False),
    ("max_value", Decimal("80.00"), True), ("max_value", Decimal("79.99"), False),
    ("due_within_hours", 6, True), ("due_within_hours", 5, False),
    ("has_tag", "rush", False),
]


@pytest.mark.parametrize(("condition", "value", "expected"), CASES,
                         ids=[f"{c[0] or 'none'}={c[1]}" for c in CASES])
def test_each_condition_and_its_edges(order, condition, value, expected):
    fields = {condition: value} if condition else {}
    assert selectors.matches(rule(**fields), selectors.order_facts(order)) is expected


def test_shop_tag_and_unknown_weight(order, make_order, woo):
    facts = selectors.order_facts(order)
    assert selectors.matches(rule(account=woo), facts)
    assert not selectors.matches(rule(account=ChannelAccountFactory(name="Other shop")), facts)
    OrderShippingDecision.objects.create(order=order, moment="confirmed", tag="rush")
    assert selectors.matches(rule(has_tag="RUSH"), selectors.order_facts(order))
    unweighed = make_order("W-901", {"CAP-BLK": 1})
    line = unweighed.lines.get()
    line.sku = SKUFactory(seller_sku="NO-WEIGHT", weight_grams=None)
    line.save()
    assert not selectors.matches(rule(max_weight_grams=5000), selectors.order_facts(unweighed))


def test_first_enabled_match_wins_and_moving_changes_the_winner(order, owner_user):
    ups = rules.save_rule(name="Heavy: UPS", min_weight_grams=500, carrier="UPS", service="Ground", user=owner_user)
    usps = rules.save_rule(name="Everything: USPS", carrier="usps", service="Priority", user=owner_user)
    off = rules.save_rule(name="Off", enabled=False, hold_reason="never", user=owner_user)
    assert selectors.decision_for(order).rule_name == "Heavy: UPS"
    assert selectors.decision_for(order).carrier == "ups"  # codes are kept lower-case
    rules.move_rule(rule=usps, direction="up")
    assert selectors.decision_for(order).rule_name == "Everything: USPS"
    rules.set_enabled(rule=usps, enabled=False)
    assert selectors.decision_for(order).rule_name == "Heavy: UPS"
    rules.set_enabled(rule=ups, enabled=False)
    assert selectors.decision_for(order) is None  # the disabled hold rule is skipped
    rules.move_rule(rule=off, direction="up")
    names = [r.name for r in selectors.rules()]
    assert names.index("Off") < names.index("Heavy: UPS")


def test_rules_refuse_bad_input_and_builtin_is_only_switched(owner_user):
    with pytest.raises(rules.ShippingRuleError, match="weight range is empty"):
        rules.save_rule(name="x", min_weight_grams=10, max_weight_grams=5)
    with pytest.raises(rules.ShippingRuleError, match="not both"):
        rules.save_rule(name="x", service="Ground", cheapest_by_deliver_date=True)
    builtin = ShippingRule.objects.get(builtin=TIKTOK_USPS)
    assert builtin.name == TIKTOK_USPS_NAME and builtin.enabled
    with pytest.raises(rules.ShippingRuleError, match="built in"):
        rules.save_rule(rule=builtin, carrier="ups")
    with pytest.raises(rules.ShippingRuleError, match="switch it off"):
        rules.delete_rule(rule=builtin)
    assert rules.set_enabled(rule=builtin, enabled=False).enabled is False


def test_rules_apply_when_confirmed_and_the_order_page_shows_it(make_order, owner_user, client,
                                                                django_capture_on_commit_callbacks):
    rules.save_rule(name="Rush: cheapest in time", due_within_hours=12, cheapest_by_deliver_date=True, tag="rush")
    with django_capture_on_commit_callbacks(execute=True):
        order = make_order("W-910", {"MUG-01": 1})
    decision = Order.objects.get(pk=order.pk).shipping_decision
    assert decision.rule_name == "Rush: cheapest in time" and decision.moment == "confirmed"
    assert decision.tag == "rush" and decision.cheapest_by_deliver_date
    client.force_login(owner_user)
    page = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert "Rule applied" in page and "Rush: cheapest in time" in page
    assert "cheapest rate that arrives by the deliver-by date" in page and "tag rush" in page


def test_a_hold_rule_holds_once_with_its_reason(make_order, owner_user, django_capture_on_commit_callbacks):
    rules.save_rule(name="Big orders: check", min_value=Decimal("50"), hold_reason="Call the buyer first.")
    with django_capture_on_commit_callbacks(execute=True):
        order = make_order("W-911", {"MUG-01": 1}, total=Decimal("99.00"))
    order.refresh_from_db()
    assert order.status == OrderStatus.ON_HOLD and "Call the buyer first." in order.attention_detail
    assert "Big orders: check" in order.attention_detail
    with django_capture_on_commit_callbacks(execute=True):
        result = order_services.release_hold(order=order, user=owner_user)
    assert result.confirmed
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED  # released by a person: not held again


def test_dry_run_selector_api_and_page(order, owner_user, ops_user, warehouse_user, client, api_client_for):
    rules.save_rule(name="California: UPS Ground", states="CA", carrier="ups", service="Ground", label_source="own")
    run = selectors.dry_run(order)
    assert run["rule"].name == "California: UPS Ground" and run["action"] == "UPS Ground · own label provider"
    assert not OrderShippingDecision.objects.filter(order=order).exists()  # a dry run records nothing

    answer = api_client_for(ops_user).get(f"/api/v1/shipping-rules/dry-run?order={order.pk}").json()
    assert answer["rule"]["name"] == "California: UPS Ground" and answer["action"] == "UPS Ground · own label provider"
    assert answer["decision"]["carrier"] == "ups" and answer["platform_rule"] is None
    assert api_client_for(ops_user).get("/api/v1/shipping-rules/dry-run?order=x").status_code == 400
    assert api_client_for(ops_user).get("/api/v1/shipping-rules/dry-run?order=999999").status_code == 404

    client.force_login(owner_user)
    page = client.get(reverse("fulfilment:shipping_rules") + "?order=W-900").content.decode()
    assert "rule <strong>California: UPS Ground</strong> would apply: UPS Ground · own label provider" in page
    assert "No order has the number NOPE" in client.get(reverse("fulfilment:shipping_rules") + "?order=NOPE")\
        .content.decode()
    client.force_login(warehouse_user)
    assert client.get(reverse("fulfilment:shipping_rules")).status_code == 403


def test_owner_page_creates_moves_and_switches_rules(owner_client):
    url = reverse("fulfilment:shipping_rules")
    page = owner_client.get(url).content.decode()
    for label in ("Rule name", "Channel", "Shop", "Fulfilment", "destination countries", "weight from (g)",
                  "SKUs", "order value from", "ship by within (hours)", "Carrier", "Service", "Box",
                  "Label source", "hold with reason", "set tag", TIKTOK_USPS_NAME):
        assert label.lower() in page.lower(), label
    bad = owner_client.post(url, {"name": "Bad", "min_weight_grams": "10", "max_weight_grams": "5"})
    assert bad.status_code == 400 and "range is empty" in bad.content.decode()
    done = owner_client.post(url, {"name": "Heavy: UPS", "enabled": "on", "min_weight_grams": "2000",
                                   "carrier": "ups", "service": "Ground"})
    assert done.status_code == 302
    heavy = ShippingRule.objects.get(name="Heavy: UPS")
    owner_client.post(reverse("fulfilment:shipping_rule_action", args=[heavy.pk, "up"]))
    assert [r.name for r in selectors.rules()][0] == "Heavy: UPS"
    owner_client.post(reverse("fulfilment:shipping_rule_action", args=[heavy.pk, "disable"]))
    assert not ShippingRule.objects.get(pk=heavy.pk).enabled


def test_api_crud_owner_writes_ops_reads(owner_user, ops_user, api_client_for):
    owner, ops = api_client_for(owner_user), api_client_for(ops_user)
    made = owner.post("/api/v1/shipping-rules", {"name": "AK/HI: USPS Priority", "states": "AK, HI",
                                                 "carrier": "usps", "service": "Priority"}, format="json")
    assert made.status_code == 201 and made.json()["action"] == "USPS Priority"
    assert ops.post("/api/v1/shipping-rules", {"name": "x"}, format="json").status_code == 403
    listed = ops.get("/api/v1/shipping-rules").json()
    assert [r["name"] for r in listed][:2] == [TIKTOK_USPS_NAME, "AK/HI: USPS Priority"]
    pk = made.json()["id"]
    assert owner.patch(f"/api/v1/shipping-rules/{pk}", {"enabled": False}, format="json").json()["enabled"] is False
    builtin = ShippingRule.objects.get(builtin=TIKTOK_USPS)
    refused = owner.delete(f"/api/v1/shipping-rules/{builtin.pk}")
    assert refused.status_code == 400 and "switch it off" in refused.json()["error"]
    assert owner.delete(f"/api/v1/shipping-rules/{pk}").status_code == 204
    schema = owner.get(reverse("api_schema"), HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/shipping-rules/dry-run" in schema and "ShippingRuleDryRun" in schema


@pytest.fixture
def tiktok_package(make_order, easypost):
    shop = ChannelAccountFactory(name="TikTok US", channel="tiktok")
    tiktok_order = make_order("TT-77", {"MUG-01": 1}, account=shop)
    package = services.create_package(order=tiktok_order)
    quote = services.quote_rates(package=package)
    return package, {r.carrier_code: r for r in quote.rates}


def test_tiktok_usps_rule_on_refuses_an_own_usps_label_and_offers_the_platform_path(
        tiktok_package, easypost, warehouse_client, warehouse_user, api_client_for):
    package, rates = tiktok_package
    answer = warehouse_client.post(reverse("fulfilment:package_action", args=[package.pk, "buy"]),
                                   {"rate_id": rates["usps"].id})
    page = answer.content.decode()
    assert answer.status_code == 400 and TIKTOK_USPS_NAME in page and "TikTok Shipping" in page
    assert reverse("fulfilment:tiktok_labels") in page  # the platform label path is offered
    assert "Use TikTok&#x27;s platform label" in page or "Use TikTok's platform label" in page
    api = api_client_for(warehouse_user)
    refused = api.post(f"/api/v1/packages/{package.pk}/buy", {"rate_id": rates["usps"].id}, format="json")
    assert refused.status_code == 409 and TIKTOK_USPS_NAME in refused.json()["error"]
    assert easypost.state.received("easypost", "label_purchase") == []  # nothing bought
    with pytest.raises(rules.OwnLabelForbidden, match="TikTok Shipping"):
        services.make_own_label(package=package, courier="USPS", tracking_number="9400111206206406260787")
    package.refresh_from_db()
    assert not package.has_label
    assert package.order.shipping_decision.platform_rule == TIKTOK_USPS_NAME
    # The built-in rule is a requirement, not a choice: the Owner's rules still decide the carrier.
    rules.save_rule(name="TikTok: UPS Ground", channel="tiktok", carrier="ups", service="Ground")
    run = api.get(f"/api/v1/shipping-rules/dry-run?order={package.order_id}")
    assert run.status_code == 403  # the warehouse doesn't read the rules
    assert selectors.dry_run(package.order)["rule"].name == "TikTok: UPS Ground"
    assert selectors.dry_run(package.order)["platform_rule"].name == TIKTOK_USPS_NAME
    # Another carrier's own label is allowed with the rule on.
    bought = api.post(f"/api/v1/packages/{package.pk}/buy", {"rate_id": rates["ups"].id}, format="json")
    assert bought.status_code == 200 and bought.json()["status"] == "labelled"


def test_tiktok_usps_rule_switched_off_lets_the_own_usps_label_be_bought(
        tiktok_package, easypost, owner_client, warehouse_user, api_client_for):
    package, rates = tiktok_package
    builtin = ShippingRule.objects.get(builtin=TIKTOK_USPS)
    owner_client.post(reverse("fulfilment:shipping_rule_action", args=[builtin.pk, "disable"]))
    bought = api_client_for(warehouse_user).post(f"/api/v1/packages/{package.pk}/buy",
                                                 {"rate_id": rates["usps"].id}, format="json")
    assert bought.status_code == 200 and bought.json()["status"] == "labelled"
    package.refresh_from_db()
    assert package.carrier == "usps" and package.label_source == "provider"
    assert len(easypost.state.received("easypost", "label_purchase")) == 1


def test_the_tiktok_rule_leaves_other_channels_alone(make_order, easypost):
    package = services.create_package(order=make_order("W-920", {"MUG-01": 1}))
    rate = next(r for r in services.quote_rates(package=package).rates if r.carrier_code == "usps")
    assert services.buy_label(package=package, rate_id=rate.id).carrier == "usps"


def test_pick_rate_follows_the_decision():
    quoted = [Rate(id="a", carrier="USPS", carrier_code="usps", service="GroundAdvantage", amount=Decimal("5"), days=5),
              Rate(id="b", carrier="USPS", carrier_code="usps", service="Priority", amount=Decimal("9"), days=2),
              Rate(id="c", carrier="UPS", carrier_code="ups", service="Ground", amount=Decimal("8"), days=3)]
    now = timezone.now()
    fixed = selectors.RuleDecision(rule_id=1, rule_name="x", carrier="usps", service="Priority")
    assert selectors.pick_rate(fixed, quoted, deliver_by=None).id == "b"
    in_time = selectors.RuleDecision(rule_id=1, rule_name="x", cheapest_by_deliver_date=True)
    assert selectors.pick_rate(in_time, quoted, deliver_by=now + dt.timedelta(days=3, hours=1), now=now).id == "c"
    assert selectors.pick_rate(in_time, quoted, deliver_by=now + dt.timedelta(days=1), now=now) is None


def test_demo_rules_load_and_the_builtin_comes_back_after_a_flush(make_order, owner_user):
    from devtools.demo import shipping_rules as demo

    order = make_order("W-930", {"MUG-01": 1}, due=dt.timedelta(hours=3))
    ShippingRule.objects.filter(builtin=TIKTOK_USPS).delete()
    demo.load(users={"owner": owner_user})
    assert ShippingRule.objects.filter(builtin=TIKTOK_USPS, enabled=True).exists()  # made again, on
    assert ShippingRule.objects.filter(builtin="").count() == 4
    assert Order.objects.get(pk=order.pk).shipping_decision.rule_name == "Rush: cheapest that arrives in time"
