"""The return pages and /api/v1/returns: who may do what (denials tested), a constant number of
queries on the list, bad input refused with a message and nothing changed."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orders.models import OrderStatus, Return, ReturnDecision, ReturnLine
from tests.orders.factories import OrderFactory, OrderLineFactory

pytestmark = pytest.mark.django_db
PENDING = "RETURN_OR_REFUND_REQUEST_PENDING"


def channel_return(account, sku=None, *, status=PENDING, kind="return_and_refund", n=1, **fields):
    order = OrderFactory(account=account, status=OrderStatus.DELIVERED, total=48)
    ret = Return.objects.create(order=order, account=account, external_id=f"40350000{order.pk:08d}", kind=kind,
                                channel_status=status, reason="Item arrived damaged", refund_total=48,
                                respond_by=timezone.now() + dt.timedelta(hours=30),
                                next_action="SELLER_RESPOND_REQUEST", **fields)
    for _ in range(n):
        line = OrderLineFactory(order=order, sku=sku, quantity=1)
        ReturnLine.objects.create(ret=ret, order_line=line, quantity=1)
    return ret


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def test_list_shows_next_action_and_countdown_in_constant_queries(role_users, tiktok_account, stocked):
    sku = stocked("MUG-01", 2)
    ops = client_for(role_users["Ops"])
    channel_return(tiktok_account, sku)
    with CaptureQueriesContext(connection) as few:
        page = ops.get("/orders/returns/?status=decide")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Waiting for your decision" in html and "data-countdown-for" in html and "left" in html
    for _ in range(6):
        channel_return(tiktok_account, sku, n=2)
    with CaptureQueriesContext(connection) as many:
        assert ops.get("/orders/returns/?status=decide").status_code == 200
    assert len(many) == len(few)


@pytest.mark.parametrize("role,decide,receive,inspect", [
    ("Ops", 403, 403, 403), ("Warehouse", 403, 200, 302), ("Owner", 302, 200, 302)])
def test_roles_on_the_return_pages(role_users, tiktok_account, role, decide, receive, inspect):
    ret = channel_return(tiktok_account)
    c = client_for(role_users[role])
    assert c.get(f"/orders/returns/{ret.pk}/").status_code == 200
    assert c.post(f"/orders/returns/{ret.pk}/decide/", {"decision": "APPROVE_RETURN"}).status_code == decide
    assert c.get("/orders/returns/receive/").status_code == receive
    assert c.post(f"/orders/returns/{ret.pk}/inspect/", {}).status_code == inspect
    assert ReturnDecision.objects.count() == (1 if role == "Owner" else 0)
    page = c.get(f"/orders/returns/{ret.pk}/").content.decode()
    assert 'value="APPROVE_RETURN"' not in page  # decided (pending), or not the Owner's to decide
    assert ("Approve the return: waiting to be sent" in page) == (role == "Owner")


def test_anonymous_is_sent_to_login(tiktok_account, client):
    ret = channel_return(tiktok_account)
    for url in (f"/orders/returns/{ret.pk}/", "/orders/returns/receive/"):
        assert client.get(url).status_code == 302


def test_the_owner_sees_only_the_decisions_tiktok_accepts_now(owner_client, tiktok_account):
    ret = channel_return(tiktok_account, kind="refund_only")
    page = owner_client.get(f"/orders/returns/{ret.pk}/").content.decode()
    assert "Approve the refund" in page and "Approve the return" not in page and "Offer a partial refund" in page
    bad = owner_client.post(f"/orders/returns/{ret.pk}/decide/", {"decision": "REJECT_REFUND"}, follow=True)
    assert "Choose one of the channel&#x27;s reasons" in bad.content.decode()
    odd = owner_client.post(f"/orders/returns/{ret.pk}/decide/", {"decision": "DROP_TABLES"}, follow=True)
    assert "Select a valid choice" in odd.content.decode()
    assert not ReturnDecision.objects.exists()


def test_scan_page_refuses_unknown_and_refund_only_codes(warehouse_client, tiktok_account):
    ret = channel_return(tiktok_account, kind="refund_only", status="AWAITING_BUYER_SHIP")
    answer = warehouse_client.post("/orders/returns/receive/", {"code": ret.order.external_id})
    assert answer.status_code == 400 and "No return waiting for its parcel" in answer.content.decode()
    assert warehouse_client.post("/orders/returns/receive/", {"code": ""}).status_code == 400
    ret.refresh_from_db()
    assert ret.status == "requested"


def test_a_parcel_for_an_undecided_return_is_not_accepted(warehouse_client, tiktok_account):
    ret = channel_return(tiktok_account)
    answer = warehouse_client.post("/orders/returns/receive/", {"code": ret.order.external_id})
    assert answer.status_code == 400 and "was not approved for a return" in answer.content.decode()


def test_api_lists_decides_and_refuses_by_role(role_users, api_client_for, tiktok_account):
    ret = channel_return(tiktok_account)
    ops, wh, owner = (api_client_for(role_users[r]) for r in ("Ops", "Warehouse", "Owner"))
    listed = ops.get("/api/v1/returns/?channel_status=" + PENDING).json()
    rows = listed["results"] if isinstance(listed, dict) and "results" in listed else listed
    assert [r["external_id"] for r in rows] == [ret.external_id] and rows[0]["respond_by"]
    assert ops.post(f"/api/v1/returns/{ret.pk}/decide/", {"decision": "APPROVE_RETURN"},
                    format="json").status_code == 403
    assert wh.post(f"/api/v1/returns/{ret.pk}/decide/", {"decision": "APPROVE_RETURN"},
                   format="json").status_code == 403
    bad = owner.post(f"/api/v1/returns/{ret.pk}/decide/", {"decision": "NOPE"}, format="json")
    assert bad.status_code == 400 and "decision" in bad.json()["fields"]
    wrong = owner.post(f"/api/v1/returns/{ret.pk}/decide/", {"decision": "APPROVE_RECEIVED_PACKAGE"}, format="json")
    assert wrong.status_code == 409 and "not possible" in wrong.json()["error"]
    done = owner.post(f"/api/v1/returns/{ret.pk}/decide/", {"decision": "APPROVE_RETURN"}, format="json")
    assert done.status_code == 200 and done.json()["decisions"][0]["state"] == "pending"
    assert ops.post("/api/v1/returns/scan/", {"code": "x"}, format="json").status_code == 403
    assert wh.post("/api/v1/returns/scan/", {"code": "nothing"}, format="json").status_code == 404
    assert ops.get("/api/v1/returns/?kind=swap").status_code == 400


def test_the_schema_documents_the_return_decisions(owner_client):
    schema = owner_client.get("/api/schema/").content.decode()
    assert "/api/v1/returns/{id}/decide/" in schema and "/api/v1/returns/scan/" in schema
