"""No job holds a database transaction open across an HTTP call: every call to a channel is made
outside any atomic block (checked on every request of a pull, a push, a tracking upload, a token
refresh and a webhook's processing)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from channels import jobs
from fulfilment.models import Package, PackageLine
from integrations.channels.connectors import base
from orders.models import Order
from sellerhub import inbox
from sellerhub.models import WebhookEvent


@pytest.fixture
def watched(monkeypatch):
    seen = []
    original = base.Connector.send

    def send(self, request):
        seen.append((request.operation, connection.in_atomic_block))
        return original(self, request)

    monkeypatch.setattr(base.Connector, "send", send)
    return seen


@pytest.mark.django_db(transaction=True)
def test_channel_calls_happen_outside_transactions(listed, emulator, watched):
    for channel in listed:
        emulator.state.generate_orders(channel, 60, skus=["TEE-BLK-M"])
    for account in listed.values():
        jobs.pull_orders(account)
        jobs.push_stock(account)
    order = Order.objects.filter(account=listed["square"]).first()
    package = Package.objects.create(order=order, status=Package.Status.SHIPPED, carrier="usps", carrier_name="USPS",
                                     tracking_number="9400111206206406260787", tracking_uploaded_at=timezone.now())
    PackageLine.objects.create(package=package, order_line=order.lines.first(), quantity=1)
    jobs.push_tracking(package.pk)
    jobs.refresh_token(listed["tiktok"], force=True)
    order_id = emulator.state.generate_orders("etsy", 1)[0]
    headers, body = emulator.state.etsy.build_webhook(order_id)
    from integrations.channels.connectors import connector_class

    notice = connector_class("etsy").verify_webhook(listed["etsy"], headers={k.lower(): v for k, v in headers.items()},
                                                    body=body, url="")
    receipt = inbox.receive(source="etsy", account=listed["etsy"], key=notice.notification_id, payload=notice.body,
                            ignore="processed below")
    jobs.process_webhook(WebhookEvent.objects.get(pk=receipt.event.pk))
    operations = {op for op, _atomic in watched}
    assert {"orders.search", "receipts.list", "orders.list", "inventory.update", "products.batch",
            "inventory.put", "inventory.batch_create", "orders.update", "token.refresh", "receipts.get"} <= operations
    inside = [op for op, atomic in watched if atomic]
    assert not inside, f"HTTP inside a transaction: {inside}"
