"""One meaning per word: "overdue" and "due today" (each shop's own day) are the same numbers on
the queue, the pick-list page, the dispatch board, the dashboard, the metrics page and the API,
and they match the one definition (``orders/dispatch_windows.py``, docs/domain/words.md)."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fulfilment import selectors as fulfilment_selectors
from orders import dispatch_windows
from orders.models import Order
from tests.core.factories import UserFactory
from tests.metrics.factories import AccountFactory, OrderFactory

pytestmark = pytest.mark.django_db

# 06:30 UTC: 23:30 the evening before in Los Angeles (PDT), 14:30 in Singapore, 06:30 in London.
NOW = dt.datetime(2026, 3, 10, 6, 30, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
MIN = dt.timedelta(minutes=1)


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


@pytest.fixture
def shops(frozen):
    la = AccountFactory(name="LA shop", time_zone="America/Los_Angeles")
    sg = AccountFactory(name="SG shop", channel="woocommerce", time_zone="Asia/Singapore")
    london = AccountFactory(name="London shop", channel="etsy", time_zone="Europe/London")

    def order(account, ref, due, **attrs):
        attrs.setdefault("status", "confirmed")
        return OrderFactory(account=account, external_id=ref, created_at=NOW - 30 * H, dispatch_due_at=due,
                            fulfilment=attrs.pop("fulfilment", "FBS"), **attrs)

    expected = {"overdue": set(), "due_today": set()}
    # Los Angeles: its day ends at 07:00 UTC (midnight PDT).
    expected["overdue"].add(order(la, "LA-OVERDUE", NOW - H).external_id)
    expected["due_today"].add(order(la, "LA-2350", NOW + 20 * MIN).external_id)
    order(la, "LA-0010-TOMORROW", NOW + 40 * MIN)  # 00:10 tomorrow in LA: not due today
    # Singapore: its day ends at 16:00 UTC. 23:30 there is tomorrow for the site's (LA) clock.
    expected["due_today"].add(order(sg, "SG-2330", dt.datetime(2026, 3, 10, 15, 30, tzinfo=dt.UTC)).external_id)
    expected["due_today"].add(order(sg, "SG-HOLD-2200", dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC),
                                    status="on_hold").external_id)
    order(sg, "SG-0030-TOMORROW", dt.datetime(2026, 3, 10, 16, 30, tzinfo=dt.UTC))
    expected["overdue"].add(order(sg, "SG-OVERDUE", NOW - 3 * H, status="packed").external_id)
    # Shipped, no carrier scan yet: neither overdue nor due today (at risk, listed apart).
    order(sg, "SG-SHIPPED", NOW - 2 * H, status="shipped", tracking_uploaded_at=NOW - 5 * H)
    # London: its day ends at midnight GMT (24:00 UTC).
    expected["due_today"].add(order(london, "LDN-1800", NOW + 11 * H + 30 * MIN, status="picking").external_id)
    # Not the seller's to dispatch: FBT, cancelled.
    order(sg, "SG-FBT", NOW + H, fulfilment="FBT")
    order(la, "LA-CANCELLED", NOW - H, status="cancelled", cancelled_at=NOW - 2 * H)
    return expected


def numbers(html, word):
    return [int(n) for n in re.findall(rf'data-count="{word}"[^>]*>(\d+)<', html)]


def page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_every_page_gives_the_same_overdue_and_due_today(client, shops):
    counts = dispatch_windows.dispatch_counts()
    assert (counts.overdue, counts.due_today) == (len(shops["overdue"]), len(shops["due_today"])) == (2, 4)
    overdue_ids = set(Order.objects.filter(dispatch_windows.overdue(NOW)).values_list("external_id", flat=True))
    today = dispatch_windows.due_today(dispatch_windows.shop_days(NOW))
    assert overdue_ids == shops["overdue"]
    assert set(Order.objects.filter(today).values_list("external_id", flat=True)) == shops["due_today"]

    warehouse, owner, ops = (UserFactory(role=r) for r in ("Warehouse", "Owner", "Ops"))
    pages = {
        "queue": page(client, ops, reverse("orders:queue")),
        "pick lists": page(client, warehouse, reverse("fulfilment:pick_pack")),
        "dispatch board": page(client, warehouse, reverse("fulfilment:index")),
        "dashboard": page(client, owner, "/"),
        "metrics": page(client, ops, reverse("metrics:index")),
    }
    for name, html in pages.items():
        assert numbers(html, "overdue"), f"{name} shows no overdue count"
        assert set(numbers(html, "overdue")) == {2}, name
    for name in ("queue", "pick lists", "dispatch board", "dashboard"):
        assert set(numbers(pages[name], "due-today")) == {4}, name
    # The dashboard shows the orders card, the dispatch panel and the at-risk panel: all agree.
    assert len(numbers(pages["dashboard"], "overdue")) == 3

    # The queue's shortcuts list exactly those orders (and so does the API).
    for due, refs in (("overdue", shops["overdue"]), ("today", shops["due_today"])):
        html = page(client, ops, f"{reverse('orders:queue')}?status=to_ship&due={due}")
        listed = {ref for ref in re.findall(r"(?:LA|SG|LDN)-[A-Z0-9-]+", html)}
        assert listed == refs, due
    api = client.get("/api/v1/orders?due=today")
    assert {row["external_id"] for row in api.json()["results"]} == shops["due_today"]


def test_pick_everything_due_today_takes_the_ready_ones_and_says_why_not_the_rest(client, shops):
    warehouse = UserFactory(role="Warehouse")
    html = page(client, warehouse, reverse("fulfilment:pick_pack"))
    # Overdue and due today: 6; the one on hold and the packed one are not ready to pick.
    assert numbers(html, "ready-due") == [4]
    assert "2 more are overdue or due today but not ready" in html
    # What the button takes (the pick-list service's candidates).
    picked = {o.external_id for o in fulfilment_selectors.orders_to_pick(due_today=True)}
    assert picked == (shops["overdue"] | shops["due_today"]) - {"SG-HOLD-2200", "SG-OVERDUE"}


def test_the_at_risk_list_separates_not_shipped_from_shipped_without_a_scan(client, shops):
    ops = UserFactory(role="Ops")
    html = page(client, ops, reverse("metrics:index"))
    assert "Not shipped: past or within 24 hours of the dispatch deadline" in html
    assert "Shipped, no carrier scan yet: past or within 24 hours of the dispatch deadline" in html
    not_shipped = page(client, ops, reverse("metrics:at_risk", args=["undispatched"]))
    assert "SG-OVERDUE" in not_shipped and "SG-SHIPPED" not in not_shipped
    shipped = page(client, ops, reverse("metrics:at_risk", args=["shipped-no-scan"]))
    assert "SG-SHIPPED" in shipped and "SG-OVERDUE" not in shipped


def test_the_wrong_roles_are_refused(client, shops):
    ops, warehouse = UserFactory(role="Ops"), UserFactory(role="Warehouse")
    client.force_login(ops)
    assert client.get(reverse("fulfilment:pick_pack")).status_code == 403
    client.force_login(warehouse)
    assert client.get(reverse("metrics:index")).status_code == 403


def test_the_counts_take_a_constant_number_of_queries(client, shops):
    owner = UserFactory(role="Owner")
    client.force_login(owner)
    urls = [reverse("orders:queue"), reverse("fulfilment:pick_pack"), reverse("fulfilment:index"), "/"]

    def queries():
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            result.append(len(captured.captured_queries))
        return result

    before = queries()
    tokyo = AccountFactory(name="Tokyo shop", time_zone="Asia/Tokyo")
    for i in range(12):
        OrderFactory(account=tokyo, external_id=f"TYO-{i}", status="confirmed", created_at=NOW - 30 * H,
                     dispatch_due_at=NOW + i * H, fulfilment="FBS")
    assert queries() == before


def test_the_edges_of_the_words(frozen):
    sg = AccountFactory(name="SG edge", time_zone="Asia/Singapore")
    midnight = dt.datetime(2026, 3, 10, 16, 0, tzinfo=dt.UTC)  # 00:00 on 11 March in Singapore
    cases = {"DUE-NOW": NOW, "DUE-AT-MIDNIGHT": midnight, "DUE-BEFORE-MIDNIGHT": midnight - MIN,
             "DUE-A-MINUTE-AGO": NOW - MIN, "NO-DEADLINE": None}
    for ref, due in cases.items():
        OrderFactory(account=sg, external_id=ref, status="confirmed", created_at=NOW - 30 * H, dispatch_due_at=due,
                     fulfilment="FBS")
    days = dispatch_windows.shop_days(NOW)
    assert set(Order.objects.filter(dispatch_windows.due_today(days)).values_list("external_id", flat=True)) == {
        "DUE-NOW", "DUE-BEFORE-MIDNIGHT"}  # exactly at the deadline is not overdue yet
    assert set(Order.objects.filter(dispatch_windows.overdue(NOW)).values_list("external_id", flat=True)) == {
        "DUE-A-MINUTE-AGO"}
